"""Who may call what: every endpoint of a covered capability × every role, with the status.

Roles, seen from one target — a person in 农业农村局 and its sub-department 执法大队:

    anonymous           no session
    member              a plain member (of another department)
    dept_admin_other    department admin of 财政局, not of the target's department
    dept_admin_target   department admin of 农业农村局 (the target's department and its subtree)
    org_admin           organisation admin

`test_matrix_is_current` fails when a route under COVERED_PREFIXES has no row here (and
tests/test_authz_coverage.py when any /api route is in no capability's matrix).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.authz import check_matrix_is_current, matrix_cases
from tests.factories import PASSWORD, Org, sign_in

ROLES = ("anonymous", "member", "dept_admin_other", "dept_admin_target", "org_admin")

# The /api prefixes this matrix owns (tests/authz.py).
COVERED_PREFIXES = ("/api/org", "/api/auth", "/api/me")


@dataclass
class World:
    people: dict[str, Any]  # role -> Person (anonymous -> the member, for sign-in)
    target: Any
    target_dept: Any  # 农业农村局
    target_child: Any  # 执法大队, empty: may be renamed or deleted
    other_dept: Any  # 财政局
    client: httpx.AsyncClient


Call = Callable[[httpx.AsyncClient, World, str], Awaitable[httpx.Response]]


def statuses(anonymous: int, member: int, other: int, target: int, org_admin: int) -> dict[str, int]:
    return dict(zip(ROLES, (anonymous, member, other, target, org_admin), strict=True))


def everyone(ok: int = 200) -> dict[str, int]:
    """Any signed-in person."""
    return statuses(401, ok, ok, ok, ok)


def subtree_admin(ok: int = 200) -> dict[str, int]:
    """An admin of the target's department (or the organisation)."""
    return statuses(401, 403, 403, ok, ok)


def org_admin_only(ok: int = 200) -> dict[str, int]:
    return statuses(401, 403, 403, 403, ok)


async def _create_token(c: httpx.AsyncClient, w: World, role: str) -> httpx.Response:
    if role == "anonymous":
        return await c.delete("/api/auth/tokens/1")
    token = await c.post("/api/auth/tokens", json={"name": "matrix"})
    return await c.delete(f"/api/auth/tokens/{token.json()['id']}")


async def _login(c: httpx.AsyncClient, w: World, role: str) -> httpx.Response:
    person = w.people[role]
    return await c.post("/api/auth/login", json={"login": person.username, "password": PASSWORD})


async def _import(c: httpx.AsyncClient, w: World, role: str) -> httpx.Response:
    data = "姓名,用户名,部门\r\n新人,xinren,云溪县人民政府/农业农村局\r\n".encode("utf-8-sig")
    return await c.post(
        "/api/org/import", params={"dry_run": "true"}, files={"file": ("org.csv", data, "text/csv")}
    )


