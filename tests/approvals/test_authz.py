"""Who may call what in approvals: every /api/approvals endpoint × every role, with the status.

Roles, seen from one pending request (a trip by 刘芳, waiting for 王主任) on an installed
built-in template:

    anonymous   no session
    outsider    signed in, not on the request
    submitter   刘芳, who submitted it
    approver    王主任, who holds its open task
    org_admin   organisation admin, who installed the template (and so manages it)

Lists (`GET /requests`, `/counts`, `/delegation`) answer for the caller's own things only.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.approvals.conftest import Bureau, trip
from tests.authz import check_matrix_is_current, matrix_cases
from tests.factories import sign_in

ROLES = ("anonymous", "outsider", "submitter", "approver", "org_admin")
COVERED_PREFIXES = ("/api/approvals",)


@dataclass
class World:
    bureau: Bureau
    people: dict[str, Any]
    template: dict[str, Any]
    spare_template: dict[str, Any]
    request: dict[str, Any]
    task_id: int
    client: httpx.AsyncClient


Call = Callable[[httpx.AsyncClient, World], Awaitable[httpx.Response]]


def statuses(anonymous: int, outsider: int, submitter: int, approver: int, org_admin: int) -> dict[str, int]:
    return dict(zip(ROLES, (anonymous, outsider, submitter, approver, org_admin), strict=True))


def signed_in(ok: int = 200) -> dict[str, int]:
    return statuses(401, ok, ok, ok, ok)


def readers(ok: int = 200) -> dict[str, int]:
    return statuses(401, 404, ok, ok, ok)


def req(w: World, tail: str = "") -> str:
    return f"/api/approvals/requests/{w.request['id']}{tail}"


def task(w: World, tail: str) -> str:
    return f"/api/approvals/tasks/{w.task_id}{tail}"


def design(w: World) -> dict[str, Any]:
    return {
        "name": "出差（新版）",
        "schema": w.template["schema"],
        "flow": w.template["flow"],
    }


MATRIX: dict[tuple[str, str], tuple[dict[str, int], Call]] = {
    ("GET", "/api/approvals/templates"): (signed_in(), lambda c, w: c.get("/api/approvals/templates")),
    ("POST", "/api/approvals/templates"): (
        statuses(401, 403, 403, 403, 201),  # org admins design templates
        lambda c, w: c.post("/api/approvals/templates", json=design(w)),
    ),
    ("GET", "/api/approvals/builtins"): (signed_in(), lambda c, w: c.get("/api/approvals/builtins")),
    ("POST", "/api/approvals/builtins/install"): (
        statuses(401, 403, 403, 403, 201),
        lambda c, w: c.post("/api/approvals/builtins/install", json={"key": "leave"}),
    ),
    ("GET", "/api/approvals/templates/{template_id}"): (
        signed_in(),  # every member may use an active template
        lambda c, w: c.get(f"/api/approvals/templates/{w.template['id']}"),
    ),
    ("PUT", "/api/approvals/templates/{template_id}"): (
        statuses(401, 403, 403, 403, 200),
        lambda c, w: c.put(f"/api/approvals/templates/{w.template['id']}", json=design(w)),
    ),
    ("POST", "/api/approvals/templates/{template_id}/archive"): (
        statuses(401, 403, 403, 403, 200),
        lambda c, w: c.post(f"/api/approvals/templates/{w.template['id']}/archive", json={"archived": True}),
    ),
    ("DELETE", "/api/approvals/templates/{template_id}"): (
        statuses(401, 403, 403, 403, 204),
        lambda c, w: c.delete(f"/api/approvals/templates/{w.spare_template['id']}"),
    ),
    ("POST", "/api/approvals/requests"): (
        signed_in(201),
        lambda c, w: c.post(
            "/api/approvals/requests", json={"template_id": w.template["id"], "values": trip(100)}
        ),
    ),
    ("GET", "/api/approvals/requests"): (
        signed_in(),
        lambda c, w: c.get("/api/approvals/requests?box=pending"),
    ),
    ("GET", "/api/approvals/counts"): (signed_in(), lambda c, w: c.get("/api/approvals/counts")),
    ("GET", "/api/approvals/requests/{request_id}"): (readers(), lambda c, w: c.get(req(w))),
    ("POST", "/api/approvals/requests/{request_id}/read"): (
        readers(204),
        lambda c, w: c.post(req(w, "/read")),
    ),
    ("GET", "/api/approvals/requests/{request_id}/record.pdf"): (
        readers(),
        lambda c, w: c.get(req(w, "/record.pdf")),
    ),
    ("POST", "/api/approvals/requests/{request_id}/withdraw"): (
        statuses(401, 403, 200, 403, 403),  # only the submitter
        lambda c, w: c.post(req(w, "/withdraw")),
    ),
    ("POST", "/api/approvals/requests/{request_id}/urge"): (
        statuses(401, 403, 200, 403, 403),
        lambda c, w: c.post(req(w, "/urge")),
    ),
    ("POST", "/api/approvals/requests/{request_id}/resubmit"): (
        statuses(401, 403, 409, 403, 403),  # the submitter, once it is returned (it is not)
        lambda c, w: c.post(req(w, "/resubmit"), json={"values": trip(100)}),
    ),
    ("POST", "/api/approvals/tasks/{task_id}/approve"): (
        statuses(401, 403, 403, 200, 403),  # only the task's holder
        lambda c, w: c.post(task(w, "/approve"), json={"comment": "同意"}),
    ),
    ("POST", "/api/approvals/tasks/{task_id}/reject"): (
        statuses(401, 403, 403, 200, 403),
        lambda c, w: c.post(task(w, "/reject"), json={}),
    ),
    ("POST", "/api/approvals/tasks/{task_id}/return"): (
        statuses(401, 403, 403, 200, 403),
        lambda c, w: c.post(task(w, "/return"), json={}),
    ),
    ("POST", "/api/approvals/tasks/{task_id}/transfer"): (
        statuses(401, 403, 403, 200, 403),
        lambda c, w: c.post(task(w, "/transfer"), json={"person_id": w.bureau.spare.id}),
    ),
    ("POST", "/api/approvals/tasks/{task_id}/add-signer"): (
        statuses(401, 403, 403, 200, 403),
        lambda c, w: c.post(task(w, "/add-signer"), json={"person_id": w.bureau.spare.id}),
    ),
    ("POST", "/api/approvals/reassign"): (
        statuses(401, 403, 403, 403, 200),
        lambda c, w: c.post(
            "/api/approvals/reassign", json={"from_id": w.bureau.head.id, "to_id": w.bureau.spare.id}
        ),
    ),
    ("GET", "/api/approvals/delegation"): (signed_in(), lambda c, w: c.get("/api/approvals/delegation")),
    ("PUT", "/api/approvals/delegation"): (
        signed_in(),
        lambda c, w: c.put(
            "/api/approvals/delegation",
            json={"delegate_id": w.bureau.spare.id, "starts_on": "2026-01-01", "ends_on": "2026-01-31"},
        ),
    ),
    ("DELETE", "/api/approvals/delegation"): (
        signed_in(204),
        lambda c, w: c.delete("/api/approvals/delegation"),
    ),
}


def test_matrix_is_current() -> None:
    check_matrix_is_current(MATRIX, COVERED_PREFIXES)


@pytest.fixture
async def world(app: FastAPI, bureau: Bureau) -> AsyncIterator[World]:
    people = {
        "outsider": bureau.other,
        "submitter": bureau.staff,
        "approver": bureau.head,
        "org_admin": bureau.admin,
    }
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as setup:
        admin = await sign_in(setup, bureau.admin)
        template = (await admin.post("/api/approvals/builtins/install", json={"key": "trip"})).json()
        spare = (await admin.post("/api/approvals/builtins/install", json={"key": "seal"})).json()
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as setup:
        staff = await sign_in(setup, bureau.staff)
        r = await staff.post(
            "/api/approvals/requests", json={"template_id": template["id"], "values": trip(8000)}
        )
        assert r.status_code == 201, r.text
        request = r.json()
        task_id = request["tasks"][0]["id"]
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield World(bureau, people, template, spare, request, task_id, c)


@pytest.mark.parametrize(("method", "path", "role", "expected"), matrix_cases(MATRIX, ROLES))
async def test_matrix(world: World, method: str, path: str, role: str, expected: int) -> None:
    c = world.client
    if role != "anonymous":
        await sign_in(c, world.people[role])
    _expected, call = MATRIX[(method, path)]
    r = await call(c, world)
    assert r.status_code == expected, r.text
