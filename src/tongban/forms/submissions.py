"""Submissions: checking them against their version, storing them with their flattened rows,
and reading them within the caller's scope (own / department / all)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, delete, func, insert, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from tongban.core import i18n
from tongban.core.db import utcnow
from tongban.core.errors import AppError, Conflict, FieldError, Forbidden, NotFound
from tongban.core.events import publish
from tongban.core.permissions import Actor
from tongban.files import service as files
from tongban.forms.models import (
    CollectionTask,
    Form,
    FormApp,
    FormVersion,
    Submission,
    SubmissionRow,
    TaskAssignee,
)
from tongban.forms.schema import FormSchema
from tongban.forms.schemas import FormSubmitted, Role, SubmissionPage, SubmissionRead, TaskChanged
from tongban.forms.service import access_form, app_grants
from tongban.forms.validation import accepts, validate_submission
from tongban.org import service as org
from tongban.org.schemas import DepartmentRef

i18n.register(
    {
        "submission_not_found": ("找不到该提交", "No such submission"),
        "not_assigned": ("你不在该填报任务的名单中", "You are not assigned to this collection task"),
        "not_allowed_to_submit": ("你没有填写该表单的权限", "You may not submit this form"),
        "task_not_found": ("找不到该填报任务", "No such collection task"),
        "task_closed": (
            "填报已于 {deadline} 截止，不再接受迟交",
            "This collection closed at {deadline} and takes no late submissions",
        ),
    }
)

SubmissionScope = str  # "mine" | "department" | "all"


def _slot_value(value: Any) -> Any:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int | float):
        return value
    if isinstance(value, str):
        return value[:200]
    return None


def flatten(
    schema: FormSchema, slots: dict[str, str], values: dict[str, Any]
) -> list[tuple[str, int, dict[str, Any]]]:
    """(table, row index, slot values) for the top-level row and each sub-table row."""
    top: dict[str, Any] = {}
    for f in schema.fields:
        slot = slots.get(f.key)
        if slot is not None and f.key in values:
            v = _slot_value(values[f.key])
            if v is not None:
                top[slot] = str(v) if slot.startswith("t") else float(v)
    rows: list[tuple[str, int, dict[str, Any]]] = [("", 0, top)]
    for f in schema.fields:
        if f.type != "subtable":
            continue
        for index, row in enumerate(values.get(f.key) or []):
            cells = dict(top)
            for c in f.fields:
                slot = slots.get(f"{f.key}.{c.key}")
                if slot is None or c.key not in row:
                    continue
                v = _slot_value(row[c.key])
                if v is not None:
                    cells[slot] = str(v) if slot.startswith("t") else float(v)
            rows.append((f.key, index, cells))
    return rows


async def _defaults(session: AsyncSession, actor: Actor) -> tuple[dict[str, Any], DepartmentRef | None]:
    departments = (await org.memberships_of(session, [actor.person_id])).get(actor.person_id, [])
    primary = next((d for d in departments if d.is_primary), departments[0] if departments else None)
    now = utcnow()
    return (
        {
            "$me": actor.person_id,
            "$my_department": primary.id if primary else None,
            "$today": now.date().isoformat(),
            "$now": now.isoformat(),
        },
        primary,
    )


_SCHEMAS: dict[int, tuple[dict[str, Any], FormSchema]] = {}


def version_schema(version: FormVersion) -> FormSchema:
    """A version's parsed schema, parsed once per process. Versions never change, but an id can
    come back after its form was deleted, so the cached copy must match the stored JSON."""
    cached = _SCHEMAS.get(version.id)
    if cached is not None and cached[0] == version.schema:
        return cached[1]
    if len(_SCHEMAS) > 1000:
        _SCHEMAS.clear()
    schema = FormSchema.model_validate(version.schema)
    _SCHEMAS[version.id] = (version.schema, schema)
    return schema


async def cached_version(session: AsyncSession, version_id: int) -> tuple[int, FormSchema] | None:
    version = await session.get(FormVersion, version_id)
    if version is None:
        return None
    return version.number, version_schema(version)


async def _check_refs(session: AsyncSession, actor: Actor, result: Any) -> list[FieldError]:
    errors: list[FieldError] = []
    people = {pid for _, _, pid in result.refs.people}
    known = await org.names_of(session, people) if people else {}
    for at, where, pid in result.refs.people:
        if pid not in known:
            errors.append(FieldError(at, "not_person", i18n.t("value.not_person", where=where)))
    for at, where, did in result.refs.departments:
        if await org.department_name(session, did) is None:
            errors.append(FieldError(at, "not_department", i18n.t("value.not_department", where=where)))
    for at, where, ids, accept in result.refs.files:
        for file_id in ids:
            try:
                file = await files.access_file(session, actor, file_id)
            except AppError:
                errors.append(FieldError(at, "not_files", i18n.t("value.not_files", where=where)))
                break
            if not accepts(accept, file.content_type):
                errors.append(
                    FieldError(
                        at, "file_type", i18n.t("value.file_type", where=where, type=file.content_type)
                    )
                )
                break
    return errors


async def _check_unique(
    session: AsyncSession, form: Form, schema: FormSchema, values: dict[str, Any], exclude: int | None
) -> list[FieldError]:
    errors: list[FieldError] = []
    for f in schema.fields:
        slot = (form.slots or {}).get(f.key)
        if not f.unique or slot is None or not slot.startswith("t") or f.key not in values:
            continue
        column = getattr(SubmissionRow, slot)
        stmt = select(SubmissionRow.id).where(
            SubmissionRow.form_id == form.id,
            SubmissionRow.table == "",
            column == str(_slot_value(values[f.key])),
        )
        if exclude is not None:
            stmt = stmt.where(SubmissionRow.submission_id != exclude)
        if (await session.execute(stmt.limit(1))).first() is not None:
            from tongban.forms.validation import where_text

            errors.append(
                FieldError(f"values.{f.key}", "duplicate", i18n.t("value.duplicate", where=where_text(f)))
            )
    return errors


async def _validated(
    session: AsyncSession,
    actor: Actor,
    form: Form,
    schema: FormSchema,
    raw: dict[str, Any],
    exclude: int | None,
) -> tuple[dict[str, Any], DepartmentRef | None]:
    defaults, primary = await _defaults(session, actor)
    result = validate_submission(schema, raw, defaults=defaults)
    errors = list(result.errors)
    if not errors:
        errors += await _check_refs(session, actor, result)
        errors += await _check_unique(session, form, schema, result.values, exclude)
    if errors:
        raise AppError("submission_invalid", status_code=422, fields=errors)
    return result.values, primary


async def _store_rows(session: AsyncSession, form: Form, schema: FormSchema, submission: Submission) -> None:
    rows = flatten(schema, form.slots or {}, submission.values)
    await session.execute(
        insert(SubmissionRow),
        [
            {
                "form_id": form.id,
                "submission_id": submission.id,
                "table": table,
                "task_id": submission.task_id,
                "row_index": index,
                "submitter_id": submission.submitter_id,
                "department_id": submission.department_id,
                "created_at": submission.created_at,
                **cells,
            }
            for table, index, cells in rows
        ],
    )


async def watchers(session: AsyncSession, app: FormApp, extra: Sequence[int] = ()) -> set[int]:
    """Who sees every submission live: the owner, and people granted view_all or manage by name
    (department and everyone grants would fan out to the whole organisation, so those viewers
    see new data on their next fetch)."""
    named = [
        g.person_id
        for g in await app_grants(session, app.id)
        if g.role in ("manage", "view_all") and g.person_id is not None
    ]
    return {app.owner_id, *named, *extra}


async def do_submit(
    session: AsyncSession, actor: Actor, form_id: int, values: dict[str, Any], task_id: int | None = None
) -> SubmissionRead:
    """Check and store a submission; 422 naming every field, nothing stored, when it is wrong."""
    form, app, roles = await access_form(session, actor, form_id)
    if form.status == "archived":
        raise Conflict("form_archived")
    version = await cached_version(session, form.version_id) if form.version_id else None
    if version is None:
        raise Conflict("form_not_published")
    version_number, schema = version
    version_id = form.version_id
    assert version_id is not None
    now = utcnow()
    assignee: TaskAssignee | None = None
    task: CollectionTask | None = None
    late = False
    if task_id is not None:
        task = await session.get(CollectionTask, task_id)
        if task is None or task.form_id != form.id:
            raise NotFound("task_not_found")
        assignee = (
            await session.execute(
                select(TaskAssignee).where(
                    TaskAssignee.task_id == task.id, TaskAssignee.person_id == actor.person_id
                )
            )
        ).scalar_one_or_none()
        if assignee is None:
            raise Forbidden("not_assigned")
        if now > task.deadline:
            if not task.allow_late:
                raise Conflict("task_closed", deadline=_local(task.deadline))
            late = True
    elif "submit" not in roles:
        raise Forbidden("not_allowed_to_submit")
    clean, primary = await _validated(session, actor, form, schema, values, exclude=None)
    submission = Submission(
        form_id=form.id,
        version_id=version_id,
        task_id=task.id if task else None,
        submitter_id=actor.person_id,
        department_id=primary.id if primary else None,
        values=clean,
        late=late,
        created_at=now,
        updated_at=now,
    )
    session.add(submission)
    await session.flush()
    await _store_rows(session, form, schema, submission)
    recipients = await watchers(session, app, [actor.person_id])
    events: list[tuple[set[int], Any]] = []
    if task is not None and assignee is not None:
        assignee.submission_id = submission.id
        assignee.submitted_at = now
        assignee.late = late
        recipients.add(task.created_by)
        events.append(({task.created_by, actor.person_id}, TaskChanged(task_id=task.id, form_id=form.id)))
    await publish(
        session, recipients, FormSubmitted(form_id=form.id, submission_id=submission.id, task_id=task_id)
    )
    for people, event in events:
        await publish(session, people, event)
    return SubmissionRead(
        id=submission.id,
        form_id=form.id,
        version_id=version_id,
        version_number=version_number,
        task_id=submission.task_id,
        submitter_id=actor.person_id,
        submitter_name=actor.name,
        department_id=submission.department_id,
        department_name=primary.name if primary else None,
        values=clean,
        late=late,
        created_at=now,
        updated_at=now,
    )


def _local(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone(dt.timedelta(hours=8))).strftime("%Y-%m-%d %H:%M")


# ---- reading --------------------------------------------------------------------------------


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


async def list_submissions(
    session: AsyncSession,
    actor: Actor,
    form_id: int,
    *,
    scope: str = "all",
    task_id: int | None = None,
    search: str | None = None,
    order: str = "-created_at",
    offset: int = 0,
    limit: int = 50,
) -> SubmissionPage:
    form, _app, roles = await access_form(session, actor, form_id)
    stmt = await readable(session, actor, form, roles, scope)
    if task_id is not None:
        stmt = stmt.where(Submission.task_id == task_id)
    if search:
        # Answers are JSON; searching its text finds any answer (names of options are in the schema).
        from sqlalchemy import String, cast

        stmt = stmt.where(cast(Submission.values, String).contains(search))
    total = (await session.execute(select(func.count()).select_from(stmt.subquery()))).scalar_one()
    column = Submission.created_at if order.lstrip("-") == "created_at" else Submission.id
    stmt = stmt.order_by(column.desc() if order.startswith("-") else column.asc(), Submission.id.desc())
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


async def do_update_submission(
    session: AsyncSession, actor: Actor, submission_id: int, values: dict[str, Any]
) -> Submission:
    """Managers correct a submission, checked against the version it was made with."""
    submission, form, app, roles = await access_submission(session, actor, submission_id)
    if "manage" not in roles:
        raise Forbidden()
    version = await session.get(FormVersion, submission.version_id)
    assert version is not None
    schema = version_schema(version)
    clean, _primary = await _validated(session, actor, form, schema, values, exclude=submission.id)
    submission.values = clean
    submission.updated_at = utcnow()
    await session.execute(delete(SubmissionRow).where(SubmissionRow.submission_id == submission.id))
    await _store_rows(session, form, schema, submission)
    await session.flush()
    await publish(
        session,
        await watchers(session, app, [submission.submitter_id]),
        FormSubmitted(form_id=form.id, submission_id=submission.id, task_id=submission.task_id),
    )
    return submission
