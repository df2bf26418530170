"""CalDAV two-way sync, driven by the `caldav` client library (what DAVx⁵-like clients do) over a
real loopback server: discovery, create / update / delete through CalDAV seen in the web API,
and web API changes seen through CalDAV; ETags and If-Match (412); who may see what."""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
from typing import Any

import caldav
import httpx

from tests.calendar.conftest import create
from tests.factories import PASSWORD, sign_in

VEVENT = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Test//caldav//EN
BEGIN:VEVENT
UID:{uid}
DTSTAMP:20260301T000000Z
DTSTART;TZID=Europe/Warsaw:20260324T090000
DTEND;TZID=Europe/Warsaw:20260324T100000
SUMMARY:{title}
{extra}END:VEVENT
END:VCALENDAR
"""


async def app_password(client: httpx.AsyncClient, name: str = "DAVx5") -> str:
    r = await client.post("/api/auth/tokens", json={"name": name})
    assert r.status_code == 201, r.text
    return str(r.json()["token"])


def dav_client(live_server: str, username: str, password: str) -> caldav.DAVClient:
    return caldav.DAVClient(
        url=f"http://{live_server}/", username=username, password=password, require_tls=False
    )


async def in_thread(fn: Any, *args: Any) -> Any:
    """The caldav library is synchronous; the server runs on this event loop."""
    return await asyncio.to_thread(fn, *args)


def _default_calendar(client: caldav.DAVClient) -> Any:
    principal = client.principal()
    calendars = principal.calendars()
    assert calendars, "no calendars discovered"
    return calendars[0]


async def test_round_trip_with_the_caldav_client(client, team, live_server):
    await sign_in(client, team["liu"])
    token = await app_password(client)
    mine = (await client.get("/api/calendar/calendars")).json()[0]
    dav = dav_client(live_server, "liufeng", token)

    calendar = await in_thread(_default_calendar, dav)
    assert str(calendar.url).rstrip("/").endswith(f"/dav/calendars/{team['liu'].id}/{mine['id']}")
    assert await in_thread(lambda: calendar.get_display_name()) == "我的日历"

    # Create through CalDAV: it shows in the web app, at 09:00 Warsaw = 16:00 Beijing.
    body = VEVENT.format(uid="dispatch-1@thunderbird", title="Warsaw sync", extra="")
    await in_thread(lambda: calendar.save_event(body))
    seen = (
        await client.get(
            "/api/calendar/events",
            params={"start": "2026-03-24T00:00:00+08:00", "end": "2026-03-25T00:00:00+08:00"},
        )
    ).json()
    assert [(o["title"], o["start"]) for o in seen] == [("Warsaw sync", "2026-03-24T08:00:00Z")]
    event_id = seen[0]["event_id"]

    # Update through CalDAV: same event id, new title and time.
    def edit() -> None:
        event = calendar.event_by_uid("dispatch-1@thunderbird")
        event.icalendar_component["summary"] = "Warsaw sync (moved)"
        event.save()

    await in_thread(edit)
    read = (await client.get(f"/api/calendar/events/{event_id}")).json()
    assert read["title"] == "Warsaw sync (moved)"

    # Change in the web app: CalDAV sees it.
    r = await client.patch(f"/api/calendar/events/{event_id}", json={"location": "3号会议室"})
    assert r.status_code == 200, r.text
    fetched = await in_thread(lambda: calendar.event_by_uid("dispatch-1@thunderbird"))
    assert str(fetched.icalendar_component["location"]) == "3号会议室"

    # A web-made recurring event with an exception shows through a time-range search.
    made = await create(client, title="调度会", rrule="FREQ=WEEKLY;BYDAY=MO,TH;COUNT=8")
    r = await client.delete(
        f"/api/calendar/events/{made['id']}", params={"scope": "this", "occurrence": "2026-03-26T09:00"}
    )
    assert r.status_code == 204, r.text
    found = await in_thread(
        lambda: calendar.search(
            start=dt.datetime(2026, 3, 23, tzinfo=dt.UTC),
            end=dt.datetime(2026, 4, 30, tzinfo=dt.UTC),
            event=True,
        )
    )
    titles = sorted(str(e.icalendar_component["summary"]) for e in found)
    assert titles == ["Warsaw sync (moved)", "调度会"]
    series = next(e for e in found if str(e.icalendar_component["summary"]) == "调度会")
    assert "EXDATE" in series.data

    # Delete through CalDAV: gone from the web app.
    await in_thread(lambda: calendar.event_by_uid("dispatch-1@thunderbird").delete())
    assert (await client.get(f"/api/calendar/events/{event_id}")).status_code == 404

    # Delete in the web app: gone from CalDAV.
    await client.delete(f"/api/calendar/events/{made['id']}")
    remaining = await in_thread(lambda: calendar.events())
    assert remaining == []


def basic(login: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{login}:{password}".encode()).decode()}


async def test_etags_and_if_match(client, team):
    await sign_in(client, team["liu"])
    auth = basic("liufeng", await app_password(client))
    cal = (await client.get("/api/calendar/calendars")).json()[0]["id"]
    url = f"/dav/calendars/{team['liu'].id}/{cal}/a.ics"
    body = VEVENT.format(uid="a", title="A", extra="")
    r = await client.put(url, content=body, headers={**auth, "If-None-Match": "*"})
    assert r.status_code == 201, r.text
    etag = r.headers["ETag"]
    # Create-only again: the resource exists.
    r = await client.put(url, content=body, headers={**auth, "If-None-Match": "*"})
    assert r.status_code == 412
    # A stale ETag: 412, nothing changed.
    changed = VEVENT.format(uid="a", title="B", extra="")
    r = await client.put(url, content=changed, headers={**auth, "If-Match": '"stale"'})
    assert r.status_code == 412
    r = await client.get(url, headers=auth)
    assert r.headers["ETag"] == etag and "SUMMARY:A" in r.text
    # The right ETag: 204 and a new ETag.
    r = await client.put(url, content=changed, headers={**auth, "If-Match": etag})
    assert r.status_code == 204, r.text
    assert r.headers["ETag"] != etag
    # A web change changes the ETag too, so a client holding the old one gets 412.
    new_etag = r.headers["ETag"]
    event_id = (
        await client.get(
            "/api/calendar/events",
            params={"start": "2026-03-24T00:00:00Z", "end": "2026-03-25T00:00:00Z"},
        )
    ).json()[0]["event_id"]
    await client.patch(f"/api/calendar/events/{event_id}", json={"title": "C"})
    r = await client.delete(url, headers={**auth, "If-Match": new_etag})
    assert r.status_code == 412
    # Bad data: 403 with the CalDAV precondition, naming what was wrong.
    bad = VEVENT.format(uid="b", title="bad", extra="RRULE:FREQ=SOMETIMES\n")
    r = await client.put(f"/dav/calendars/{team['liu'].id}/{cal}/b.ics", content=bad, headers=auth)
    assert r.status_code == 403 and "valid-calendar-data" in r.text


async def test_who_may_sync_what(client, team, as_person):
    await sign_in(client, team["liu"])
    liu_auth = basic("liufeng", await app_password(client))
    shared = await client.post(
        "/api/calendar/calendars",
        json={
            "name": "县政府日程",
            "shares": [
                {"person_id": team["nie"].id, "level": "read"},
                {"person_id": team["han"].id, "level": "edit"},
            ],
        },
    )
    cal = shared.json()["id"]
    r = await client.put(
        f"/dav/calendars/{team['liu'].id}/{cal}/x.ics",
        content=VEVENT.format(uid="x", title="X", extra=""),
        headers=liu_auth,
    )
    assert r.status_code == 201

    async def auth_of(person: Any, login: str) -> dict[str, str]:
        c = await as_person(person)
        return basic(login, await app_password(c))

    nie = await auth_of(team["nie"], "nierongcheng")
    han = await auth_of(team["han"], "hanxue")
    tao = await auth_of(team["tao"], "taohaifeng")
    body = VEVENT.format(uid="x", title="changed", extra="")
    # Each sees the shared calendar under their own home; the viewer may read, not write.
    assert (await client.get(f"/dav/calendars/{team['nie'].id}/{cal}/x.ics", headers=nie)).status_code == 200
    r = await client.put(f"/dav/calendars/{team['nie'].id}/{cal}/x.ics", content=body, headers=nie)
    assert r.status_code == 403
    r = await client.put(f"/dav/calendars/{team['han'].id}/{cal}/x.ics", content=body, headers=han)
    assert r.status_code == 204
    # An outsider sees nothing; nobody may use someone else's home.
    assert (await client.get(f"/dav/calendars/{team['tao'].id}/{cal}/x.ics", headers=tao)).status_code == 403
    assert (await client.get(f"/dav/calendars/{team['liu'].id}/{cal}/x.ics", headers=tao)).status_code == 403
    # Wrong or missing credentials, the account password, a token under another login: 401.
    assert (await client.get(f"/dav/calendars/{team['liu'].id}/{cal}/x.ics")).status_code == 401
    r = await client.request("PROPFIND", "/dav/", headers={**basic("liufeng", PASSWORD), "Depth": "0"})
    assert r.status_code == 401 and r.headers["WWW-Authenticate"].startswith("Basic")
    wrong_login = {"Authorization": tao["Authorization"].replace("dGFv", "bGl1")}
    assert (await client.request("PROPFIND", "/dav/", headers=wrong_login)).status_code == 401
    # A foreign Origin on a write is refused even with good credentials (cached Basic auth).
    r = await client.delete(
        f"/dav/calendars/{team['liu'].id}/{cal}/x.ics", headers={**liu_auth, "Origin": "https://evil.example"}
    )
    assert r.status_code == 403


async def test_well_known_redirects(client):
    r = await client.request("PROPFIND", "/.well-known/caldav")
    assert r.status_code == 301 and r.headers["Location"] == "/dav/"


SERIES = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Apple Inc.//iOS 18//EN
BEGIN:VEVENT
UID:series-1
DTSTAMP:20260301T000000Z
DTSTART;TZID=Asia/Shanghai:20260323T090000
DTEND;TZID=Asia/Shanghai:20260323T100000
RRULE:FREQ=WEEKLY;BYDAY=MO,TH;COUNT=6
EXDATE;TZID=Asia/Shanghai:20260326T090000
SUMMARY:调度会
END:VEVENT
BEGIN:VEVENT
UID:series-1
DTSTAMP:20260301T000000Z
RECURRENCE-ID;TZID=Asia/Shanghai:20260330T090000
DTSTART;TZID=Asia/Shanghai:20260330T140000
DTEND;TZID=Asia/Shanghai:20260330T150000
SUMMARY:调度会（改到下午）
END:VEVENT
END:VCALENDAR
"""


