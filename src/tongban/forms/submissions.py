"""Submissions: checking them against their version, storing them with their flattened rows,
and reading them within the caller's scope (own / department / all)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol, cast

from sqlalchemy import Select, Table, bindparam, delete, func, insert, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from tongban.core import i18n
from tongban.core.db import utcnow
from tongban.core.errors import AppError, Conflict, FieldError, Forbidden, NotFound
from tongban.core.events import publish
from tongban.core.permissions import Actor
from tongban.files import service as files
from tongban.forms import rollup
from tongban.forms.models import (
    NUMBER_SLOTS,
    TEXT_SLOTS,
    AppGrant,
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
from tongban.forms.service import AppOwner, access_form, app_grants, is_assignee, prime_grants, roles_in
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


# A version's schema parsed once per process. Versions never change, but an id can come back
# after its form was deleted (SQLite reuses the highest rowid), so a cached copy is used only
# when the version's form, number and publishing moment match as well.
_Stamp = tuple[int, int, dt.datetime]
_SCHEMAS: dict[int, tuple[_Stamp, FormSchema]] = {}


def _cache_schema(version_id: int, stamp: _Stamp, raw: dict[str, Any]) -> FormSchema:
    if len(_SCHEMAS) > 1000:
        _SCHEMAS.clear()
    schema = FormSchema.model_validate(raw)
    _SCHEMAS[version_id] = (stamp, schema)
    return schema


def version_schema(version: FormVersion) -> FormSchema:
    """A version's parsed schema."""
    stamp = (version.form_id, version.number, version.published_at)
    cached = _SCHEMAS.get(version.id)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    return _cache_schema(version.id, stamp, version.schema)


async def _schema_of(session: AsyncSession, version_id: int, stamp: _Stamp) -> FormSchema:
    cached = _SCHEMAS.get(version_id)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    raw = (await session.execute(select(FormVersion.schema).where(FormVersion.id == version_id))).scalar_one()
    return _cache_schema(version_id, stamp, raw)


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


class FormSlots(Protocol):
    """A form's id and statistics slots: a Form, or the submit path's lean row."""

    @property
    def id(self) -> int: ...
    @property
    def slots(self) -> dict[str, str]: ...


async def _check_unique(
    session: AsyncSession, form: FormSlots, schema: FormSchema, values: dict[str, Any], exclude: int | None
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
    form: FormSlots,
    schema: FormSchema,
    raw: dict[str, Any],
    exclude: int | None,
) -> tuple[dict[str, Any], DepartmentRef | None, list[str]]:
    """Cleaned values, the submitter's primary department, and the ids of the files attached."""
    defaults, primary = await _defaults(session, actor)
    result = validate_submission(schema, raw, defaults=defaults)
    errors = list(result.errors)
    if not errors:
        errors += await _check_refs(session, actor, result)
        errors += await _check_unique(session, form, schema, result.values, exclude)
    if errors:
        raise AppError("submission_invalid", status_code=422, fields=errors)
    return result.values, primary, [fid for _at, _where, ids, _accept in result.refs.files for fid in ids]


# Every row names every slot, so the rows go in one INSERT (rows naming different columns would
# be split into one statement per shape).
_NO_SLOTS: dict[str, None] = {
    f"{p}{i}": None for p, n in (("t", TEXT_SLOTS), ("n", NUMBER_SLOTS)) for i in range(n)
}


_INSERT_ROWS = insert(cast(Table, SubmissionRow.__table__))
_INSERT_SUBMISSION = insert(cast(Table, Submission.__table__)).returning(Submission.__table__.c.id)


async def _store_rows(
    session: AsyncSession,
    form: FormSlots,
    schema: FormSchema,
    submission: Submission,
    *,
    add_to_rollup: bool = True,
) -> None:
    rows = flatten(schema, form.slots or {}, submission.values)
    await session.execute(
        _INSERT_ROWS,
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
                **_NO_SLOTS,
                **cells,
            }
            for table, index, cells in rows
        ],
    )
    if add_to_rollup:
        await rollup.add(
            session, rollup.summarise(form.id, submission.task_id, [(t, c) for t, _i, c in rows])
        )


async def _share_files(session: AsyncSession, file_ids: list[str], people: set[int]) -> None:
    """Photos and attachments of a submission become readable by those who watch the app (by
    name; viewers through a department or everyone grant do not get them yet)."""
    for file_id in dict.fromkeys(file_ids):
        await files.grant_read(session, file_id, people)


async def watchers(session: AsyncSession, app: AppOwner, extra: Sequence[int] = ()) -> set[int]:
    """Who sees every submission live: the owner, and people granted view_all or manage by name
    (department and everyone grants would fan out to the whole organisation, so those viewers
    see new data on their next fetch)."""
    named = [
        g.person_id
        for g in await app_grants(session, app.id)
        if g.role in ("manage", "view_all") and g.person_id is not None
    ]
    return {app.owner_id, *named, *extra}


