"""Reading submissions within the caller's scope (own / department / all): every read of
submissions starts at `readable`."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from tongban.core import i18n
from tongban.core.errors import NotFound
from tongban.core.permissions import Actor
from tongban.forms.models import Form, FormApp, FormVersion, Submission
from tongban.forms.schemas import Role, SubmissionPage, SubmissionRead
from tongban.forms.service import access_form
from tongban.org import service as org

i18n.register({"submission_not_found": ("找不到该提交", "No such submission")})


async def _my_department_ids(session: AsyncSession, actor: Actor) -> set[int]:
    departments = (await org.memberships_of(session, [actor.person_id])).get(actor.person_id, [])
    return await org.subtree_ids(session, [d.id for d in departments])


async def readable(
    session: AsyncSession, actor: Actor, form: Form, roles: list[Role], scope: str
) -> Select[Any]:
    """Submissions of `form` the caller may read in `scope`; every read of submissions starts here."""
    stmt = select(Submission).where(Submission.form_id == form.id)
    if scope == "all" and "view_all" in roles:
        return stmt
    if scope in ("all", "department") and "view_dept" in roles:
        depts = await _my_department_ids(session, actor)
        return stmt.where(
            or_(Submission.department_id.in_(depts), Submission.submitter_id == actor.person_id)
        )
    return stmt.where(Submission.submitter_id == actor.person_id)


async def render(session: AsyncSession, rows: Sequence[Submission]) -> list[SubmissionRead]:
    names = await org.names_of(session, {r.submitter_id for r in rows})
    dept_names: dict[int, str | None] = {}
    for did in {r.department_id for r in rows if r.department_id}:
        dept_names[did] = await org.department_name(session, did)
    numbers = dict(
        (
            await session.execute(
                select(FormVersion.id, FormVersion.number).where(
                    FormVersion.id.in_({r.version_id for r in rows})
                )
            )
        ).all()
    )
    return [
        SubmissionRead(
            id=r.id,
            form_id=r.form_id,
            version_id=r.version_id,
            version_number=numbers.get(r.version_id, 0),
            task_id=r.task_id,
            submitter_id=r.submitter_id,
            submitter_name=names.get(r.submitter_id, ""),
            department_id=r.department_id,
            department_name=dept_names.get(r.department_id) if r.department_id else None,
            values=r.values,
            late=r.late,
            created_at=r.created_at,
            updated_at=r.updated_at,
        )
        for r in rows
    ]


def _text_matches(search: str) -> Any:
    """Answers are stored as JSON text; a search matches that text. The engine's serializer
    writes non-ASCII characters as \\uXXXX escapes (and rows written by other serializers may
    hold them literally), so Chinese text is looked for in both spellings. `autoescape` makes
    % and _ literal and uses / as the escape character, so the backslashes of the escaped
    spelling stay literal on PostgreSQL too."""
    from sqlalchemy import String
    from sqlalchemy import cast as sql_cast

    text = sql_cast(Submission.values, String)
    escaped = json.dumps(search)[1:-1]
    if escaped == search:
        return text.contains(search, autoescape=True)
    return or_(text.contains(search, autoescape=True), text.contains(escaped, autoescape=True))


async def list_submissions(
    session: AsyncSession,
    actor: Actor,
    form_id: int,
    *,
    scope: str = "all",
    task_id: int | None = None,
    search: str | None = None,
    filters: list[dict[str, Any]] | None = None,
    order: str = "-created_at",
    offset: int = 0,
    limit: int = 50,
) -> SubmissionPage:
    """A page of the submissions the caller may read, searched, filtered and sorted by field."""
    from tongban.forms.dataview import by_fields  # it builds on stats, which imports this module

    form, _app, roles = await access_form(session, actor, form_id)
    stmt = await readable(session, actor, form, roles, scope)
    if task_id is not None:
        stmt = stmt.where(Submission.task_id == task_id)
    if search:
        stmt = stmt.where(_text_matches(search))
    stmt = by_fields(stmt, form, filters or [], order)
    total = (
        await session.execute(select(func.count()).select_from(stmt.order_by(None).subquery()))
    ).scalar_one()
    rows = (await session.execute(stmt.offset(offset).limit(limit))).scalars().all()
    return SubmissionPage(items=await render(session, rows), total=total, offset=offset, limit=limit)


async def access_submission(
    session: AsyncSession, actor: Actor, submission_id: int
) -> tuple[Submission, Form, FormApp, list[Role]]:
    submission = await session.get(Submission, submission_id)
    if submission is None:
        raise NotFound("submission_not_found")
    try:
        form, app, roles = await access_form(session, actor, submission.form_id)
    except NotFound:
        raise NotFound("submission_not_found") from None
    stmt = (await readable(session, actor, form, roles, "all")).where(Submission.id == submission.id)
    if (await session.execute(stmt)).first() is None:
        raise NotFound("submission_not_found")
    return submission, form, app, roles