async def test_a_client_series_with_exceptions_reads_back_in_the_web_app(client, team):
    await sign_in(client, team["liu"])
    auth = basic("liufeng", await app_password(client))
    cal = (await client.get("/api/calendar/calendars")).json()[0]["id"]
    r = await client.put(f"/dav/calendars/{team['liu'].id}/{cal}/series-1.ics", content=SERIES, headers=auth)
    assert r.status_code == 201, r.text
    seen = (
        await client.get(
            "/api/calendar/events",
            params={"start": "2026-03-23T00:00:00+08:00", "end": "2026-04-06T00:00:00+08:00"},
        )
    ).json()
    assert [(o["start_local"][:16], o["title"]) for o in seen] == [
        ("2026-03-23T09:00", "调度会"),
        ("2026-03-30T14:00", "调度会（改到下午）"),
        ("2026-04-02T09:00", "调度会"),
    ]
    # Read back: one resource, the series and its override under one UID.
    r = await client.request(
        "REPORT",
        f"/dav/calendars/{team['liu'].id}/{cal}/",
        headers={**auth, "Depth": "1"},
        content=(
            '<c:calendar-multiget xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">'
            "<d:prop><d:getetag/><c:calendar-data/></d:prop>"
            f"<d:href>/dav/calendars/{team['liu'].id}/{cal}/series-1.ics</d:href>"
            f"<d:href>/dav/calendars/{team['liu'].id}/{cal}/missing.ics</d:href>"
            "</c:calendar-multiget>"
        ),
    )
    assert r.status_code == 207, r.text
    assert r.text.count("RECURRENCE-ID") == 1 and "EXDATE" in r.text and "404 Not Found" in r.text
