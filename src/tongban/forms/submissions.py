"""Submitting and correcting submissions: checked against their version (checks.py), stored with
their flattened rows (rows.py), announced to the app's watchers after commit. Reading them
within the caller's scope is reads.py."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Table, bindparam, delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from tongban.core import i18n
from tongban.core.db import utcnow
from tongban.core.errors import Conflict, Forbidden, NotFound
from tongban.core.events import publish
from tongban.core.permissions import Actor
from tongban.files import service as files
from tongban.forms import rollup
from tongban.forms.checks import check_values, validated
from tongban.forms.models import (
    AppGrant,
    CollectionTask,
    Form,
    FormApp,
    FormVersion,
    Submission,
    SubmissionRow,
    TaskAssignee,
)
from tongban.forms.reads import access_submission
from tongban.forms.rows import store_rows
from tongban.forms.schemas import FormSubmitted, Role, SubmissionRead, TaskChanged
from tongban.forms.service import AppOwner, app_grants, is_assignee, prime_grants, roles_in
from tongban.forms.versions import _schema_of, _Stamp, version_schema

# check_values is the schema's checks for approvals, which imports it from here.
__all__ = ["check_values", "do_submit", "do_update_submission", "watchers"]

i18n.register(
    {
        "not_assigned": ("你不在该填报任务的名单中", "You are not assigned to this collection task"),
        "not_allowed_to_submit": ("你没有填写该表单的权限", "You may not submit this form"),
        "task_not_found": ("找不到该填报任务", "No such collection task"),
        "task_closed": (
            "填报已于 {deadline} 截止，不再接受迟交",
            "This collection closed at {deadline} and takes no late submissions",
        ),
    }
)

_INSERT_SUBMISSION = insert(cast(Table, Submission.__table__)).returning(Submission.__table__.c.id)


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
    clean, primary, file_ids = await validated(session, actor, form, schema, values, exclude=None)
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
    await store_rows(session, form, schema, submission)
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
    clean, _primary, file_ids = await validated(session, actor, form, schema, values, exclude=submission.id)
    submission.values = clean
    submission.updated_at = utcnow()
    await session.execute(delete(SubmissionRow).where(SubmissionRow.submission_id == submission.id))
    await store_rows(session, form, schema, submission, add_to_rollup=False)
    await _share_files(session, file_ids, await watchers(session, app, [submission.submitter_id]))
    await rollup.rebuild(session, form.id)
    await session.flush()
    await publish(
        session,
        await watchers(session, app, [submission.submitter_id]),
        FormSubmitted(form_id=form.id, submission_id=submission.id, task_id=submission.task_id),
    )
    return submission
