"""Who may call what in the calendar: every /api/calendar endpoint × every role, with the status.

Roles, seen from one shared calendar (县政府日程) and one event in it:

    anonymous   no session
    outsider    signed in, the calendar not shared with them
    org_admin   organisation admin, not shared either: running the organisation gives no right
                to read colleagues' calendars (only to keep the list of rooms)
    viewer      the calendar is shared with them to read; also invited to the event
    editor      the calendar is shared with them to edit
    owner       made the calendar and organises the event

Routes that take no calendar (lists, free/busy, the assistant) answer for the caller's own
view; their scoping is tested in test_events / test_assistant.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.authz import check_matrix_is_current, matrix_cases
from tests.calendar.conftest import meeting
from tests.factories import Org, sign_in

ROLES = ("anonymous", "outsider", "org_admin", "viewer", "editor", "owner")
COVERED_PREFIXES = ("/api/calendar",)
ICS = (
    b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nBEGIN:VEVENT\r\nUID:a@b\r\n"
    b"DTSTART:20260401T010000Z\r\nDTEND:20260401T020000Z\r\nSUMMARY:x\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)


@dataclass
class World:
    people: dict[str, Any]
    calendar: dict[str, Any]
    event: dict[str, Any]
    room: dict[str, Any]
    feed: str
    client: httpx.AsyncClient


Call = Callable[[httpx.AsyncClient, World], Awaitable[httpx.Response]]


def statuses(
    anonymous: int, outsider: int, org_admin: int, viewer: int, editor: int, owner: int
) -> dict[str, int]:
    return dict(zip(ROLES, (anonymous, outsider, org_admin, viewer, editor, owner), strict=True))


def signed_in(ok: int = 200) -> dict[str, int]:
    return statuses(401, ok, ok, ok, ok, ok)


def cal(w: World, tail: str = "") -> str:
    return f"/api/calendar/calendars/{w.calendar['id']}{tail}"


def ev(w: World, tail: str = "") -> str:
    return f"/api/calendar/events/{w.event['id']}{tail}"


async def share(c: httpx.AsyncClient, w: World) -> httpx.Response:
    """Into a group of the caller's own (made first; 0 when they cannot make one)."""
    made = await c.post("/api/im/conversations", json={"kind": "group", "name": "群", "member_ids": []})
    cid = made.json()["id"] if made.status_code == 200 else 0
    return await c.post(ev(w, "/share"), json={"conversation_id": cid})


WINDOW = {"start": "2026-03-23T00:00:00+08:00", "end": "2026-03-30T00:00:00+08:00"}
SPAN = {"start": "2026-03-23T00:00:00+08:00", "end": "2026-03-30T00:00:00+08:00"}