@dataclass(frozen=True, slots=True)
class _AppRef:
    id: int
    owner_id: int


@dataclass(frozen=True, slots=True)
class _Target:
    """What submitting needs of a form, read in one statement."""

    id: int
    app: _AppRef
    status: str
    version_id: int | None
    stamp: _Stamp | None
    slots: dict[str, str]


# The form, its app's owner, its published version's number and the app's grants (one row per
# grant) in one statement: submitting is the hot path of a collection, and each statement
# costs more in SQLAlchemy and the driver than in SQLite.
_SUBMIT_TARGET = (
    select(
        Form.id,
        Form.app_id,
        Form.status,
        Form.version_id,
        Form.slots,
        FormApp.owner_id,
        FormVersion.number,
        FormVersion.published_at,
        AppGrant.id,
        AppGrant.role,
        AppGrant.person_id,
        AppGrant.department_id,
    )
    .join(FormApp, FormApp.id == Form.app_id)
    .outerjoin(FormVersion, FormVersion.id == Form.version_id)
    .outerjoin(AppGrant, AppGrant.app_id == Form.app_id)
    .where(Form.id == bindparam("form_id"))
)


async def _submit_target(session: AsyncSession, actor: Actor, form_id: int) -> tuple[_Target, list[Role]]:
    """access_form for submitting: the same roles and the same 404, without loading the draft."""
    rows = (await session.execute(_SUBMIT_TARGET, {"form_id": form_id})).all()
    if not rows:
        raise NotFound("form_not_found")
    first = rows[0]
    app_id = first[1]
    grants = [
        AppGrant(id=gid, app_id=app_id, role=role, person_id=pid, department_id=did)
        for *_, gid, role, pid, did in rows
        if gid is not None
    ]
    prime_grants(session, app_id, grants)
    version_id = first[3]
    stamp = (first[0], first[6], first[7]) if version_id is not None and first[6] is not None else None
    target = _Target(
        id=first[0],
        app=_AppRef(id=app_id, owner_id=first[5]),
        status=first[2],
        version_id=version_id,
        stamp=stamp,
        slots=first[4] or {},
    )
    roles = await roles_in(session, actor, target.app)
    if not roles and not await is_assignee(session, actor, target.id):
        raise NotFound("form_not_found")
    return target, roles


async def do_submit(
    session: AsyncSession, actor: Actor, form_id: int, values: dict[str, Any], task_id: int | None = None
) -> SubmissionRead:
    """Check and store a submission; 422 naming every field, nothing stored, when it is wrong."""
    form, roles = await _submit_target(session, actor, form_id)
    app = form.app
    if form.status == "archived":
        raise Conflict("form_archived")
    if form.version_id is None or form.stamp is None:
        raise Conflict("form_not_published")
    version_id = form.version_id
    version_number = form.stamp[1]
    schema = await _schema_of(session, version_id, form.stamp)
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
    clean, primary, file_ids = await _validated(session, actor, form, schema, values, exclude=None)
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
    # A Core INSERT: the unit of work's flush machinery cost more than the statement itself.
    submission.id = (
        await session.execute(
            _INSERT_SUBMISSION,
            {
                "form_id": form.id,
                "version_id": version_id,
                "task_id": submission.task_id,
                "submitter_id": actor.person_id,
                "department_id": submission.department_id,
                "values": clean,
                "late": late,
                "created_at": now,
                "updated_at": now,
            },
        )
    ).scalar_one()
    await _store_rows(session, form, schema, submission)
    recipients = await watchers(session, app, [actor.person_id])
    await _share_files(session, file_ids, recipients)
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
    clean, _primary, file_ids = await _validated(session, actor, form, schema, values, exclude=submission.id)
    submission.values = clean
    submission.updated_at = utcnow()
    await session.execute(delete(SubmissionRow).where(SubmissionRow.submission_id == submission.id))
    await _store_rows(session, form, schema, submission, add_to_rollup=False)
    await _share_files(session, file_ids, await watchers(session, app, [submission.submitter_id]))
    await rollup.rebuild(session, form.id)
    await session.flush()
    await publish(
        session,
        await watchers(session, app, [submission.submitter_id]),
        FormSubmitted(form_id=form.id, submission_id=submission.id, task_id=submission.task_id),
    )
    return submission


async def check_values(
    session: AsyncSession, actor: Actor, schema: FormSchema, raw: dict[str, Any]
) -> tuple[dict[str, Any], DepartmentRef | None]:
    """A schema's checks for another capability that stores its own answers (approvals): the
    cleaned values and the actor's primary department, or a 422 naming every field."""
    defaults, primary = await _defaults(session, actor)
    result = validate_submission(schema, raw, defaults=defaults)
    errors = list(result.errors) or await _check_refs(session, actor, result)
    if errors:
        raise AppError("submission_invalid", status_code=422, fields=errors)
    return result.values, primary
