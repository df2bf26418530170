"""Who may call what in notifications: every /api/notify endpoint × every role.

Everything here is the caller's own: their notifications, their unread count, their settings.
Roles, seen from one notification addressed to its recipient:

    anonymous   no session
    other       signed in, someone else
    org_admin   organisation admin: no right to read or mark others' notifications
    recipient   the person it was sent to

Marking someone else's notification read answers 404, so ids tell nothing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.authz import check_matrix_is_current, matrix_cases
from tests.factories import Org, sign_in
from tongban.core.db import Database
from tongban.notify.service import notify

ROLES = ("anonymous", "other", "org_admin", "recipient")
COVERED_PREFIXES = ("/api/notify",)


@dataclass
class World:
    people: dict[str, Any]
    notification_id: int
    client: httpx.AsyncClient


Call = Callable[[httpx.AsyncClient, World], Awaitable[httpx.Response]]


def own(ok: int = 200) -> dict[str, int]:
    return dict(zip(ROLES, (401, ok, ok, ok), strict=True))


MATRIX: dict[tuple[str, str], tuple[dict[str, int], Call]] = {
    ("GET", "/api/notify/notifications"): (own(), lambda c, w: c.get("/api/notify/notifications")),
    ("GET", "/api/notify/unread-count"): (own(), lambda c, w: c.get("/api/notify/unread-count")),
    ("POST", "/api/notify/notifications/{notification_id}/read"): (
        dict(zip(ROLES, (401, 404, 404, 204), strict=True)),
        lambda c, w: c.post(f"/api/notify/notifications/{w.notification_id}/read"),
    ),
    ("POST", "/api/notify/read-all"): (own(204), lambda c, w: c.post("/api/notify/read-all")),
    ("GET", "/api/notify/settings"): (own(), lambda c, w: c.get("/api/notify/settings")),
    ("PUT", "/api/notify/settings"): (
        own(),
        lambda c, w: c.put("/api/notify/settings", json={"muted_capabilities": ["im"]}),
    ),
}


@pytest.fixture
async def world(org: Org, app: FastAPI, db: Database) -> Any:
    root = await org.department("云溪县人民政府")
    people = {
        "recipient": await org.person("聂荣成", root),
        "other": await org.person("王芳", root),
        "org_admin": await org.person("系统管理员", root, role="org_admin"),
    }
    people["anonymous"] = people["other"]
    async with db.transaction() as session:
        (sent,) = await notify(session, [people["recipient"].id], capability="im", title="调度会通知")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as c:
        yield World(people, sent.id, c)


@pytest.mark.parametrize(("method", "path", "role", "expected"), matrix_cases(MATRIX, ROLES))
async def test_matrix(world: World, method: str, path: str, role: str, expected: int) -> None:
    c = world.client
    if role != "anonymous":
        await sign_in(c, world.people[role])
    _expected, call = MATRIX[(method, path)]
    r = await call(c, world)
    assert r.status_code == expected, r.text


def test_matrix_is_current() -> None:
    check_matrix_is_current(MATRIX, COVERED_PREFIXES)
