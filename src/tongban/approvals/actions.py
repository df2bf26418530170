"""What people do to a request: approvers approve, reject, return, transfer and add signers;
submitters withdraw, urge and resubmit; anyone sets a delegation while away.

Each action locks the request first, then re-reads the task: the lock is what makes "exactly one
or-sign decision counts" hold when two approvers press the button at the same moment."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from tongban.approvals import flow as flow_lang
from tongban.approvals.engine import Run, lock_request, nodes_of, record, tasks_of
from tongban.approvals.models import ApprovalAction, ApprovalDelegation, ApprovalRequest, ApprovalTask
from tongban.approvals.schemas import (
    AddSignerBody,
    ApprovalActionBody,
    DelegationWrite,
    ReturnBody,
    TransferBody,
)
from tongban.approvals.service import _check_picks, resolve_plan, values_diff, version_of
from tongban.core import i18n
from tongban.core.db import utcnow
from tongban.core.errors import AppError, Conflict, Forbidden, Invalid, NotFound
from tongban.core.permissions import Actor
from tongban.files import service as files
from tongban.forms.submissions import check_values
from tongban.notify import service as notify
from tongban.org import service as org

URGE_EVERY = dt.timedelta(minutes=10)
DECISIONS = frozenset({"approve", "reject", "return", "transfer", "add_signer", "handle"})

i18n.register(
    {
        "approval_task_not_found": ("找不到该审批任务", "No such approval task"),
        "approval_task_not_yours": ("这不是你的审批任务", "This approval task is not yours"),
        "approval_task_closed": (
            "该审批任务已处理或已结束（{status}），不能再操作",
            "This approval task is no longer open ({status}); nothing was changed",
        ),
        "approval_handler_cannot_reject": ("办理节点不能拒绝", "A handler step cannot be rejected"),
        "approval_not_submitter": ("只有发起人可以这样做", "Only the submitter can do this"),
        "approval_not_pending": ("该审批已结束", "This request is no longer in progress"),
        "approval_already_decided": (
            "已有人处理过该审批，不能撤回",
            "Someone has already acted on this request, so it cannot be withdrawn",
        ),
        "approval_not_returned": (
            "只有被退回的审批可以重新提交",
            "Only a returned request can be resubmitted",
        ),
        "approval_urge_too_soon": (
            "催办过于频繁，请 {minutes} 分钟后再试",
            "You urged recently; try again in {minutes} minutes",
        ),
        "approvals.notify_urge": ("{name} 催你审批：{title}", "{name} asks you to act on: {title}"),
        "field.approvals_bad_node": ("不能退回到这个节点", "cannot return to this node"),
        "field.approvals_bad_person": ("不是可以加入的成员", "is not someone who can be added here"),
        "field.approvals_bad_signature": ("签名应为已上传的图片", "must be an uploaded image"),
        "field.approvals_bad_file": ("不是你可以使用的文件", "is not a file you can use"),
        "field.approvals_bad_dates": ("结束日期不能早于开始日期", "must not be before the start date"),
    }
)


async def _files(session: AsyncSession, actor: Actor, body: ApprovalActionBody) -> list[str]:
    ids: list[str] = []
    if body.signature_file_id is not None:
        try:
            file = await files.access_file(session, actor, body.signature_file_id)
        except AppError:
            raise Invalid("signature_file_id", "field.approvals_bad_signature") from None
        if not file.content_type.startswith("image/"):
            raise Invalid("signature_file_id", "field.approvals_bad_signature")
        ids.append(file.id)
    for index, file_id in enumerate(body.attachments):
        try:
            await files.access_file(session, actor, file_id)
        except AppError:
            raise Invalid(f"attachments.{index}", "field.approvals_bad_file") from None
        ids.append(file_id)
    return ids


async def _open_task(
    session: AsyncSession, actor: Actor, task_id: int
) -> tuple[ApprovalRequest, ApprovalTask]:
    request_id = (
        await session.execute(select(ApprovalTask.request_id).where(ApprovalTask.id == task_id))
    ).scalar_one_or_none()
    if request_id is None:
        raise NotFound("approval_task_not_found")
    request = await lock_request(session, request_id)
    stmt = select(ApprovalTask).where(ApprovalTask.id == task_id).execution_options(populate_existing=True)
    task = (await session.execute(stmt)).scalar_one()
    if task.assignee_id != actor.person_id:
        raise Forbidden("approval_task_not_yours")
    if task.status != "open" or request.status != "pending":
        raise Conflict("approval_task_closed", status=task.status)
    return request, task


async def _share_files(run: Run, file_ids: list[str]) -> None:
    """Everyone on the request may read its signatures and attachments."""
    if file_ids:
        run.request.file_ids = list(dict.fromkeys([*(run.request.file_ids or []), *file_ids]))
    people = set(run.touched)
    for t in await tasks_of(run.session, run.request.id):
        people.add(t.assignee_id)
    for file_id in run.request.file_ids or []:
        await files.grant_read(run.session, file_id, people)


async def decide(
    session: AsyncSession, actor: Actor, task_id: int, verdict: str, body: ApprovalActionBody
) -> ApprovalRequest:
    """approve (or, on a handler node, handled) / reject."""
    request, task = await _open_task(session, actor, task_id)
    file_ids = await _files(session, actor, body)
    run = Run(session, request)
    kind = verdict
    if task.kind == "handle":
        if verdict == "reject":
            raise Conflict("approval_handler_cannot_reject")
        kind = "handle"
    task.status = {"approve": "approved", "handle": "handled", "reject": "rejected"}[kind]
    task.decided_at = run.now
    record(
        session,
        request,
        kind,
        actor.person_id,
        task=task,
        comment=body.comment,
        signature_file_id=body.signature_file_id,
        attachments=body.attachments,
        now=run.now,
    )
    if kind == "reject":
        await run.finish("rejected")
    else:
        await run.node_progress(task)
    await _share_files(run, file_ids)
    await run.deliver()
    return request


async def do_return(session: AsyncSession, actor: Actor, task_id: int, body: ReturnBody) -> ApprovalRequest:
    request, task = await _open_task(session, actor, task_id)
    file_ids = await _files(session, actor, body)
    run = Run(session, request)
    task.status, task.decided_at = "returned", run.now
    if body.node_id is None:
        record(
            session,
            request,
            "return",
            actor.person_id,
            task=task,
            comment=body.comment,
            signature_file_id=body.signature_file_id,
            attachments=body.attachments,
            data={"to": None},
            now=run.now,
        )
        await run.finish("returned")
    else:
        if body.node_id not in {n["id"] for n in returnable(request, task.node_id)}:
            raise Invalid("node_id", "field.approvals_bad_node")
        keep = flow_lang.before(request.plan, body.node_id) & set(request.done)
        record(
            session,
            request,
            "return",
            actor.person_id,
            task=task,
            comment=body.comment,
            signature_file_id=body.signature_file_id,
            attachments=body.attachments,
            data={"to": body.node_id},
            now=run.now,
        )
        await run.close_open()
        request.done = [n for n in request.done if n in keep]
        await run.advance()
    await _share_files(run, file_ids)
    await run.deliver()
    return request


def returnable(request: ApprovalRequest, current: str) -> list[dict[str, Any]]:
    """Finished approver/handler nodes on the way to `current`: where it can be sent back to."""
    earlier = flow_lang.before(request.plan, current)
    return [
        n
        for n in flow_lang.plan_nodes(request.plan)
        if n["id"] in earlier and n["id"] in request.done and n["type"] != "cc" and n.get("people")
    ]


async def _check_person(
    session: AsyncSession, request: ApprovalRequest, person_id: int, node_id: str
) -> None:
    if person_id == request.submitter_id or not await org.active_ids(session, [person_id]):
        raise Invalid("person_id", "field.approvals_bad_person")
    busy = [t for t in await tasks_of(session, request.id, node_id) if t.status in ("open", "waiting")]
    if any(t.assignee_id == person_id for t in busy):
        raise Invalid("person_id", "field.approvals_bad_person")


async def do_transfer(
    session: AsyncSession, actor: Actor, task_id: int, body: TransferBody
) -> ApprovalRequest:
    request, task = await _open_task(session, actor, task_id)
    await _check_person(session, request, body.person_id, task.node_id)
    file_ids = await _files(session, actor, body)
    run = Run(session, request)
    task.status, task.decided_at = "transferred", run.now
    node = nodes_of(request)[task.node_id]
    new = await run.new_task(
        node, body.person_id, seq=task.seq, status="open", waits_for=task.waits_for, added_by=actor.person_id
    )
    for t in await tasks_of(session, request.id, task.node_id):
        if t.waits_for == task.id:
            t.waits_for = new.id
    record(
        session,
        request,
        "transfer",
        actor.person_id,
        task=task,
        comment=body.comment,
        attachments=body.attachments,
        data={"to": body.person_id, "to_task": new.id},
        now=run.now,
    )
    await _share_files(run, file_ids)
    await run.deliver()
    return request


async def do_add_signer(
    session: AsyncSession, actor: Actor, task_id: int, body: AddSignerBody
) -> ApprovalRequest:
    """加签: someone approves before me (my task waits for theirs) or after me (theirs waits for mine)."""
    request, task = await _open_task(session, actor, task_id)
    await _check_person(session, request, body.person_id, task.node_id)
    file_ids = await _files(session, actor, body)
    run = Run(session, request)
    node = nodes_of(request)[task.node_id]
    if body.position == "before":
        new = await run.new_task(node, body.person_id, seq=task.seq, status="open", added_by=actor.person_id)
        task.status, task.waits_for, task.opened_at = "waiting", new.id, None
    else:
        new = await run.new_task(
            node, body.person_id, seq=task.seq, status="waiting", waits_for=task.id, added_by=actor.person_id
        )
    record(
        session,
        request,
        "add_signer",
        actor.person_id,
        task=task,
        comment=body.comment,
        attachments=body.attachments,
        data={"person": body.person_id, "position": body.position},
        now=run.now,
    )
    await _share_files(run, file_ids)
    await run.deliver()
    return request


async def _own_request(session: AsyncSession, actor: Actor, request_id: int) -> ApprovalRequest:
    request = await lock_request(session, request_id)
    if request.submitter_id != actor.person_id:
        raise Forbidden("approval_not_submitter")
    return request


async def do_withdraw(session: AsyncSession, actor: Actor, request_id: int) -> ApprovalRequest:
    request = await _own_request(session, actor, request_id)
    if request.status not in ("pending", "returned"):
        raise Conflict("approval_not_pending")
    if request.status == "pending" and await _decided(session, request):
        raise Conflict("approval_already_decided")
    run = Run(session, request)
    record(session, request, "withdraw", actor.person_id, now=run.now)
    await run.finish("withdrawn")
    await run.deliver()
    return request


async def _decided(session: AsyncSession, request: ApprovalRequest) -> bool:
    """Has anyone acted since the last (re)submission?"""
    rows = (
        await session.execute(
            select(ApprovalAction.kind)
            .where(ApprovalAction.request_id == request.id)
            .order_by(ApprovalAction.seq)
        )
    ).scalars()
    decided = False
    for kind in rows:
        if kind == "resubmit":
            decided = False
        elif kind in DECISIONS:
            decided = True
    return decided


async def do_urge(session: AsyncSession, actor: Actor, request_id: int) -> int:
    request = await _own_request(session, actor, request_id)
    if request.status != "pending":
        raise Conflict("approval_not_pending")
    now = utcnow()
    if request.last_urged_at is not None and now - request.last_urged_at < URGE_EVERY:
        wait = URGE_EVERY - (now - request.last_urged_at)
        raise AppError(
            "approval_urge_too_soon", status_code=429, minutes=max(1, int(wait.total_seconds() // 60) + 1)
        )
    request.last_urged_at = now
    people = [t.assignee_id for t in await tasks_of(session, request.id) if t.status == "open"]
    record(session, request, "urge", actor.person_id, data={"people": people}, now=now)
    await notify.notify(
        session,
        people,
        capability="approvals",
        title=i18n.t("approvals.notify_urge", name=actor.name, title=request.title),
        link=f"/approvals/requests/{request.id}",
        priority="high",
    )
    return len(people)


async def do_resubmit(
    session: AsyncSession, actor: Actor, request_id: int, raw: dict[str, Any], picks: dict[str, list[int]]
) -> ApprovalRequest:
    """After a return to the submitter: edited values (the diff goes in the timeline), the
    conditions decided again, and the flow runs from its first node."""
    request = await _own_request(session, actor, request_id)
    if request.status != "returned":
        raise Conflict("approval_not_returned")
    from tongban.approvals.service import get_template

    template = await get_template(session, request.template_id)
    _, schema, flow = await version_of(session, request.version_id)
    values, _ = await check_values(session, actor, schema, raw)
    await _check_picks(session, picks)
    plan = await resolve_plan(session, actor, template, schema, flow, values, picks or request.picks)
    run = Run(session, request)
    record(
        session,
        request,
        "resubmit",
        actor.person_id,
        data={"diff": values_diff(request.values, values)},
        now=run.now,
    )
    request.values, request.plan, request.done, request.status = values, plan, [], "pending"
    request.picks = picks or request.picks
    request.updated_at = run.now
    await run.advance()
    await run.deliver()
    return request


async def do_reassign(session: AsyncSession, actor: Actor, from_id: int, to_id: int) -> int:
    """Admin: the open tasks of someone who left go to someone else (recorded as transfers)."""
    actor.require_org_admin()
    if not await org.active_ids(session, [to_id]):
        raise Invalid("to_id", "field.approvals_bad_person")
    ids = (
        (
            await session.execute(
                select(ApprovalTask.id).where(
                    ApprovalTask.assignee_id == from_id, ApprovalTask.status.in_(("open", "waiting"))
                )
            )
        )
        .scalars()
        .all()
    )
    for task_id in ids:
        task = await session.get(ApprovalTask, task_id)
        assert task is not None
        request = await lock_request(session, task.request_id)
        run = Run(session, request)
        task.assignee_id = to_id
        run.touched.add(to_id)
        if task.status == "open":
            run.new_tasks.append(task)
        record(
            session,
            request,
            "transfer",
            actor.person_id,
            task=task,
            data={"to": to_id, "from": from_id, "admin": True},
            now=run.now,
        )
        await run.deliver()
    return len(ids)


async def get_delegation(session: AsyncSession, actor: Actor) -> ApprovalDelegation | None:
    return (
        await session.execute(
            select(ApprovalDelegation).where(ApprovalDelegation.person_id == actor.person_id)
        )
    ).scalar_one_or_none()


async def set_delegation(session: AsyncSession, actor: Actor, data: DelegationWrite) -> ApprovalDelegation:
    if data.delegate_id == actor.person_id or not await org.active_ids(session, [data.delegate_id]):
        raise Invalid("delegate_id", "field.approvals_bad_person")
    if data.ends_on < data.starts_on:
        raise Invalid("ends_on", "field.approvals_bad_dates")
    await clear_delegation(session, actor)
    row = ApprovalDelegation(
        person_id=actor.person_id,
        delegate_id=data.delegate_id,
        starts_on=data.starts_on,
        ends_on=data.ends_on,
    )
    session.add(row)
    await session.flush()
    return row


async def clear_delegation(session: AsyncSession, actor: Actor) -> None:
    await session.execute(delete(ApprovalDelegation).where(ApprovalDelegation.person_id == actor.person_id))
