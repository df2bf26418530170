"""Reading requests within the caller's scope: the four inbox tabs, counts and the detail page.

Who may read a request: its submitter, anyone who holds or held a task on it, its CC
recipients, the template's admins and org admins."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from sqlalchemy import exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tongban.approvals import flow as flow_lang
from tongban.approvals.actions import URGE_EVERY, _decided, returnable
from tongban.approvals.engine import nodes_of, tasks_of
from tongban.approvals.models import (
    ApprovalAction,
    ApprovalCc,
    ApprovalRequest,
    ApprovalTask,
    ApprovalTemplate,
)
from tongban.approvals.schemas import (
    ActionRead,
    ApprovalCounts,
    ApprovalTaskRead,
    PersonName,
    RequestPage,
    RequestRead,
    RequestSummary,
    RouteNode,
)
from tongban.approvals.service import can_manage, version_of
from tongban.core import i18n
from tongban.core.db import utcnow
from tongban.core.errors import NotFound
from tongban.core.permissions import Actor
from tongban.org import service as org

Box = Literal["pending", "processed", "submitted", "cc"]
PAGE = 30


def _label(name: dict[str, str]) -> str:
    return name.get("en") or name["zh"] if i18n.current_locale.get() == "en-US" else name["zh"]


async def access_request(session: AsyncSession, actor: Actor, request_id: int) -> ApprovalRequest:
    request = await session.get(ApprovalRequest, request_id)
    if request is None:
        raise NotFound("request_not_found")
    if request.submitter_id == actor.person_id or actor.is_org_admin:
        return request
    me = actor.person_id
    involved = (
        await session.execute(
            select(
                exists().where(ApprovalTask.request_id == request.id, ApprovalTask.assignee_id == me)
                | exists().where(ApprovalCc.request_id == request.id, ApprovalCc.person_id == me)
            )
        )
    ).scalar_one()
    if involved:
        return request
    template = await session.get(ApprovalTemplate, request.template_id)
    if template is not None and can_manage(actor, template):
        return request
    raise NotFound("request_not_found")


async def _summaries(
    session: AsyncSession, rows: Sequence[ApprovalRequest], my_tasks: dict[int, int] | None = None
) -> list[RequestSummary]:
    if not rows:
        return []
    ids = [r.id for r in rows]
    waiting = (
        await session.execute(
            select(ApprovalTask.request_id, ApprovalTask.assignee_id).where(
                ApprovalTask.request_id.in_(ids), ApprovalTask.status == "open"
            )
        )
    ).all()
    template_ids = {r.template_id for r in rows}
    templates = {
        tid: (zh, en)
        for tid, zh, en in (
            await session.execute(
                select(ApprovalTemplate.id, ApprovalTemplate.name, ApprovalTemplate.name_en).where(
                    ApprovalTemplate.id.in_(template_ids)
                )
            )
        )
    }
    names = await org.names_of(session, {r.submitter_id for r in rows} | {a for _, a in waiting})
    current: dict[int, list[str]] = {}
    for rid, pid in waiting:
        current.setdefault(rid, []).append(names.get(pid, ""))
    en = i18n.current_locale.get() == "en-US"
    return [
        RequestSummary(
            id=r.id,
            template_id=r.template_id,
            template_name=(templates[r.template_id][1] or templates[r.template_id][0])
            if en
            else templates[r.template_id][0],
            title=r.title,
            submitter=PersonName(id=r.submitter_id, name=names.get(r.submitter_id, "")),
            status=r.status,
            created_at=r.created_at,
            updated_at=r.updated_at,
            finished_at=r.finished_at,
            current=current.get(r.id, []),
            my_task_id=(my_tasks or {}).get(r.id),
        )
        for r in rows
    ]


async def list_box(
    session: AsyncSession,
    actor: Actor,
    box: Box,
    *,
    q: str = "",
    status: str | None = None,
    cursor: int | None = None,
) -> RequestPage:
    """One inbox tab, newest first, `PAGE` at a time; `cursor` is the last id of the page before."""
    me = actor.person_id
    my_tasks: dict[int, int] = {}
    if box == "pending":
        # The hot list: one indexed range over (assignee, status, id), then the requests by id.
        stmt = select(ApprovalTask.id, ApprovalTask.request_id).where(
            ApprovalTask.assignee_id == me, ApprovalTask.status == "open"
        )
        if cursor is not None:
            stmt = stmt.where(ApprovalTask.id < cursor)
        if q:
            stmt = stmt.join(ApprovalRequest, ApprovalRequest.id == ApprovalTask.request_id).where(
                ApprovalRequest.title.contains(q)
            )
        pairs = (await session.execute(stmt.order_by(ApprovalTask.id.desc()).limit(PAGE + 1))).all()
        more = len(pairs) > PAGE
        pairs = pairs[:PAGE]
        my_tasks = {rid: tid for tid, rid in pairs}
        by_id = {
            r.id: r
            for r in (
                await session.execute(select(ApprovalRequest).where(ApprovalRequest.id.in_(my_tasks)))
            ).scalars()
        }
        rows = [by_id[rid] for _, rid in pairs if rid in by_id]
        items = await _summaries(session, rows, my_tasks)
        return RequestPage(items=items, next_cursor=pairs[-1][0] if more and pairs else None)
    stmt2 = select(ApprovalRequest)
    if box == "submitted":
        stmt2 = stmt2.where(ApprovalRequest.submitter_id == me)
    elif box == "processed":
        done = select(ApprovalTask.request_id).where(
            ApprovalTask.assignee_id == me,
            ApprovalTask.status.in_(("approved", "rejected", "returned", "handled", "transferred")),
        )
        stmt2 = stmt2.where(ApprovalRequest.id.in_(done))
    else:
        stmt2 = stmt2.where(
            ApprovalRequest.id.in_(select(ApprovalCc.request_id).where(ApprovalCc.person_id == me))
        )
    if q:
        stmt2 = stmt2.where(ApprovalRequest.title.contains(q))
    if status:
        stmt2 = stmt2.where(ApprovalRequest.status == status)
    if cursor is not None:
        stmt2 = stmt2.where(ApprovalRequest.id < cursor)
    found = list((await session.execute(stmt2.order_by(ApprovalRequest.id.desc()).limit(PAGE + 1))).scalars())
    more = len(found) > PAGE
    found = found[:PAGE]
    return RequestPage(
        items=await _summaries(session, found), next_cursor=found[-1].id if more and found else None
    )


async def counts(session: AsyncSession, actor: Actor) -> ApprovalCounts:
    pending = (
        await session.execute(
            select(func.count()).where(
                ApprovalTask.assignee_id == actor.person_id, ApprovalTask.status == "open"
            )
        )
    ).scalar_one()
    unread = (
        await session.execute(
            select(func.count()).where(ApprovalCc.person_id == actor.person_id, ApprovalCc.read_at.is_(None))
        )
    ).scalar_one()
    return ApprovalCounts(pending=pending, cc_unread=unread)


def _route(request: ApprovalRequest, names: dict[int, str]) -> list[RouteNode]:
    out: list[RouteNode] = []

    def visit(plan: list[Any], parallel: str | None) -> None:
        for step in plan:
            if "node" in step:
                n = step["node"]
                people = n.get("people", [])
                out.append(
                    RouteNode(
                        id=n["id"],
                        type=n["type"],
                        name=_label(n["name"]),
                        mode=n.get("mode", "sequence"),
                        people=[PersonName(id=p, name=names.get(p, "")) for p in people],
                        skipped=not people,
                        parallel=parallel,
                    )
                )
            else:
                for branch in step["branches"]:
                    visit(branch, step["parallel"])

    visit(request.plan, None)
    return out


async def request_read(session: AsyncSession, actor: Actor, request_id: int) -> RequestRead:
    request = await access_request(session, actor, request_id)
    _, schema, _ = await version_of(session, request.version_id)
    version_schema = schema.model_dump(mode="json", exclude_defaults=True)
    tasks = await tasks_of(session, request.id)
    actions = list(
        (
            await session.execute(
                select(ApprovalAction)
                .where(ApprovalAction.request_id == request.id)
                .order_by(ApprovalAction.seq)
            )
        ).scalars()
    )
    cc_ids = list(
        (
            await session.execute(
                select(ApprovalCc.person_id)
                .where(ApprovalCc.request_id == request.id)
                .order_by(ApprovalCc.id)
            )
        ).scalars()
    )
    people = {request.submitter_id, *cc_ids}
    people |= {t.assignee_id for t in tasks} | {t.on_behalf_of for t in tasks if t.on_behalf_of}
    people |= {a.actor_id for a in actions if a.actor_id} | {
        a.on_behalf_of for a in actions if a.on_behalf_of
    }
    people |= {p for n in flow_lang.plan_nodes(request.plan) for p in n.get("people", [])}
    for a in actions:
        for key in ("to", "person", "from"):
            if isinstance(a.data.get(key), int):
                people.add(a.data[key])
    names = await org.names_of(session, people)
    nodes = nodes_of(request)

    def person(pid: int | None) -> PersonName | None:
        return PersonName(id=pid, name=names.get(pid, "")) if pid is not None else None

    def node_name(node_id: str | None) -> str:
        return _label(nodes[node_id]["name"]) if node_id in nodes else ""

    summary = (await _summaries(session, [request]))[0]
    mine = next((t for t in tasks if t.assignee_id == actor.person_id and t.status == "open"), None)
    summary.my_task_id = mine.id if mine else None
    is_submitter = request.submitter_id == actor.person_id
    urge_ok = request.last_urged_at is None or (utcnow() - request.last_urged_at) >= URGE_EVERY
    return RequestRead(
        **summary.model_dump(),
        version_id=request.version_id,
        department_name=await org.department_name(session, request.department_id)
        if request.department_id
        else None,
        schema_=version_schema,
        values=request.values,
        route=_route(request, names),
        done=list(request.done),
        tasks=[
            ApprovalTaskRead(
                id=t.id,
                node_id=t.node_id,
                node_name=node_name(t.node_id),
                kind=t.kind,
                mode=t.mode,
                assignee=PersonName(id=t.assignee_id, name=names.get(t.assignee_id, "")),
                on_behalf_of=person(t.on_behalf_of),
                status=t.status,
                opened_at=t.opened_at,
                decided_at=t.decided_at,
            )
            for t in tasks
        ],
        timeline=[
            ActionRead(
                seq=a.seq,
                kind=a.kind,
                actor=person(a.actor_id),
                on_behalf_of=person(a.on_behalf_of),
                node_id=a.node_id,
                node_name=node_name(a.node_id),
                comment=a.comment,
                signature_file_id=a.signature_file_id,
                attachments=a.attachments or [],
                data=a.data or {},
                created_at=a.created_at,
            )
            for a in actions
        ],
        cc=[PersonName(id=p, name=names.get(p, "")) for p in cc_ids],
        can_withdraw=is_submitter
        and request.status in ("pending", "returned")
        and not (request.status == "pending" and await _decided(session, request)),
        can_urge=is_submitter and request.status == "pending" and urge_ok,
        can_resubmit=is_submitter and request.status == "returned",
        returnable_nodes=[
            p
            for p in _route(request, names)
            if mine is not None and p.id in {n["id"] for n in returnable(request, mine.node_id)}
        ],
    )


async def mark_read(session: AsyncSession, actor: Actor, request_id: int) -> None:
    """A CC recipient has seen the request (a write, so not done inside the GET)."""
    request = await access_request(session, actor, request_id)
    row = (
        await session.execute(
            select(ApprovalCc).where(
                ApprovalCc.request_id == request.id, ApprovalCc.person_id == actor.person_id
            )
        )
    ).scalar_one_or_none()
    if row is not None and row.read_at is None:
        row.read_at = utcnow()