MATRIX: dict[tuple[str, str], tuple[dict[str, int], Call]] = {
    ("GET", "/api/calendar/calendars"): (signed_in(), lambda c, w: c.get("/api/calendar/calendars")),
    ("POST", "/api/calendar/calendars"): (
        signed_in(201),
        lambda c, w: c.post("/api/calendar/calendars", json={"name": "项目组"}),
    ),
    ("PATCH", "/api/calendar/calendars/{calendar_id}"): (
        statuses(401, 403, 403, 403, 403, 200),
        lambda c, w: c.patch(cal(w), json={"color": "#ff0000"}),
    ),
    ("DELETE", "/api/calendar/calendars/{calendar_id}"): (
        statuses(401, 403, 403, 403, 403, 204),
        lambda c, w: c.delete(cal(w)),
    ),
    ("PUT", "/api/calendar/calendars/{calendar_id}/shares"): (
        statuses(401, 403, 403, 403, 403, 200),
        lambda c, w: c.put(cal(w, "/shares"), json={"shares": []}),
    ),
    ("PATCH", "/api/calendar/calendars/{calendar_id}/me"): (
        statuses(401, 403, 403, 200, 200, 200),
        lambda c, w: c.patch(cal(w, "/me"), json={"visible": False}),
    ),
    ("DELETE", "/api/calendar/calendars/{calendar_id}/me"): (
        statuses(401, 403, 403, 204, 204, 204),
        lambda c, w: c.delete(cal(w, "/me")),
    ),
    ("POST", "/api/calendar/subscriptions"): (
        signed_in(201),  # the owner's own calendar shares busy times with everyone by default
        lambda c, w: c.post("/api/calendar/subscriptions", json={"person_id": w.people["owner"].id}),
    ),
    ("POST", "/api/calendar/calendars/{calendar_id}/feed"): (
        statuses(401, 403, 403, 403, 403, 200),
        lambda c, w: c.post(cal(w, "/feed")),
    ),
    ("DELETE", "/api/calendar/calendars/{calendar_id}/feed"): (
        statuses(401, 403, 403, 403, 403, 204),
        lambda c, w: c.delete(cal(w, "/feed")),
    ),
    ("GET", "/api/calendar/calendars/{calendar_id}/export.ics"): (
        statuses(401, 403, 403, 200, 200, 200),
        lambda c, w: c.get(cal(w, "/export.ics")),
    ),
    ("POST", "/api/calendar/calendars/{calendar_id}/import"): (
        statuses(401, 403, 403, 403, 200, 200),
        lambda c, w: c.post(cal(w, "/import"), files={"file": ("a.ics", ICS, "text/calendar")}),
    ),
    ("GET", "/api/calendar/feeds/{token}.ics"): (
        # The secret in the URL is the credential (calendar apps send no session).
        statuses(200, 200, 200, 200, 200, 200),
        lambda c, w: c.get(w.feed),
    ),
    ("GET", "/api/calendar/events"): (signed_in(), lambda c, w: c.get("/api/calendar/events", params=WINDOW)),
    ("POST", "/api/calendar/events"): (
        statuses(401, 403, 403, 403, 201, 201),
        lambda c, w: c.post("/api/calendar/events", json=meeting(calendar_id=w.calendar["id"])),
    ),
    ("GET", "/api/calendar/events/{event_id}"): (
        statuses(401, 404, 404, 200, 200, 200),  # 404: an event id tells a stranger nothing
        lambda c, w: c.get(ev(w)),
    ),
    ("PATCH", "/api/calendar/events/{event_id}"): (
        statuses(401, 404, 404, 403, 200, 200),
        lambda c, w: c.patch(ev(w), json={"title": "调度会（改）"}),
    ),
    ("DELETE", "/api/calendar/events/{event_id}"): (
        statuses(401, 404, 404, 403, 204, 204),
        lambda c, w: c.delete(ev(w)),
    ),
    ("POST", "/api/calendar/events/{event_id}/rsvp"): (
        statuses(401, 404, 404, 200, 403, 200),  # invitees answer; the editor is not invited
        lambda c, w: c.post(ev(w, "/rsvp"), json={"status": "tentative"}),
    ),
    ("POST", "/api/calendar/events/{event_id}/share"): (
        statuses(401, 404, 404, 200, 200, 200),  # anyone who may read the event may post its card
        lambda c, w: share(c, w),
    ),
    ("GET", "/api/calendar/events/{event_id}/export.ics"): (
        statuses(401, 404, 404, 200, 200, 200),
        lambda c, w: c.get(ev(w, "/export.ics")),
    ),
    ("POST", "/api/calendar/freebusy"): (
        signed_in(),
        lambda c, w: c.post("/api/calendar/freebusy", json={"person_ids": [w.people["owner"].id], **SPAN}),
    ),
    ("POST", "/api/calendar/assistant"): (
        signed_in(),
        lambda c, w: c.post(
            "/api/calendar/assistant",
            json={"person_ids": [w.people["owner"].id], "duration_minutes": 30, **SPAN},
        ),
    ),
    ("GET", "/api/calendar/rooms"): (signed_in(), lambda c, w: c.get("/api/calendar/rooms")),
    ("POST", "/api/calendar/rooms"): (
        statuses(401, 403, 201, 403, 403, 403),  # rooms are the organisation's
        lambda c, w: c.post("/api/calendar/rooms", json={"name": "五楼会议室"}),
    ),
    ("PATCH", "/api/calendar/rooms/{room_id}"): (
        statuses(401, 403, 200, 403, 403, 403),
        lambda c, w: c.patch(f"/api/calendar/rooms/{w.room['id']}", json={"capacity": 30}),
    ),
    ("GET", "/api/calendar/rooms/{room_id}/schedule"): (
        signed_in(),
        lambda c, w: c.get(f"/api/calendar/rooms/{w.room['id']}/schedule", params=WINDOW),
    ),
}


@pytest.fixture
async def world(org: Org, app: FastAPI) -> Any:
    root = await org.department("利川市人民政府")
    office = await org.department("县政府办公室", root)
    people = {
        "owner": await org.person("刘锋", office, username="liufeng"),
        "viewer": await org.person("聂荣成", office, username="nierongcheng"),
        "editor": await org.person("韩雪", office, username="hanxue"),
        "outsider": await org.person("陶海锋", root, username="taohaifeng"),
        "org_admin": await org.person("系统管理员", root, username="admin", role="org_admin"),
    }
    people["anonymous"] = people["outsider"]
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as setup:
        admin = await sign_in(setup, people["org_admin"])
        room = (await admin.post("/api/calendar/rooms", json={"name": "三楼会议室", "capacity": 20})).json()
        await setup.post("/api/auth/logout")
        setup.cookies.clear()
        owner = await sign_in(setup, people["owner"])
        calendar = (
            await owner.post(
                "/api/calendar/calendars",
                json={
                    "name": "县政府日程",
                    "shares": [
                        {"person_id": people["viewer"].id, "level": "read"},
                        {"person_id": people["editor"].id, "level": "edit"},
                    ],
                },
            )
        ).json()
        event = (
            await owner.post(
                "/api/calendar/events",
                json=meeting(
                    calendar_id=calendar["id"], attendee_ids=[people["viewer"].id], rrule="FREQ=WEEKLY"
                ),
            )
        ).json()
        feed = (await owner.post(f"/api/calendar/calendars/{calendar['id']}/feed")).json()["url"]
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield World(people, calendar, event, room, feed, c)


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
