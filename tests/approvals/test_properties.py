"""Property tests over random flows and random action sequences, on the real engine and database.

Flows mix sequences, 会签, 或签, condition blocks and parallel blocks; actions are approve,
reject, return to the submitter (then resubmit), transfer and add-signer-after. Whatever
happens, every request ends in exactly one final state with no task left open, an approved
request finished every node of its plan, a countersign node was approved by everyone it
reached, and an or-sign node has at most one approval per run."""

from __future__ import annotations

import asyncio
import itertools
import random
from typing import Any

from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from tests.approvals.conftest import Bureau
from tongban.approvals import actions, service
from tongban.approvals.flow import plan_nodes
from tongban.approvals.models import ApprovalRequest, ApprovalTask
from tongban.approvals.schemas import (
    AddSignerBody,
    ApprovalActionBody,
    ApprovalTemplateWrite,
    ReturnBody,
    TransferBody,
)
from tongban.core.db import Database
from tongban.core.errors import AppError
from tongban.org import service as org

_ids = itertools.count(1)
SCHEMA = {"fields": [{"key": "amount", "type": "number", "label": {"zh": "金额"}, "required": True}]}


def approver_nodes(pool: list[int]) -> st.SearchStrategy[dict[str, Any]]:
    return st.builds(
        lambda mode, people: {
            "type": "approver",
            "id": f"n{next(_ids)}",
            "name": {"zh": "审批"},
            "who": [{"kind": "people", "people": people}],
            "mode": mode,
        },
        st.sampled_from(["sequence", "all", "any"]),
        st.lists(st.sampled_from(pool), min_size=1, max_size=3, unique=True),
    )


def flows(pool: list[int]) -> st.SearchStrategy[list[dict[str, Any]]]:
    simple = approver_nodes(pool)
    branch = st.lists(simple, min_size=0, max_size=2)
    block = st.one_of(
        simple,
        st.builds(
            lambda a, b, threshold: {
                "type": "condition",
                "id": f"c{next(_ids)}",
                "branches": [
                    {
                        "name": {"zh": "大额"},
                        "when": [{"left": "amount", "op": "gt", "value": threshold}],
                        "nodes": a,
                    },
                    {"name": {"zh": "其他"}, "nodes": b},
                ],
            },
            branch,
            branch,
            st.integers(0, 100),
        ),
        st.builds(
            lambda a, b: {
                "type": "parallel",
                "id": f"p{next(_ids)}",
                "branches": [{"name": {"zh": "甲"}, "nodes": a}, {"name": {"zh": "乙"}, "nodes": b}],
            },
            st.lists(simple, min_size=1, max_size=2),
            st.lists(simple, min_size=1, max_size=2),
        ),
    )
    return st.lists(block, min_size=1, max_size=4).map(
        lambda nodes: [
            *nodes,
            {
                "type": "approver",
                "id": f"z{next(_ids)}",
                "name": {"zh": "终审"},
                "who": [{"kind": "people", "people": [pool[0]]}],
            },
        ]
    )


