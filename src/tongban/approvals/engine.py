"""Running a request: opening the tasks of the nodes that are due, deciding when a node is
done (依次 / 会签 / 或签, with added signers), and ending the request.

Every change to a request happens with its row locked (`lock_request`), so two approvers acting
at once on an or-sign node are serialised: the second finds its task already closed and gets a
409. On SQLite write transactions are serialised anyway (BEGIN IMMEDIATE)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tongban.approvals import flow as flow_lang
from tongban.approvals.models import (
    ApprovalAction,
    ApprovalCc,
    ApprovalDelegation,
    ApprovalRequest,
    ApprovalTask,
)
from tongban.approvals.schemas import ApprovalChanged
from tongban.core import i18n
from tongban.core.db import utcnow
from tongban.core.errors import NotFound
from tongban.core.events import publish
from tongban.notify import service as notify

OPEN = ("open", "waiting")

i18n.register(
    {
        "request_not_found": ("找不到该审批", "No such approval request"),
        "approvals.notify_task": ("待你审批：{title}", "Waiting for your approval: {title}"),
        "approvals.notify_handle": ("待你办理：{title}", "Waiting for you to handle: {title}"),
        "approvals.notify_cc": ("抄送给你：{title}", "CC to you: {title}"),
        "approvals.notify_done": ("你的审批「{title}」{status}", "Your request “{title}” was {status}"),
        "approvals.status.approved": ("已通过", "approved"),
        "approvals.status.rejected": ("已拒绝", "rejected"),
        "approvals.status.returned": ("已退回", "returned"),
    }
)


async def lock_request(session: AsyncSession, request_id: int) -> ApprovalRequest:
    stmt = select(ApprovalRequest).where(ApprovalRequest.id == request_id).with_for_update()
    request = (await session.execute(stmt.execution_options(populate_existing=True))).scalar_one_or_none()
    if request is None:
        raise NotFound("request_not_found")
    return request


def nodes_of(request: ApprovalRequest) -> dict[str, dict[str, Any]]:
    return {n["id"]: n for n in flow_lang.plan_nodes(request.plan)}


def record(
    session: AsyncSession,
    request: ApprovalRequest,
    kind: str,
    actor_id: int | None,
    *,
    node_id: str | None = None,
    task: ApprovalTask | None = None,
    comment: str = "",
    signature_file_id: str | None = None,
    attachments: list[str] | None = None,
    data: dict[str, Any] | None = None,
    now: dt.datetime | None = None,
) -> ApprovalAction:
    request.action_seq += 1
    action = ApprovalAction(
        request_id=request.id,
        seq=request.action_seq,
        kind=kind,
        actor_id=actor_id,
        on_behalf_of=task.on_behalf_of if task is not None else None,
        node_id=node_id or (task.node_id if task is not None else None),
        task_id=task.id if task is not None else None,
        comment=comment,
        signature_file_id=signature_file_id,
        attachments=attachments or [],
        data=data or {},
        created_at=now or utcnow(),
    )
    session.add(action)
    return action


async def tasks_of(session: AsyncSession, request_id: int, node_id: str | None = None) -> list[ApprovalTask]:
    stmt = select(ApprovalTask).where(ApprovalTask.request_id == request_id)
    if node_id is not None:
        stmt = stmt.where(ApprovalTask.node_id == node_id)
    return list((await session.execute(stmt.order_by(ApprovalTask.seq, ApprovalTask.id))).scalars())


async def delegate_for(session: AsyncSession, person_id: int, today: dt.date) -> int | None:
    row = (
        await session.execute(
            select(ApprovalDelegation.delegate_id).where(
                ApprovalDelegation.person_id == person_id,
                ApprovalDelegation.starts_on <= today,
                ApprovalDelegation.ends_on >= today,
            )
        )
    ).scalar_one_or_none()
    return row


def _line(tasks: list[ApprovalTask], task: ApprovalTask) -> set[int]:
    """The ids of the tasks joined to `task` by waiting for one another (加签 before/after,
    transfers keep the link), in either direction."""
    linked: dict[int, set[int]] = {t.id: set() for t in tasks}
    for t in tasks:
        if t.waits_for is not None and t.waits_for in linked:
            linked[t.id].add(t.waits_for)
            linked[t.waits_for].add(t.id)
    seen, todo = {task.id}, [task.id]
    while todo:
        for other in linked.get(todo.pop(), set()) - seen:
            seen.add(other)
            todo.append(other)
    return seen


class Run:
    """One transaction's work on one request: who to notify and tell, collected as it goes."""

    def __init__(self, session: AsyncSession, request: ApprovalRequest) -> None:
        self.session, self.request = session, request
        self.now = utcnow()
        self.touched: set[int] = {request.submitter_id}
        self.new_tasks: list[ApprovalTask] = []
        self.new_cc: list[int] = []
        self.finished = False

    async def new_task(
        self,
        node: dict[str, Any],
        person_id: int,
        *,
        seq: int,
        status: str,
        waits_for: int | None = None,
        added_by: int | None = None,
    ) -> ApprovalTask:
        delegate = await delegate_for(self.session, person_id, self.now.date())
        task = ApprovalTask(
            request_id=self.request.id,
            node_id=node["id"],
            kind="handle" if node["type"] == "handler" else "approve",
            mode=node.get("mode", "sequence"),
            seq=seq,
            assignee_id=delegate or person_id,
            on_behalf_of=person_id if delegate else None,
            status=status,
            waits_for=waits_for,
            added_by=added_by,
            opened_at=self.now if status == "open" else None,
            due_at=self._due(node) if status == "open" else None,
            created_at=self.now,
        )
        self.session.add(task)
        await self.session.flush()
        self.touched.add(task.assignee_id)
        if status == "open":
            self.new_tasks.append(task)
        return task

    def _due(self, node: dict[str, Any]) -> dt.datetime | None:
        hours = node.get("time_limit_hours")
        return self.now + dt.timedelta(hours=hours) if hours else None

    def open(self, task: ApprovalTask, node: dict[str, Any]) -> None:
        task.status, task.opened_at, task.due_at = "open", self.now, self._due(node)
        self.touched.add(task.assignee_id)
        self.new_tasks.append(task)

    async def advance(self) -> None:
        """Start every node that is due; skip empty ones and pass CC nodes; end when all done."""
        request = self.request
        nodes = nodes_of(request)
        while request.status == "pending":
            front = flow_lang.frontier(request.plan, set(request.done))
            if not front:
                await self.finish("approved")
                return
            progressed = False
            running = {t.node_id for t in await tasks_of(self.session, request.id) if t.status in OPEN}
            for node_id in front:
                if node_id in running:
                    continue
                node = nodes[node_id]
                people: list[int] = node.get("people", [])
                if node["type"] == "cc":
                    await self._cc(node, people)
                elif not people:
                    record(self.session, request, "skip", None, node_id=node_id, now=self.now)
                else:
                    sequential = node["type"] == "handler" or node.get("mode") == "sequence"
                    for index, pid in enumerate(people):
                        first = index == 0 or not sequential
                        await self.new_task(node, pid, seq=index, status="open" if first else "waiting")
                    continue
                request.done = [*request.done, node_id]
                progressed = True
            if not progressed:
                return

    async def _cc(self, node: dict[str, Any], people: list[int]) -> None:
        known = set(
            (
                await self.session.execute(
                    select(ApprovalCc.person_id).where(ApprovalCc.request_id == self.request.id)
                )
            ).scalars()
        )
        fresh = [p for p in people if p not in known]
        for pid in fresh:
            self.session.add(ApprovalCc(request_id=self.request.id, person_id=pid, node_id=node["id"]))
        self.new_cc.extend(fresh)
        self.touched.update(fresh)
        record(
            self.session, self.request, "cc", None, node_id=node["id"], data={"people": fresh}, now=self.now
        )

    async def node_progress(self, decided: ApprovalTask) -> None:
        """After `decided` was approved or handled: open who waited for it, or finish its node."""
        request = self.request
        node = nodes_of(request)[decided.node_id]
        tasks = await tasks_of(self.session, request.id, decided.node_id)
        waiters = [t for t in tasks if t.status == "waiting" and t.waits_for == decided.id]
        or_sign = decided.mode == "any" and node["type"] == "approver"
        if or_sign:
            # 或签: the first approval decides the node for its line (the approver with the
            # signers added before or after them, or whoever it was transferred to); every
            # other approver's task closes now, not when the line ends: otherwise a second
            # approver could still approve while an added signer is on their turn.
            line = _line(tasks, decided)
            for t in tasks:
                if t.status in OPEN and t.id not in line:
                    t.status, t.decided_at = "closed", self.now
                    self.touched.add(t.assignee_id)
        if waiters:
            for t in waiters:
                self.open(t, node)
            return
        if or_sign:
            for t in tasks:
                if t.status in OPEN and t.id != decided.id:
                    t.status, t.decided_at = "closed", self.now
                    self.touched.add(t.assignee_id)
        elif any(t.status == "open" for t in tasks):
            return
        else:
            queued = [t for t in tasks if t.status == "waiting" and t.waits_for is None]
            if queued:
                self.open(queued[0], node)
                return
            if any(t.status == "waiting" for t in tasks):
                return
        request.done = [*request.done, decided.node_id]
        await self.advance()

    async def close_open(self, node_ids: set[str] | None = None) -> None:
        for t in await tasks_of(self.session, self.request.id):
            if t.status in OPEN and (node_ids is None or t.node_id in node_ids):
                t.status, t.decided_at = "closed", self.now
                self.touched.add(t.assignee_id)

    async def finish(self, status: str) -> None:
        request = self.request
        await self.close_open()
        request.status = status
        request.updated_at = self.now
        if status != "returned":
            request.finished_at = self.now
        self.finished = True

    async def deliver(self) -> None:
        """Events, notifications and the chat card: once per transaction, at its end."""
        request = self.request
        session = self.session
        link = f"/approvals/requests/{request.id}"
        for task in self.new_tasks:
            if task.status != "open":
                continue
            code = "approvals.notify_handle" if task.kind == "handle" else "approvals.notify_task"
            await notify.notify(
                session,
                [task.assignee_id],
                capability="approvals",
                title=i18n.t(code, title=request.title),
                link=link,
                priority="high",
            )
        if self.new_cc:
            await notify.notify(
                session,
                self.new_cc,
                capability="approvals",
                title=i18n.t("approvals.notify_cc", title=request.title),
                link=link,
            )
        if self.finished and request.status in ("approved", "rejected", "returned"):
            await notify.notify(
                session,
                [request.submitter_id],
                capability="approvals",
                title=i18n.t(
                    "approvals.notify_done",
                    title=request.title,
                    status=i18n.t(f"approvals.status.{request.status}"),
                ),
                link=link,
            )
        await publish(session, sorted(self.touched), ApprovalChanged(request_id=request.id))
        from tongban.approvals.cards import refresh_card

        await refresh_card(session, request)
