"""What the calendar needs to know about people: names, zones, working hours, languages.

Read through org's `readable_people` scope (org owns the table), in one query per request.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from tongban.calendar.recurrence import is_zone
from tongban.core.i18n import Locale, normalise_locale
from tongban.core.permissions import Actor
from tongban.org.models import DEFAULT_WORKING_HOURS, Person
from tongban.org.service import readable_people


@dataclass(frozen=True)
class PersonInfo:
    id: int
    name: str
    tz: str
    locale: Locale
    working_hours: dict[str, Any]


async def people_info(
    session: AsyncSession, actor: Actor, person_ids: Iterable[int]
) -> dict[int, PersonInfo]:
    ids = list(dict.fromkeys(person_ids))
    if not ids:
        return {}
    rows = (await session.execute(readable_people(actor).where(Person.id.in_(ids)))).scalars()
    return {
        p.id: PersonInfo(
            id=p.id,
            name=p.name,
            tz=p.timezone if is_zone(p.timezone) else "Asia/Shanghai",
            locale=normalise_locale(p.locale) or "zh-CN",
            working_hours=dict(p.working_hours or DEFAULT_WORKING_HOURS),
        )
        for p in rows
    }
