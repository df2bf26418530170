"""iCalendar out and in: real files from Outlook, Exchange and Google, a round trip, the feed."""

from __future__ import annotations

from pathlib import Path

import icalendar

from tests.calendar.conftest import create, window

DATA = Path(__file__).parent / "data"
SAMPLES = Path(icalendar.__file__).parent / "tests" / "calendars"  # the icalendar package's own test data
SPRING = ("2026-03-01T00:00:00Z", "2026-05-01T00:00:00Z")


async def my_calendar(client) -> int:
    return next(c["id"] for c in (await client.get("/api/calendar/calendars")).json() if c["is_default"])


async def upload(client, calendar_id: int, data: bytes, confirm: bool = False):
    return await client.post(
        f"/api/calendar/calendars/{calendar_id}/import",
        params={"confirm": str(confirm).lower()},
        files={"file": ("in.ics", data, "text/calendar")},
    )


async def test_outlook_series_with_a_moved_and_a_cancelled_occurrence(team, as_person) -> None:
    liu = await as_person(team["liu"])
    cid = await my_calendar(liu)
    r = await upload(liu, cid, (DATA / "outlook_series_with_exceptions.ics").read_bytes())
    assert r.status_code == 200, r.text
    assert r.json()["committed"] and r.json()["imported"] == 2 and r.json()["problems"] == []
    occ = await window(liu, *SPRING)
    # Outlook's "Central European Standard Time" is read as Europe/Berlin: 09:00 stays 09:00 after 29 March.
    assert [(o["title"], o["start"][:16]) for o in occ] == [
        ("Warsaw sync", "2026-03-16T08:00"),
        ("Warsaw sync (moved)", "2026-03-30T09:00"),
        ("Warsaw sync", "2026-04-13T07:00"),
        ("Warsaw sync", "2026-04-20T07:00"),
    ]
    event = (await liu.get(f"/api/calendar/events/{occ[0]['event_id']}")).json()
    assert event["tz"] == "Europe/Berlin" and event["reminders"] == [15]
    # Importing the same file again replaces, not duplicates.
    assert (
        await upload(liu, cid, (DATA / "outlook_series_with_exceptions.ics").read_bytes())
    ).status_code == 200
    assert len(await window(liu, *SPRING)) == 4


async def test_exchange_and_google_samples(team, as_person) -> None:
    liu = await as_person(team["liu"])
    cid = await my_calendar(liu)
    # Exchange: a custom VTIMEZONE name and "BYDAY=MO, TU, ..." with spaces.
    r = await upload(liu, cid, (SAMPLES / "issue_165_missing_event.ics").read_bytes())
    assert r.status_code == 200 and r.json()["committed"], r.text
    occ = await window(liu, "2015-07-01T00:00:00Z", "2015-08-01T00:00:00Z")
    assert len(occ) == 14 and {o["start"][11:16] for o in occ} == {"08:00"}  # 10:00 CEST
    # Google: a weekday series in Europe/Zurich with Apple's structured location.
    r = await upload(liu, cid, (SAMPLES / "x_location.ics").read_bytes())
    assert r.status_code == 200 and r.json()["committed"], r.text
    occ = await window(liu, "2016-10-28T00:00:00Z", "2016-11-05T00:00:00Z")
    assert [o["start"][:16] for o in occ][:3] == ["2016-10-28T12:00", "2016-10-31T13:00", "2016-11-01T13:00"]


async def test_a_file_with_problems_is_imported_only_when_confirmed(team, as_person) -> None:
    liu = await as_person(team["liu"])
    cid = await my_calendar(liu)
    bad = (
        (DATA / "outlook_series_with_exceptions.ics")
        .read_bytes()
        .replace(
            b"END:VCALENDAR",
            b"BEGIN:VEVENT\r\nUID:bad-1\r\nSUMMARY:Broken\r\n"
            b"DTSTART:20260401T100000Z\r\nDTEND:20260401T090000Z\r\nEND:VEVENT\r\n"
            b"BEGIN:VEVENT\r\nUID:bad-2\r\nSUMMARY:Bad rule\r\n"
            b"DTSTART:20260401T100000Z\r\nRRULE:FREQ=SOMETIMES\r\nEND:VEVENT\r\n"
            b"END:VCALENDAR",
        )
    )
    r = await upload(liu, cid, bad)
    assert r.status_code == 200, r.text
    report = r.json()
    assert not report["committed"] and report["imported"] == 0 and len(report["problems"]) == 2
    assert "Broken" in report["problems"][0] and "Bad rule" in report["problems"][1]
    assert await window(liu, *SPRING) == []  # nothing half-imported
    r = await upload(liu, cid, bad, confirm=True)
    assert r.json()["committed"] and r.json()["imported"] == 2
    assert len(await window(liu, *SPRING)) == 4


async def test_unreadable_file_is_a_422(team, as_person) -> None:
    liu = await as_person(team["liu"])
    cid = await my_calendar(liu)
    for data in (b"this is not a calendar", (SAMPLES / "broken_ical.ics").read_bytes()):
        r = await upload(liu, cid, data)
        assert r.status_code in (200, 422), r.text
        if r.status_code == 422:
            assert r.json()["fields"][0]["field"] == "body.file"
        else:
            assert not r.json()["committed"] and r.json()["problems"]


async def test_round_trip_and_the_private_feed(team, as_person, client) -> None:
    liu = await as_person(team["liu"])
    event = await create(liu, rrule="FREQ=WEEKLY;BYDAY=MO,TH;COUNT=6", tz="Europe/Warsaw", reminders=[10])
    await liu.patch(
        f"/api/calendar/events/{event['id']}",
        params={"scope": "this", "occurrence": "2026-03-26T09:00:00"},
        json={"title": "调度会（改期）", "start": "2026-03-26T14:00:00", "end": "2026-03-26T15:00:00"},
    )
    await liu.delete(
        f"/api/calendar/events/{event['id']}", params={"scope": "this", "occurrence": "2026-03-30T09:00:00"}
    )
    before = [(o["title"], o["start"]) for o in await window(liu, *SPRING)]
    r = await liu.get(f"/api/calendar/calendars/{event['calendar_id']}/export.ics")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/calendar")
    text = r.text
    assert (
        "BEGIN:VTIMEZONE" in text
        and "TZID:Europe/Warsaw" in text
        and "RECURRENCE-ID;TZID=Europe/Warsaw" in text
    )
    assert "EXDATE;TZID=Europe/Warsaw:20260330T090000" in text.replace("\r\n ", "")
    # Into another person's calendar: the same occurrences.
    han = await as_person(team["han"])
    assert (await upload(han, await my_calendar(han), r.content)).json()["imported"] == 2
    assert [(o["title"], o["start"]) for o in await window(han, *SPRING)] == before
    # The feed: no session needed, revocable.
    url = (await liu.post(f"/api/calendar/calendars/{event['calendar_id']}/feed")).json()["url"]
    feed = await client.get(url)
    assert feed.status_code == 200 and "调度会" in feed.text
    assert (await liu.delete(f"/api/calendar/calendars/{event['calendar_id']}/feed")).status_code == 204
    assert (await client.get(url)).status_code == 404