async def _run(url: str, bureau: Bureau, flow: list[dict[str, Any]], amount: int, seed: int) -> None:
    rng = random.Random(seed)
    db = Database(url)
    try:
        async with db.transaction() as s:
            admin = await org.actor_for(s, bureau.admin.id)
            assert admin is not None
            template = await service.do_create_template(
                s,
                admin,
                ApprovalTemplateWrite.model_validate(
                    {"name": "随机", "schema": SCHEMA, "flow": {"nodes": flow}}
                ),
            )
            staff = await org.actor_for(s, bureau.staff.id)
            assert staff is not None
            request = await service.do_submit(s, staff, template.id, {"amount": amount}, {})
            request_id = request.id
        run_start = 0  # tasks of the current run have ids above this
        for _step in range(80):
            async with db.transaction() as s:
                req = await s.get(ApprovalRequest, request_id)
                assert req is not None
                if req.status in ("approved", "rejected", "withdrawn"):
                    break
                staff = await org.actor_for(s, bureau.staff.id)
                assert staff is not None
                if req.status == "returned":
                    tasks = (
                        (
                            await s.execute(
                                select(ApprovalTask.id).where(ApprovalTask.request_id == request_id)
                            )
                        )
                        .scalars()
                        .all()
                    )
                    run_start = max(tasks, default=0)
                    await actions.do_resubmit(s, staff, request_id, {"amount": rng.randint(0, 100)}, {})
                    continue
                open_tasks = (
                    (
                        await s.execute(
                            select(ApprovalTask).where(
                                ApprovalTask.request_id == request_id, ApprovalTask.status == "open"
                            )
                        )
                    )
                    .scalars()
                    .all()
                )
                assert open_tasks, "a pending request always has someone to act"
                task = rng.choice(list(open_tasks))
                actor = await org.actor_for(s, task.assignee_id)
                assert actor is not None
                kind = rng.choices(["approve", "reject", "return", "transfer", "add"], [12, 1, 1, 1, 1])[0]
                outsiders = [p for p in (bureau.spare.id, bureau.manager.id) if p != task.assignee_id]
                try:
                    if kind == "approve":
                        await actions.decide(s, actor, task.id, "approve", ApprovalActionBody())
                    elif kind == "reject":
                        await actions.decide(s, actor, task.id, "reject", ApprovalActionBody())
                    elif kind == "return":
                        await actions.do_return(s, actor, task.id, ReturnBody())
                    elif kind == "transfer":
                        await actions.do_transfer(
                            s, actor, task.id, TransferBody(person_id=rng.choice(outsiders))
                        )
                    else:
                        await actions.do_add_signer(
                            s, actor, task.id, AddSignerBody(person_id=rng.choice(outsiders))
                        )
                except AppError as exc:
                    # the person is already on this node: a refusal, nothing changed
                    assert exc.status_code == 422, exc.code
        else:
            raise AssertionError("the request did not end within 80 actions")
        async with db.transaction() as s:
            req = await s.get(ApprovalRequest, request_id)
            assert req is not None
            assert req.status in ("approved", "rejected")
            tasks = (
                (await s.execute(select(ApprovalTask).where(ApprovalTask.request_id == request_id)))
                .scalars()
                .all()
            )
            assert not [t for t in tasks if t.status in ("open", "waiting")], "a task was left open"
            if req.status == "approved":
                plan = list(plan_nodes(req.plan))
                assert {n["id"] for n in plan} <= set(req.done)
                current = [t for t in tasks if t.id > run_start]
                for node in plan:
                    mine = [t for t in current if t.node_id == node["id"]]
                    if node.get("mode") == "all":
                        # everyone it reached approved, or handed their part to someone who did
                        for pid in node["people"]:
                            reached = [t for t in mine if t.assignee_id == pid and t.added_by is None]
                            assert reached and all(t.status in ("approved", "transferred") for t in reached)
                    if node.get("mode") == "any":
                        originals = [t for t in mine if t.added_by is None]
                        assert len([t for t in originals if t.status == "approved"]) <= 1
    finally:
        await db.dispose()


# Found a real bug once (2026-12-02): on an or-sign (或签) node, an approver who added a signer
# after themselves approved, and while the added signer was on their turn a second approver could
# still approve. The first approval now closes every other line of the node.
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_random_flows_always_end_cleanly(app: FastAPI, bureau: Bureau, data: st.DataObject) -> None:
    pool = [bureau.head.id, bureau.finance.id, bureau.deputy.id, bureau.other.id]
    flow = data.draw(flows(pool))
    amount = data.draw(st.integers(0, 100))
    seed = data.draw(st.integers(0, 2**31))
    asyncio.run(_run(app.state.db.url, bureau, flow, amount, seed))
