"""Collection tasks (填报任务): a form sent to people and departments with a deadline.

Each assignee sees the task in their to-do list; the owner sees submitted and missing people by
department, reminds the missing ones in one click, and an automatic reminder goes out
`remind_before_minutes` before the deadline (a periodic job, claimed once per task).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tongban.core import i18n
from tongban.core.db import utcnow
from tongban.core.errors import Invalid, NotFound
from tongban.core.events import publish
from tongban.core.jobs import JobContext, periodic
from tongban.core.permissions import Actor
from tongban.forms.models import CollectionTask, Form, TaskAssignee
from tongban.forms.schemas import (
    AssigneeRead,
    DepartmentProgress,
    TaskChanged,
    TaskCreate,
    TaskDetail,
    TaskRead,
)
from tongban.forms.service import access_form
from tongban.notify.service import notify
from tongban.org import service as org

i18n.register(
    {
        "field.task_no_assignees": (
            "请至少选择一位成员或一个部门",
            "choose at least one person or department",
        ),
        "field.deadline_past": ("截止时间应晚于现在", "must be in the future"),
        "forms.task_assigned": ("新的填报任务：{title}", "New collection task: {title}"),
        "forms.task_assigned_body": (
            "请在 {deadline} 前填写「{form}」",
            "Please fill in “{form}” by {deadline}",
        ),
        "forms.task_reminder": ("请尽快填报：{title}", "Reminder: please fill in {title}"),
        "forms.task_reminder_body": ("「{form}」将于 {deadline} 截止", "“{form}” closes at {deadline}"),
    }
)

CHINA = dt.timezone(dt.timedelta(hours=8))


def _local(moment: dt.datetime) -> str:
    return moment.astimezone(CHINA).strftime("%m-%d %H:%M")


async def _resolve_assignees(session: AsyncSession, actor: Actor, data: TaskCreate) -> dict[int, int | None]:
    """person id -> the department they report for."""
    people: dict[int, int | None] = {}
    if data.department_ids:
        departments = {d.id: d for d in await org.list_departments(session, actor)}
        for index, did in enumerate(data.department_ids):
            dept = departments.get(did)
            if dept is None:
                raise Invalid(f"body.department_ids.{index}", "field.unknown_department")
            if data.department_mode == "reporter" and dept.head_id is not None:
                people.setdefault(dept.head_id, did)
            else:
                # No designated reporter: everyone in the department is asked.
                for pid in await org.department_member_ids(session, did):
                    people.setdefault(pid, did)
    if data.person_ids:
        active = await org.active_ids(session, data.person_ids)
        for index, pid in enumerate(data.person_ids):
            if pid not in active:
                raise Invalid(f"body.person_ids.{index}", "field.unknown_person")
        memberships = await org.memberships_of(session, [p for p in data.person_ids if p not in people])
        for pid, depts in memberships.items():
            primary = next((d.id for d in depts if d.is_primary), depts[0].id if depts else None)
            people.setdefault(pid, primary)
    return people


async def do_create_task(
    session: AsyncSession, actor: Actor, form_id: int, data: TaskCreate
) -> CollectionTask:
    form, _app, _roles = await access_form(session, actor, form_id, "manage")
    if form.status != "published":
        from tongban.core.errors import Conflict

        raise Conflict("form_not_published")
    if data.deadline.tzinfo is None:
        raise Invalid("body.deadline", "field.datetime_type")
    if data.deadline <= utcnow():
        raise Invalid("body.deadline", "field.deadline_past")
    if not data.person_ids and not data.department_ids:
        raise Invalid("body.person_ids", "field.task_no_assignees")
    people = await _resolve_assignees(session, actor, data)
    if not people:
        raise Invalid("body.department_ids", "field.task_no_assignees")
    task = CollectionTask(
        form_id=form.id,
        title=data.title,
        deadline=data.deadline,
        allow_late=data.allow_late,
        remind_before_minutes=data.remind_before_minutes,
        created_by=actor.person_id,
    )
    session.add(task)
    await session.flush()
    session.add_all(
        TaskAssignee(task_id=task.id, person_id=pid, department_id=did) for pid, did in people.items()
    )
    await session.flush()
    await notify(
        session,
        list(people),
        capability="forms",
        title=i18n.t("forms.task_assigned", title=task.title),
        body=i18n.t("forms.task_assigned_body", form=form.name, deadline=_local(task.deadline)),
        link=f"/forms/fill/{form.id}?task={task.id}",
        priority="high",
    )
    await publish(session, {*people, actor.person_id}, TaskChanged(task_id=task.id, form_id=form.id))
    return task


async def _task_read(session: AsyncSession, task: CollectionTask, form: Form, me: int) -> TaskRead:
    total, submitted = (
        await session.execute(
            select(func.count(), func.count(TaskAssignee.submission_id)).where(
                TaskAssignee.task_id == task.id
            )
        )
    ).one()
    mine = (
        await session.execute(
            select(TaskAssignee).where(TaskAssignee.task_id == task.id, TaskAssignee.person_id == me)
        )
    ).scalar_one_or_none()
    return TaskRead(
        id=task.id,
        form_id=form.id,
        form_name=form.name,
        app_id=form.app_id,
        title=task.title,
        deadline=task.deadline,
        allow_late=task.allow_late,
        remind_before_minutes=task.remind_before_minutes,
        created_by=task.created_by,
        created_at=task.created_at,
        total=total,
        submitted=submitted,
        overdue=utcnow() > task.deadline,
        my_submission_id=mine.submission_id if mine else None,
        my_submitted_at=mine.submitted_at if mine else None,
    )


async def list_my_tasks(session: AsyncSession, actor: Actor) -> list[TaskRead]:
    """The caller's to-do list: tasks assigned to them, open ones first, by deadline."""
    rows = (
        await session.execute(
            select(CollectionTask, Form)
            .join(TaskAssignee, TaskAssignee.task_id == CollectionTask.id)
            .join(Form, Form.id == CollectionTask.form_id)
            .where(TaskAssignee.person_id == actor.person_id)
            .order_by(TaskAssignee.submission_id.is_not(None), CollectionTask.deadline)
            .limit(200)
        )
    ).all()
    return [await _task_read(session, task, form, actor.person_id) for task, form in rows]


