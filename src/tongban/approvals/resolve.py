"""Who a node reaches, decided at submission so the submitter sees the whole route at once and
a node nobody resolves is handled by its policy before anything starts (skip it, give it to the
template's admins, or refuse the submission)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from tongban.approvals.flow import Submitter, Who
from tongban.core.permissions import Actor
from tongban.org import service as org
from tongban.org.models import Person


@dataclass
class OrgView:
    """What resolution reads from org, loaded lazily once per submission."""

    session: AsyncSession
    actor: Actor
    _departments: dict[int, tuple[int | None, int | None]] | None = None  # id -> (parent, head)
    _primary: int | None = field(default=None)
    _primary_loaded: bool = False

    async def person(self, person_id: int) -> Person | None:
        stmt = org.readable_people(self.actor).where(Person.id == person_id)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def primary_department(self, person_id: int) -> int | None:
        if not self._primary_loaded:
            departments = (await org.memberships_of(self.session, [person_id])).get(person_id, [])
            primary = next((d for d in departments if d.is_primary), departments[0] if departments else None)
            self._primary, self._primary_loaded = (primary.id if primary else None), True
        return self._primary

    async def departments(self) -> dict[int, tuple[int | None, int | None]]:
        if self._departments is None:
            rows = await org.list_departments(self.session, self.actor)
            self._departments = {d.id: (d.parent_id, d.head_id) for d in rows}
        return self._departments

    async def by_title(self, titles: Sequence[str]) -> list[int]:
        stmt = org.readable_people(self.actor).where(Person.title.in_(list(titles))).order_by(Person.id)
        return [p.id for p in (await self.session.execute(stmt)).scalars()]

    async def active(self, ids: Sequence[int]) -> list[int]:
        alive = await org.active_ids(self.session, ids)
        return [i for i in ids if i in alive]


async def submitter_info(session: AsyncSession, actor: Actor) -> Submitter:
    person = (
        await session.execute(org.readable_people(actor).where(Person.id == actor.person_id))
    ).scalar_one()
    departments = await org.enclosing_department_ids(session, actor.person_id)
    return Submitter(id=actor.person_id, title=person.title, department_ids=frozenset(departments))


async def resolve_who(
    view: OrgView, who: Who, submitter_id: int, values: dict[str, Any], picked: list[int]
) -> list[int]:
    """People for one `Who`, in order, without duplicates; inactive people are left out."""
    ids: list[int] = []
    if who.kind == "people":
        ids = list(who.people)
    elif who.kind == "title":
        ids = await view.by_title(who.titles)
    elif who.kind == "manager":
        current: int | None = submitter_id
        for _ in range(who.level):
            person = await view.person(current) if current is not None else None
            current = person.manager_id if person is not None else None
        ids = [current] if current is not None else []
    elif who.kind == "dept_head":
        ids = await _department_head(view, submitter_id, who.level)
    elif who.kind == "field":
        raw = values.get(who.field or "")
        raw_ids = raw if isinstance(raw, list) else [raw]
        ids = [i for i in raw_ids if isinstance(i, int) and not isinstance(i, bool)]
    elif who.kind == "submitter_picks":
        ids = list(picked)
    return await view.active(list(dict.fromkeys(ids)))


async def _department_head(view: OrgView, submitter_id: int, level: int) -> list[int]:
    """The head `level` departments up from the submitter's primary department (1 = their own);
    a head approving their own request is passed over to the next department up."""
    department = await view.primary_department(submitter_id)
    tree = await view.departments()
    climbed = 0
    while department is not None and department in tree:
        parent, head = tree[department]
        if head is not None and head != submitter_id:
            climbed += 1
            if climbed == level:
                return [head]
        department = parent
    return []