MATRIX: dict[tuple[str, str], tuple[dict[str, int], Call]] = {
    # ---- auth ----
    ("POST", "/api/auth/login"): (statuses(200, 200, 200, 200, 200), _login),
    ("POST", "/api/auth/logout"): (everyone(204), lambda c, w, r: c.post("/api/auth/logout")),
    ("POST", "/api/auth/logout-all"): (everyone(204), lambda c, w, r: c.post("/api/auth/logout-all")),
    ("POST", "/api/auth/password"): (
        everyone(204),
        lambda c, w, r: c.post(
            "/api/auth/password", json={"current_password": PASSWORD, "new_password": "New-pass-2024"}
        ),
    ),
    ("GET", "/api/me"): (everyone(), lambda c, w, r: c.get("/api/me")),
    ("PATCH", "/api/me"): (everyone(), lambda c, w, r: c.patch("/api/me", json={"locale": "en-US"})),
    ("GET", "/api/auth/tokens"): (everyone(), lambda c, w, r: c.get("/api/auth/tokens")),
    ("POST", "/api/auth/tokens"): (
        everyone(201),
        lambda c, w, r: c.post("/api/auth/tokens", json={"name": "t"}),
    ),
    ("DELETE", "/api/auth/tokens/{token_id}"): (everyone(204), _create_token),
    # ---- org: reading ----
    ("GET", "/api/org/people"): (everyone(), lambda c, w, r: c.get("/api/org/people", params={"q": "tao"})),
    ("GET", "/api/org/people/{person_id}"): (
        everyone(),
        lambda c, w, r: c.get(f"/api/org/people/{w.target.id}"),
    ),
    ("GET", "/api/org/presence"): (
        everyone(),
        lambda c, w, r: c.get("/api/org/presence", params={"ids": str(w.target.id)}),
    ),
    ("GET", "/api/org/departments"): (everyone(), lambda c, w, r: c.get("/api/org/departments")),
    # ---- org: writing ----
    ("POST", "/api/org/people"): (
        subtree_admin(201),
        lambda c, w, r: c.post(
            "/api/org/people",
            json={"name": "新人", "username": "xinren", "department_ids": [w.target_child.id]},
        ),
    ),
    ("PATCH", "/api/org/people/{person_id}"): (
        subtree_admin(),
        lambda c, w, r: c.patch(f"/api/org/people/{w.target.id}", json={"title": "大队长"}),
    ),
    ("POST", "/api/org/people/{person_id}/deactivate"): (
        subtree_admin(),
        lambda c, w, r: c.post(f"/api/org/people/{w.target.id}/deactivate"),
    ),
    ("POST", "/api/org/people/{person_id}/reactivate"): (
        subtree_admin(),
        lambda c, w, r: c.post(f"/api/org/people/{w.target.id}/reactivate"),
    ),
    ("POST", "/api/org/departments"): (
        subtree_admin(201),
        lambda c, w, r: c.post(
            "/api/org/departments", json={"name": "新科室", "parent_id": w.target_dept.id}
        ),
    ),
    ("PATCH", "/api/org/departments/{department_id}"): (
        subtree_admin(),
        lambda c, w, r: c.patch(f"/api/org/departments/{w.target_child.id}", json={"name": "综合执法大队"}),
    ),
    ("DELETE", "/api/org/departments/{department_id}"): (
        subtree_admin(204),
        lambda c, w, r: c.delete(f"/api/org/departments/{w.target_child.id}"),
    ),
    ("POST", "/api/org/import"): (org_admin_only(), _import),
    ("GET", "/api/org/import/template.csv"): (
        org_admin_only(),
        lambda c, w, r: c.get("/api/org/import/template.csv"),
    ),
}


@pytest.fixture
async def world(org: Org, app: FastAPI) -> Any:
    root = await org.department("云溪县人民政府")
    farm = await org.department("农业农村局", root)
    team = await org.department("执法大队", farm)
    finance = await org.department("财政局", root)
    member = await org.person("普通成员", finance, username="member")
    people = {
        "anonymous": member,
        "member": member,
        "dept_admin_other": await org.person("财政局管理员", finance, username="finadmin", admin_of=finance),
        "dept_admin_target": await org.person("农业局管理员", farm, username="farmadmin", admin_of=farm),
        "org_admin": await org.person("系统管理员", root, username="admin", role="org_admin"),
    }
    target = await org.person("陶海锋", farm, username="taohaifeng")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as c:
        yield World(people, target, farm, team, finance, c)


@pytest.mark.parametrize(("method", "path", "role", "expected"), matrix_cases(MATRIX, ROLES))
async def test_matrix(world: World, method: str, path: str, role: str, expected: int) -> None:
    c = world.client
    if role != "anonymous" and (method, path) != ("POST", "/api/auth/login"):
        await sign_in(c, world.people[role])
    _expected, call = MATRIX[(method, path)]
    r = await call(c, world, role)
    assert r.status_code == expected, r.text


async def test_dept_admin_cannot_leave_subtree(world: World) -> None:
    """What one target cannot show: moves out of the subtree and new top-level departments."""
    c = await sign_in(world.client, world.people["dept_admin_target"])
    moved = await c.patch(
        f"/api/org/departments/{world.target_child.id}", json={"parent_id": world.other_dept.id}
    )
    assert moved.status_code == 403
    top = await c.post("/api/org/departments", json={"name": "顶级部门"})
    assert top.status_code == 403
    to_top = await c.patch(f"/api/org/departments/{world.target_child.id}", json={"parent_id": None})
    assert to_top.status_code == 403
    # Putting someone of one's own subtree into a foreign department needs rights there too.
    r = await c.patch(
        f"/api/org/people/{world.target.id}",
        json={"department_ids": [world.target_dept.id, world.other_dept.id]},
    )
    assert r.status_code == 403


def test_matrix_is_current() -> None:
    check_matrix_is_current(MATRIX, COVERED_PREFIXES)
