"""Who may call what in meetings: every /api/meetings endpoint × every role, with the status.

Roles, seen from one in-person meeting that 刘锋 organises:

    anonymous   no session
    outsider    signed in, not invited (holding the check-in code makes them a walk-in)
    org_admin   organisation admin, not invited: running the organisation gives no right to
                another person's meetings
    attendee    invited
    host        invited as co-organiser (主持人): runs check-in with the organiser
    organizer   made the meeting
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
from tests.meetings.conftest import now_meeting

ROLES = ("anonymous", "outsider", "org_admin", "attendee", "host", "organizer")
COVERED_PREFIXES = ("/api/meetings",)


@dataclass
class World:
    people: dict[str, Any]
    meeting: dict[str, Any]
    token: str
    client: httpx.AsyncClient


Call = Callable[[httpx.AsyncClient, World], Awaitable[httpx.Response]]


def statuses(
    anonymous: int, outsider: int, org_admin: int, attendee: int, host: int, organizer: int
) -> dict[str, int]:
    return dict(zip(ROLES, (anonymous, outsider, org_admin, attendee, host, organizer), strict=True))


def signed_in(ok: int = 200) -> dict[str, int]:
    return statuses(401, ok, ok, ok, ok, ok)


def managers(ok: int = 200) -> dict[str, int]:
    return statuses(401, 404, 404, 403, ok, ok)


def m(w: World, tail: str = "") -> str:
    return f"/api/meetings/{w.meeting['id']}{tail}"


MATRIX: dict[tuple[str, str], tuple[dict[str, int], Call]] = {
    ("GET", "/api/meetings"): (signed_in(), lambda c, w: c.get("/api/meetings")),
    ("POST", "/api/meetings"): (signed_in(201), lambda c, w: c.post("/api/meetings", json=now_meeting())),
    ("GET", "/api/meetings/by-number/{number}"): (
        signed_in(),  # the number is handed out like a link; the room decides who may enter
        lambda c, w: c.get(f"/api/meetings/by-number/{w.meeting['number']}"),
    ),
    ("GET", "/api/meetings/media-server"): (
        statuses(401, 403, 200, 403, 403, 403),  # organisation admins only: the SFU's health
        lambda c, w: c.get("/api/meetings/media-server"),
    ),
    ("GET", "/api/meetings/{meeting_id}"): (statuses(401, 404, 404, 200, 200, 200), lambda c, w: c.get(m(w))),
    ("PATCH", "/api/meetings/{meeting_id}"): (managers(), lambda c, w: c.patch(m(w), json={"title": "改"})),
    ("DELETE", "/api/meetings/{meeting_id}"): (
        statuses(401, 404, 404, 403, 403, 204),  # only the organiser removes it
        lambda c, w: c.delete(m(w)),
    ),
    ("POST", "/api/meetings/{meeting_id}/secret"): (managers(204), lambda c, w: c.post(m(w, "/secret"))),
    ("GET", "/api/meetings/{meeting_id}/qr.png"): (managers(), lambda c, w: c.get(m(w, "/qr.png"))),
    ("GET", "/api/meetings/{meeting_id}/qr.pdf"): (managers(), lambda c, w: c.get(m(w, "/qr.pdf"))),
    ("GET", "/api/meetings/{meeting_id}/display"): (managers(), lambda c, w: c.get(m(w, "/display"))),
    ("GET", "/api/meetings/{meeting_id}/checkin"): (
        signed_in(),  # the code is the credential: walk-ins hold it too
        lambda c, w: c.get(m(w, "/checkin"), params={"t": w.token}),
    ),
    ("POST", "/api/meetings/{meeting_id}/checkin"): (
        signed_in(),
        lambda c, w: c.post(m(w, "/checkin"), json={"token": w.token}),
    ),
    ("GET", "/api/meetings/{meeting_id}/attendance"): (managers(), lambda c, w: c.get(m(w, "/attendance"))),
    ("GET", "/api/meetings/{meeting_id}/attendance.xlsx"): (
        managers(),
        lambda c, w: c.get(m(w, "/attendance.xlsx")),
    ),
    ("POST", "/api/meetings/{meeting_id}/attendance"): (
        managers(),
        lambda c, w: c.post(m(w, "/attendance"), json={"person_id": w.people["attendee"].id}),
    ),
    ("DELETE", "/api/meetings/{meeting_id}/attendance/{person_id}"): (
        managers(204),
        lambda c, w: c.delete(m(w, f"/attendance/{w.people['attendee'].id}")),
    ),
}


@pytest.fixture
async def world(org: Org, app: FastAPI) -> Any:
    root = await org.department("利川市人民政府")
    office = await org.department("县政府办公室", root)
    people = {
        "organizer": await org.person("刘锋", office, username="liufeng"),
        "host": await org.person("韩雪", office, username="hanxue"),
        "attendee": await org.person("聂荣成", office, username="nierongcheng"),
        "outsider": await org.person("陶海锋", root, username="taohaifeng"),
        "org_admin": await org.person("系统管理员", root, username="admin", role="org_admin"),
    }
    people["anonymous"] = people["outsider"]
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as setup:
        owner = await sign_in(setup, people["organizer"])
        body = now_meeting(person_ids=[people["attendee"].id], host_ids=[people["host"].id])
        meeting = (await owner.post("/api/meetings", json=body)).json()
        token = (await owner.get(f"/api/meetings/{meeting['id']}/display")).json()["token"]
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield World(people, meeting, token, c)


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