async def list_form_tasks(session: AsyncSession, actor: Actor, form_id: int) -> list[TaskRead]:
    form, _app, _roles = await access_form(session, actor, form_id, "manage")
    tasks = (
        await session.execute(
            select(CollectionTask).where(CollectionTask.form_id == form.id).order_by(CollectionTask.id.desc())
        )
    ).scalars()
    return [await _task_read(session, t, form, actor.person_id) for t in tasks]


async def access_task(
    session: AsyncSession, actor: Actor, task_id: int, *, manage: bool
) -> tuple[CollectionTask, Form]:
    """A task, for its form's managers; with `manage=False` also for its assignees."""
    task = await session.get(CollectionTask, task_id)
    if task is None:
        raise NotFound("task_not_found")
    try:
        form, _app, roles = await access_form(session, actor, task.form_id)
    except NotFound:
        raise NotFound("task_not_found") from None
    if "manage" in roles:
        return task, form
    if not manage:
        assigned = await session.execute(
            select(TaskAssignee.id).where(
                TaskAssignee.task_id == task.id, TaskAssignee.person_id == actor.person_id
            )
        )
        if assigned.first() is not None:
            return task, form
    raise NotFound("task_not_found")


async def task_detail(session: AsyncSession, actor: Actor, task_id: int) -> TaskDetail:
    """Who has submitted and who has not, by department (the owner's view)."""
    task, form = await access_task(session, actor, task_id, manage=True)
    read = await _task_read(session, task, form, actor.person_id)
    rows = (
        (
            await session.execute(
                select(TaskAssignee).where(TaskAssignee.task_id == task.id).order_by(TaskAssignee.id)
            )
        )
        .scalars()
        .all()
    )
    names = await org.names_of(session, [r.person_id for r in rows])
    dept_names: dict[int, str | None] = {}
    for did in {r.department_id for r in rows if r.department_id}:
        dept_names[did] = await org.department_name(session, did)
    assignees = [
        AssigneeRead(
            person_id=r.person_id,
            name=names.get(r.person_id, ""),
            department_id=r.department_id,
            department_name=dept_names.get(r.department_id) if r.department_id else None,
            submission_id=r.submission_id,
            submitted_at=r.submitted_at,
            late=r.late,
            reminders=r.reminders,
            last_reminded_at=r.last_reminded_at,
        )
        for r in rows
    ]
    progress: dict[int | None, DepartmentProgress] = {}
    for a in assignees:
        item = progress.setdefault(
            a.department_id,
            DepartmentProgress(
                department_id=a.department_id, department_name=a.department_name, submitted=0, missing=0
            ),
        )
        if a.submission_id is not None:
            item.submitted += 1
        else:
            item.missing += 1
    return TaskDetail(**read.model_dump(), assignees=assignees, by_department=list(progress.values()))


