"""The engine through the API: or-sign races, transfer, add signer, delegation, return and
resubmit, withdraw, urge, and what a flow design may not do."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from tests.approvals.conftest import Bureau, my_task

SCHEMA = {
    "fields": [
        {"key": "amount", "type": "money", "label": {"zh": "金额", "en": "Amount"}, "required": True},
        {"key": "reason", "type": "text", "label": {"zh": "事由", "en": "Reason"}},
    ]
}


def approver(id_: str, people: list[int], mode: str = "sequence", **extra: Any) -> dict[str, Any]:
    return {
        "type": "approver",
        "id": id_,
        "name": {"zh": id_, "en": id_},
        "who": [{"kind": "people", "people": people}],
        "mode": mode,
        **extra,
    }


async def make_template(
    admin: httpx.AsyncClient, nodes: list[dict[str, Any]], schema: dict[str, Any] = SCHEMA
) -> int:
    r = await admin.post(
        "/api/approvals/templates", json={"name": "报销", "schema": schema, "flow": {"nodes": nodes}}
    )
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


async def submit(client: httpx.AsyncClient, template_id: int, amount: float = 100) -> dict[str, Any]:
    r = await client.post(
        "/api/approvals/requests", json={"template_id": template_id, "values": {"amount": amount}}
    )
    assert r.status_code == 201, r.text
    data: dict[str, Any] = r.json()
    return data


async def test_or_sign_race_exactly_one_decision(bureau: Bureau, as_person) -> None:  # type: ignore[no-untyped-def]
    admin = await as_person(bureau.admin)
    tid = await make_template(admin, [approver("any", [bureau.finance.id, bureau.deputy.id], "any")])
    req = await submit(await as_person(bureau.staff), tid)
    finance, deputy = await as_person(bureau.finance), await as_person(bureau.deputy)
    t1, t2 = await my_task(finance, req["id"]), await my_task(deputy, req["id"])
    r1, r2 = await asyncio.gather(
        finance.post(f"/api/approvals/tasks/{t1}/approve", json={"comment": "我先"}),
        deputy.post(f"/api/approvals/tasks/{t2}/reject", json={"comment": "我也"}),
    )
    assert sorted([r1.status_code, r2.status_code]) == [200, 409]
    loser = r1 if r1.status_code == 409 else r2
    assert loser.json()["code"] == "approval_task_closed"
    final = (await finance.get(f"/api/approvals/requests/{req['id']}")).json()
    assert final["status"] in ("approved", "rejected")
    decisions = [a for a in final["timeline"] if a["kind"] in ("approve", "reject")]
    assert len(decisions) == 1
    assert all(t["status"] != "open" for t in final["tasks"])


async def test_or_sign_first_approval_closes_the_others(bureau: Bureau, as_person) -> None:  # type: ignore[no-untyped-def]
    """The bug the property test found: on 或签, an approver adds a signer after themselves and
    approves; the other approvers must not be able to approve while the added signer decides."""
    admin = await as_person(bureau.admin)
    tid = await make_template(
        admin,
        [
            approver("first", [bureau.head.id]),
            approver("any", [bureau.head.id, bureau.finance.id, bureau.deputy.id], "any"),
        ],
    )
    req = await submit(await as_person(bureau.staff), tid)
    head, deputy = await as_person(bureau.head), await as_person(bureau.deputy)
    r = await head.post(f"/api/approvals/tasks/{await my_task(head, req['id'])}/approve", json={})
    assert r.status_code == 200, r.text
    head_task = await my_task(head, req["id"])
    r = await deputy.post(
        f"/api/approvals/tasks/{await my_task(deputy, req['id'])}/add-signer",
        json={"person_id": bureau.spare.id, "position": "after"},
    )
    assert r.status_code == 200, r.text
    r = await deputy.post(f"/api/approvals/tasks/{await my_task(deputy, req['id'])}/approve", json={})
    assert r.json()["current"] == ["张三"]
    r = await head.post(f"/api/approvals/tasks/{head_task}/approve", json={})
    assert r.status_code == 409, r.text
    spare = await as_person(bureau.spare)
    r = await spare.post(f"/api/approvals/tasks/{await my_task(spare, req['id'])}/approve", json={})
    body = r.json()
    assert body["status"] == "approved"
    on_node = [a for a in body["timeline"] if a["kind"] == "approve" and a["node_id"] == "any"]
    assert [a["actor"]["name"] for a in on_node] == ["钱副主任", "张三"]


async def test_countersign_needs_everyone_and_reject_ends(bureau: Bureau, as_person) -> None:  # type: ignore[no-untyped-def]
    admin = await as_person(bureau.admin)
    tid = await make_template(admin, [approver("all", [bureau.finance.id, bureau.deputy.id], "all")])
    req = await submit(await as_person(bureau.staff), tid)
    finance, deputy = await as_person(bureau.finance), await as_person(bureau.deputy)
    r = await finance.post(f"/api/approvals/tasks/{await my_task(finance, req['id'])}/approve", json={})
    assert r.json()["status"] == "pending", (req["tasks"], r.json()["tasks"])
    r = await deputy.post(
        f"/api/approvals/tasks/{await my_task(deputy, req['id'])}/reject", json={"comment": "超标"}
    )
    assert r.json()["status"] == "rejected"
    # acting again on a finished request: 409 with the reason
    again = await finance.post(f"/api/approvals/tasks/{r.json()['tasks'][0]['id']}/approve", json={})
    assert again.status_code == 409


async def test_not_your_task(bureau: Bureau, as_person) -> None:  # type: ignore[no-untyped-def]
    admin = await as_person(bureau.admin)
    tid = await make_template(admin, [approver("a", [bureau.head.id])])
    req = await submit(await as_person(bureau.staff), tid)
    task_id = await my_task(await as_person(bureau.head), req["id"])
    r = await (await as_person(bureau.finance)).post(f"/api/approvals/tasks/{task_id}/approve", json={})
    assert r.status_code == 403
    assert r.json()["code"] == "approval_task_not_yours"


async def test_transfer_add_signer_and_delegation_in_timeline(bureau: Bureau, as_person) -> None:  # type: ignore[no-untyped-def]
    admin = await as_person(bureau.admin)
    tid = await make_template(admin, [approver("a", [bureau.head.id]), approver("b", [bureau.finance.id])])
    finance = await as_person(bureau.finance)
    r = await finance.put(
        "/api/approvals/delegation",
        json={"delegate_id": bureau.deputy.id, "starts_on": "2020-01-01", "ends_on": "2099-01-01"},
    )
    assert r.status_code == 200, r.text
    req = await submit(await as_person(bureau.staff), tid)
    head = await as_person(bureau.head)
    # 王主任 asks 张三 to approve before him, then transfers nothing; 张三 approves, then 王主任
    r = await head.post(
        f"/api/approvals/tasks/{await my_task(head, req['id'])}/add-signer",
        json={"person_id": bureau.spare.id, "position": "before", "comment": "请张三先看"},
    )
    assert r.status_code == 200, r.text
    assert r.json()["current"] == ["张三"]
    spare = await as_person(bureau.spare)
    r = await spare.post(f"/api/approvals/tasks/{await my_task(spare, req['id'])}/approve", json={})
    assert r.json()["current"] == ["王主任"]
    r = await head.post(
        f"/api/approvals/tasks/{await my_task(head, req['id'])}/transfer",
        json={"person_id": bureau.manager.id},
    )
    assert r.json()["current"] == ["孙办公室"]
    manager = await as_person(bureau.manager)
    r = await manager.post(f"/api/approvals/tasks/{await my_task(manager, req['id'])}/approve", json={})
    # node b went to the deputy, on behalf of the finance director
    assert r.json()["current"] == ["钱副主任"]
    deputy = await as_person(bureau.deputy)
    r = await deputy.post(
        f"/api/approvals/tasks/{await my_task(deputy, req['id'])}/approve", json={"comment": "代批"}
    )
    body = r.json()
    assert body["status"] == "approved"
    kinds = [(a["kind"], a["actor"]["name"] if a["actor"] else None) for a in body["timeline"]]
    assert kinds == [
        ("submit", "刘芳"),
        ("add_signer", "王主任"),
        ("approve", "张三"),
        ("transfer", "王主任"),
        ("approve", "孙办公室"),
        ("approve", "钱副主任"),
    ]
    assert body["timeline"][-1]["on_behalf_of"]["name"] == "赵财务"
    assert body["timeline"][1]["data"] == {"person": bureau.spare.id, "position": "before"}


async def test_return_resubmit_and_return_to_node(bureau: Bureau, as_person) -> None:  # type: ignore[no-untyped-def]
    admin = await as_person(bureau.admin)
    tid = await make_template(admin, [approver("a", [bureau.head.id]), approver("b", [bureau.finance.id])])
    staff = await as_person(bureau.staff)
    req = await submit(staff, tid)
    head, finance = await as_person(bureau.head), await as_person(bureau.finance)
    await head.post(f"/api/approvals/tasks/{await my_task(head, req['id'])}/approve", json={})
    # finance sends it back to node a: 王主任 decides again
    detail = (await finance.get(f"/api/approvals/requests/{req['id']}")).json()
    assert [n["id"] for n in detail["returnable_nodes"]] == ["a"]
    r = await finance.post(
        f"/api/approvals/tasks/{detail['my_task_id']}/return", json={"node_id": "a", "comment": "请再核"}
    )
    assert r.json()["current"] == ["王主任"]
    # 王主任 returns it to the submitter
    r = await head.post(
        f"/api/approvals/tasks/{await my_task(head, req['id'])}/return", json={"comment": "金额写错"}
    )
    assert r.json()["status"] == "returned"
    r = await staff.post(f"/api/approvals/requests/{req['id']}/resubmit", json={"values": {"amount": 120}})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["status"] == "pending" and body["current"] == ["王主任"]
    assert body["timeline"][-1]["data"]["diff"] == {"amount": [100, 120]}


async def test_withdraw_only_before_decisions_and_urge_rate_limited(bureau: Bureau, as_person) -> None:  # type: ignore[no-untyped-def]
    admin = await as_person(bureau.admin)
    tid = await make_template(admin, [approver("a", [bureau.head.id]), approver("b", [bureau.finance.id])])
    staff = await as_person(bureau.staff)
    first = await submit(staff, tid)
    assert (await staff.post(f"/api/approvals/requests/{first['id']}/urge")).json() == {"reminded": 1}
    assert (await staff.post(f"/api/approvals/requests/{first['id']}/urge")).status_code == 429
    r = await staff.post(f"/api/approvals/requests/{first['id']}/withdraw")
    assert r.json()["status"] == "withdrawn"
    second = await submit(staff, tid)
    head = await as_person(bureau.head)
    await head.post(f"/api/approvals/tasks/{await my_task(head, second['id'])}/approve", json={})
    r = await staff.post(f"/api/approvals/requests/{second['id']}/withdraw")
    assert r.status_code == 409 and r.json()["code"] == "approval_already_decided"
    assert (await head.post(f"/api/approvals/requests/{second['id']}/withdraw")).status_code == 403


async def test_no_resolver_policies(bureau: Bureau, as_person) -> None:  # type: ignore[no-untyped-def]
    admin = await as_person(bureau.admin)
    nobody = {"kind": "title", "titles": ["局长"]}
    skip = {"type": "approver", "id": "s", "name": {"zh": "局长"}, "who": [nobody], "on_empty": "skip"}
    to_admin = {"type": "approver", "id": "m", "name": {"zh": "局长"}, "who": [nobody], "on_empty": "admin"}
    refuse = {"type": "approver", "id": "r", "name": {"zh": "局长"}, "who": [nobody], "on_empty": "refuse"}
    staff = await as_person(bureau.staff)
    req = await submit(staff, await make_template(admin, [skip, approver("a", [bureau.head.id])]))
    assert req["route"][0]["skipped"] and req["current"] == ["王主任"]
    req = await submit(staff, await make_template(admin, [to_admin]))
    assert req["current"] == ["管理员"]
    r = await staff.post(
        "/api/approvals/requests",
        json={"template_id": await make_template(admin, [refuse]), "values": {"amount": 1}},
    )
    assert r.status_code == 422 and r.json()["fields"][0]["field"] == "flow"


async def test_manager_and_condition_on_department(bureau: Bureau, as_person) -> None:  # type: ignore[no-untyped-def]
    admin = await as_person(bureau.admin)
    flow = [
        {
            "type": "condition",
            "id": "c",
            "branches": [
                {
                    "name": {"zh": "综合科"},
                    "when": [{"left": "$submitter.department", "op": "in", "value": [bureau.office.id]}],
                    "nodes": [
                        {
                            "type": "approver",
                            "id": "mgr",
                            "name": {"zh": "上级"},
                            "who": [{"kind": "manager"}],
                        }
                    ],
                },
                {"name": {"zh": "其他"}, "nodes": [approver("fin", [bureau.finance.id])]},
            ],
        }
    ]
    tid = await make_template(admin, flow)
    assert (await submit(await as_person(bureau.staff), tid))["current"] == ["王主任"]
    assert (await submit(await as_person(bureau.other), tid))["current"] == ["赵财务"]


async def test_design_time_refusals(bureau: Bureau, as_person) -> None:  # type: ignore[no-untyped-def]
    admin = await as_person(bureau.admin)
    no_default = {
        "type": "condition",
        "id": "c",
        "branches": [
            {"name": {"zh": "大额"}, "when": [{"left": "amount", "op": "gt", "value": 5}], "nodes": []},
            {"name": {"zh": "小额"}, "when": [{"left": "amount", "op": "lte", "value": 5}], "nodes": []},
        ],
    }
    missing = {
        "type": "condition",
        "id": "d",
        "branches": [
            {"name": {"zh": "天数"}, "when": [{"left": "days * 2", "op": "gt", "value": 5}], "nodes": []},
            {"name": {"zh": "其他"}, "nodes": []},
            {"name": {"zh": "多余"}, "nodes": []},
        ],
    }
    r = await admin.post(
        "/api/approvals/templates",
        json={
            "name": "x",
            "schema": SCHEMA,
            "flow": {"nodes": [approver("a", [bureau.head.id]), no_default, missing]},
        },
        headers={"Accept-Language": "en-US"},
    )
    assert r.status_code == 422
    codes = {f["code"] for f in r.json()["fields"]}
    assert codes == {"flow.no_default", "flow.condition_missing_field", "flow.unreachable"}
    # members may not design templates
    staff = await as_person(bureau.staff)
    r = await staff.post(
        "/api/approvals/templates",
        json={"name": "x", "schema": SCHEMA, "flow": {"nodes": [approver("a", [1])]}},
    )
    assert r.status_code == 403


async def test_template_with_requests_cannot_be_deleted(bureau: Bureau, as_person) -> None:  # type: ignore[no-untyped-def]
    admin = await as_person(bureau.admin)
    tid = await make_template(admin, [approver("a", [bureau.head.id])])
    await submit(await as_person(bureau.staff), tid)
    r = await admin.delete(f"/api/approvals/templates/{tid}")
    assert r.status_code == 409 and r.json()["code"] == "approval_template_in_use"
    r = await admin.post(f"/api/approvals/templates/{tid}/archive", json={"archived": True})
    assert r.json()["archived"] is True
    unused = await make_template(admin, [approver("a", [bureau.head.id])])
    assert (await admin.delete(f"/api/approvals/templates/{unused}")).status_code == 204