async def _remind(session: AsyncSession, task: CollectionTask, form: Form) -> int:
    missing = (
        (
            await session.execute(
                select(TaskAssignee).where(
                    TaskAssignee.task_id == task.id, TaskAssignee.submission_id.is_(None)
                )
            )
        )
        .scalars()
        .all()
    )
    if not missing:
        return 0
    now = utcnow()
    await session.execute(
        update(TaskAssignee)
        .where(TaskAssignee.id.in_([a.id for a in missing]))
        .values(reminders=TaskAssignee.reminders + 1, last_reminded_at=now)
    )
    await notify(
        session,
        [a.person_id for a in missing],
        capability="forms",
        title=i18n.t("forms.task_reminder", title=task.title),
        body=i18n.t("forms.task_reminder_body", form=form.name, deadline=_local(task.deadline)),
        link=f"/forms/fill/{form.id}?task={task.id}",
        priority="high",
    )
    await publish(session, {task.created_by}, TaskChanged(task_id=task.id, form_id=form.id))
    return len(missing)


async def do_remind(session: AsyncSession, actor: Actor, task_id: int) -> int:
    """Remind everyone who has not submitted yet; returns how many were reminded."""
    task, form = await access_task(session, actor, task_id, manage=True)
    return await _remind(session, task, form)


async def remind_due(session: AsyncSession, now: dt.datetime | None = None) -> int:
    """Send the automatic reminder of every task whose reminder time has come (once per task)."""
    now = now or utcnow()
    tasks = (
        (
            await session.execute(
                select(CollectionTask).where(
                    CollectionTask.auto_reminded_at.is_(None),
                    CollectionTask.deadline > now,
                    CollectionTask.remind_before_minutes > 0,
                )
            )
        )
        .scalars()
        .all()
    )
    sent = 0
    for task in tasks:
        if task.deadline - dt.timedelta(minutes=task.remind_before_minutes) > now:
            continue
        # Claim the task first: a second worker running the same minute updates no row and skips it.
        claimed = await session.execute(
            update(CollectionTask)
            .where(CollectionTask.id == task.id, CollectionTask.auto_reminded_at.is_(None))
            .values(auto_reminded_at=now)
        )
        if getattr(claimed, "rowcount", 0) != 1:
            continue
        form = await session.get(Form, task.form_id)
        if form is not None:
            sent += await _remind(session, task, form)
    return sent


@periodic("* * * * *", name="forms.remind_before_deadline")
async def remind_before_deadline(ctx: JobContext) -> None:
    """Every minute: the automatic reminders of tasks nearing their deadline."""
    await remind_due(ctx.session)
