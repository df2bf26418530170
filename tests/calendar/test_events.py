"""Events through the API: series, invitations and answers, exceptions, bad input."""

from __future__ import annotations

from sqlalchemy import select

from tests.calendar.conftest import create, meeting, window
from tongban.notify.models import Notification

WEEK = ("2026-03-23T00:00:00+08:00", "2026-03-30T00:00:00+08:00")


async def notifications(db, person) -> list[Notification]:
    async with db.transaction(write=False) as s:
        rows = await s.execute(
            select(Notification).where(Notification.person_id == person.id).order_by(Notification.id)
        )
        return list(rows.scalars())


async def test_twice_weekly_series_invites_a_department_and_answers_reach_the_organiser(
    team, as_person, db
) -> None:
    liu = await as_person(team["liu"])
    event = await create(
        liu, rrule="FREQ=WEEKLY;BYDAY=MO,TH", department_ids=[team["towns"].id], reminders=[15]
    )
    ids = {a["person_id"] for a in event["attendees"]}
    assert ids == {team["liu"].id, team["nie"].id, team["han"].id}
    assert event["attendees"][0]["status"] == "accepted"  # the organiser
    (invite,) = await notifications(db, team["nie"])
    assert invite.title == "刘锋 邀请你参加「调度会」"
    assert invite.link == f"/calendar/events/{event['id']}"

    nie = await as_person(team["nie"])
    occ = await window(nie, *WEEK)
    assert [o["start_local"][:16] for o in occ] == ["2026-03-23T09:00", "2026-03-26T09:00"]
    assert occ[0]["my_status"] == "needs_action" and not occ[0]["can_edit"]

    r = await nie.post(
        f"/api/calendar/events/{event['id']}/rsvp", json={"status": "accepted", "note": "准时参加"}
    )
    assert r.status_code == 200, r.text
    seen = (
        await (await liu.get(f"/api/calendar/events/{event['id']}")).aclose()
        or (await liu.get(f"/api/calendar/events/{event['id']}")).json()
    )
    nie_row = next(a for a in seen["attendees"] if a["person_id"] == team["nie"].id)
    assert (nie_row["status"], nie_row["note"]) == ("accepted", "准时参加")
    answers = await notifications(db, team["liu"])
    assert answers[-1].title == "聂荣成 接受了「调度会」"
    assert "准时参加" in answers[-1].body


async def test_invitation_is_written_in_the_invitees_language_and_zone(team, as_person, db) -> None:
    liu = await as_person(team["liu"])
    await create(liu, attendee_ids=[team["anna"].id])
    (invite,) = await notifications(db, team["anna"])
    assert invite.title == "刘锋 invited you to “调度会”"
    assert invite.body.startswith("2026-03-23 02:00 (Europe/Warsaw)")


async def test_edit_one_occurrence_then_this_and_following(team, as_person) -> None:
    liu = await as_person(team["liu"])
    event = await create(liu, rrule="FREQ=WEEKLY;BYDAY=MO,TH", attendee_ids=[team["nie"].id])
    eid = event["id"]
    # Move Thursday's meeting to the afternoon, only that one.
    r = await liu.patch(
        f"/api/calendar/events/{eid}",
        params={"scope": "this", "occurrence": "2026-03-26T09:00:00"},
        json={"start": "2026-03-26T15:00:00", "end": "2026-03-26T16:00:00", "title": "调度会（改期）"},
    )
    assert r.status_code == 200, r.text
    assert r.json()["parent_id"] == eid
    occ = await window(liu, *WEEK)
    assert [(o["title"], o["start_local"][11:16]) for o in occ] == [
        ("调度会", "09:00"),
        ("调度会（改期）", "15:00"),
    ]
    assert occ[1]["event_id"] == eid and occ[1]["occurrence"] == "2026-03-26T09:00:00"
    # Cancel next Monday only.
    r = await liu.delete(
        f"/api/calendar/events/{eid}", params={"scope": "this", "occurrence": "2026-03-30T09:00:00"}
    )
    assert r.status_code == 204
    nxt = await window(liu, "2026-03-30T00:00:00+08:00", "2026-04-06T00:00:00+08:00")
    assert [o["start_local"][:10] for o in nxt] == ["2026-04-02"]
    # From 2026-04-06 on, the meeting is at 10:00.
    r = await liu.patch(
        f"/api/calendar/events/{eid}",
        params={"scope": "following", "occurrence": "2026-04-06T09:00:00"},
        json={"start": "2026-04-06T10:00:00", "end": "2026-04-06T11:00:00"},
    )
    assert r.status_code == 200, r.text
    tail = r.json()
    assert tail["id"] != eid and tail["rrule"] == "FREQ=WEEKLY;BYDAY=MO,TH"
    assert {a["person_id"] for a in tail["attendees"]} == {team["liu"].id, team["nie"].id}
    span = await window(liu, "2026-04-02T00:00:00+08:00", "2026-04-10T00:00:00+08:00")
    assert [o["start_local"][5:16] for o in span] == ["04-02T09:00", "04-06T10:00", "04-09T10:00"]
    head = (await liu.get(f"/api/calendar/events/{eid}")).json()
    assert "UNTIL=" in head["rrule"]
    # The invitee still sees both halves.
    nie = await as_person(team["nie"])
    assert len(await window(nie, "2026-04-02T00:00:00+08:00", "2026-04-10T00:00:00+08:00")) == 3


async def test_delete_following_and_series(team, as_person) -> None:
    liu = await as_person(team["liu"])
    event = await create(liu, rrule="FREQ=DAILY;COUNT=10")
    r = await liu.delete(
        f"/api/calendar/events/{event['id']}",
        params={"scope": "following", "occurrence": "2026-03-25T09:00:00"},
    )
    assert r.status_code == 204
    assert len(await window(liu, "2026-03-20T00:00:00+08:00", "2026-04-10T00:00:00+08:00")) == 2
    r = await liu.delete(f"/api/calendar/events/{event['id']}")
    assert r.status_code == 204
    assert await window(liu, "2026-03-20T00:00:00+08:00", "2026-04-10T00:00:00+08:00") == []


async def test_bad_input_names_the_field(team, as_person) -> None:
    liu = await as_person(team["liu"])
    cases = [
        (meeting(end="2026-03-23T08:00:00"), "body.end"),
        (meeting(rrule="FREQ=SOMETIMES"), "body.rrule"),
        (meeting(tz="Mars/Olympus"), "body.tz"),
        (meeting(attendee_ids=[999999]), "body.attendee_ids"),
        (meeting(room_id=424242), "body.room_id"),
        (meeting(all_day=True), "body.start"),
        (meeting(reminders=[-5]), "body.reminders"),
    ]
    for body, field in cases:
        r = await liu.post("/api/calendar/events", json=body, headers={"Accept-Language": "en-US"})
        assert r.status_code == 422, (body, r.text)
        assert r.json()["fields"][0]["field"] == field, r.text
    r = await liu.patch("/api/calendar/events/1", params={"scope": "this"}, json={"title": "x"})
    assert r.status_code == 422 and r.json()["fields"][0]["field"] == "query.occurrence"
    event = await create(liu, rrule="FREQ=WEEKLY")
    r = await liu.patch(
        f"/api/calendar/events/{event['id']}",
        params={"scope": "this", "occurrence": "2026-03-24T09:00:00"},
        json={"title": "x"},
    )
    assert r.status_code == 422 and r.json()["fields"][0]["field"] == "query.occurrence"
    r = await liu.get(
        "/api/calendar/events", params={"start": "2026-03-23T00:00:00", "end": "2026-03-24T00:00:00+08:00"}
    )
    assert r.status_code == 422 and r.json()["fields"][0]["field"] == "query.start"


async def test_others_cannot_edit_and_strangers_cannot_see(team, as_person) -> None:
    liu = await as_person(team["liu"])
    event = await create(liu, attendee_ids=[team["nie"].id])
    nie, tao = await as_person(team["nie"]), await as_person(team["tao"])
    assert (await nie.patch(f"/api/calendar/events/{event['id']}", json={"title": "改"})).status_code == 403
    assert (await tao.get(f"/api/calendar/events/{event['id']}")).status_code == 404
    assert (
        await tao.post(f"/api/calendar/events/{event['id']}/rsvp", json={"status": "accepted"})
    ).status_code == 404
    # A colleague sees only that 刘锋 is busy (his calendar shares busy times by default).
    occ = await window(tao, *WEEK, calendar_id=event["calendar_id"])
    assert occ and occ[0]["busy_only"] and occ[0]["title"] == ""


async def test_shared_calendar_with_a_department(team, as_person) -> None:
    liu = await as_person(team["liu"])
    r = await liu.post(
        "/api/calendar/calendars",
        json={
            "name": "县政府日程",
            "shares": [
                {"department_id": team["towns"].id, "level": "read"},
                {"person_id": team["han"].id, "level": "edit"},
            ],
        },
    )
    assert r.status_code == 201, r.text
    cal = r.json()
    assert {s["name"] for s in cal["shares"]} == {"乡镇", "韩雪"}
    await create(liu, calendar_id=cal["id"])
    nie, han, tao = await as_person(team["nie"]), await as_person(team["han"]), await as_person(team["tao"])
    listed = {c["id"]: c for c in (await nie.get("/api/calendar/calendars")).json()}
    assert listed[cal["id"]]["level"] == "read" and listed[cal["id"]]["shares"] is None
    assert [o["title"] for o in await window(nie, *WEEK, calendar_id=cal["id"])] == ["调度会"]
    assert (await nie.post("/api/calendar/events", json=meeting(calendar_id=cal["id"]))).status_code == 403
    assert (await han.post("/api/calendar/events", json=meeting(calendar_id=cal["id"]))).status_code == 201
    assert cal["id"] not in {c["id"] for c in (await tao.get("/api/calendar/calendars")).json()}
    # Hide it: it leaves nie's default view.
    assert (
        await nie.patch(f"/api/calendar/calendars/{cal['id']}/me", json={"visible": False})
    ).status_code == 200
    assert await window(nie, *WEEK) == []


async def test_rooms_refuse_double_booking_with_the_conflict_named(team, as_person) -> None:
    admin = await as_person(team["admin"])
    room = (
        await admin.post(
            "/api/calendar/rooms", json={"name": "三楼会议室", "capacity": 20, "equipment": ["投影"]}
        )
    ).json()
    liu, han = await as_person(team["liu"]), await as_person(team["han"])
    assert (await liu.post("/api/calendar/rooms", json={"name": "x"})).status_code == 403
    series = await create(liu, rrule="FREQ=WEEKLY;BYDAY=MO,TH", room_id=room["id"])
    assert series["room"]["name"] == "三楼会议室" and series["location"] == "三楼会议室"
    # Three weeks on, a Thursday 09:30 booking clashes with the series.
    r = await han.post(
        "/api/calendar/events",
        json=meeting(
            title="培训", start="2026-04-09T09:30:00", end="2026-04-09T10:30:00", room_id=room["id"]
        ),
        headers={"Accept-Language": "en-US"},
    )
    assert r.status_code == 409, r.text
    assert r.json()["message"] == "Room “三楼会议室” is already booked at 2026-04-09 09:00 by “调度会”"
    # Right after is fine; so is the slot freed by cancelling one occurrence.
    assert (
        await han.post(
            "/api/calendar/events",
            json=meeting(start="2026-04-09T10:00:00", end="2026-04-09T11:00:00", room_id=room["id"]),
        )
    ).status_code == 201
    await liu.delete(
        f"/api/calendar/events/{series['id']}", params={"scope": "this", "occurrence": "2026-04-13T09:00:00"}
    )
    assert (
        await han.post(
            "/api/calendar/events",
            json=meeting(start="2026-04-13T09:00:00", end="2026-04-13T10:00:00", room_id=room["id"]),
        )
    ).status_code == 201
    sched = (
        await han.get(
            f"/api/calendar/rooms/{room['id']}/schedule",
            params={"start": "2026-04-13T00:00:00+08:00", "end": "2026-04-14T00:00:00+08:00"},
        )
    ).json()
    assert len(sched) == 1
    # Moving the series' Thursday onto the new 10:00 booking clashes too.
    r = await liu.patch(
        f"/api/calendar/events/{series['id']}",
        params={"scope": "this", "occurrence": "2026-04-09T09:00:00"},
        json={"start": "2026-04-09T10:00:00", "end": "2026-04-09T11:00:00"},
    )
    assert r.status_code == 409


async def test_reminders_fire_once_and_move_to_the_next_occurrence(team, as_person, db) -> None:
    import datetime as dt

    from tongban.calendar.models import ReminderDue
    from tongban.calendar.reminders import fire_due

    liu = await as_person(team["liu"])
    event = await create(
        liu,
        rrule="FREQ=DAILY;COUNT=3",
        reminders=[15],
        attendee_ids=[team["nie"].id],
        start="2027-01-01T09:00:00",
        end="2027-01-01T10:00:00",
    )
    async with db.transaction() as s:
        due = await s.get(ReminderDue, event["id"])
        assert due.fire_at == dt.datetime(2027, 1, 1, 0, 45, tzinfo=dt.UTC)
        assert await fire_due(s, now=dt.datetime(2027, 1, 1, 0, 44, tzinfo=dt.UTC)) == 0
        assert await fire_due(s, now=dt.datetime(2027, 1, 1, 0, 45, 30, tzinfo=dt.UTC)) == 1
        assert await fire_due(s, now=dt.datetime(2027, 1, 1, 0, 46, tzinfo=dt.UTC)) == 0
        due = await s.get(ReminderDue, event["id"])
        assert due.fire_at == dt.datetime(2027, 1, 2, 0, 45, tzinfo=dt.UTC)
    titles = [n.title for n in await notifications(db, team["nie"])]
    assert titles[-1] == "「调度会」将于 2027-01-01 09:00 (Asia/Shanghai) 开始"


async def test_subscribe_to_a_colleague_busy_times_or_details_as_they_allow(team, as_person) -> None:
    liu, tao = await as_person(team["liu"]), await as_person(team["tao"])
    await create(liu, title="预算评审")
    assert await window(tao, *WEEK) == []  # not in tao's view until he subscribes
    r = await tao.post("/api/calendar/subscriptions", json={"person_id": team["liu"].id})
    assert r.status_code == 201, r.text
    sub = r.json()
    assert (sub["level"], sub["owner_name"]) == ("freebusy", "刘锋")
    (occ,) = await window(tao, *WEEK)
    assert occ["busy_only"] and occ["title"] == ""
    # 刘锋 opens his details to everyone.
    mine = next(c for c in (await liu.get("/api/calendar/calendars")).json() if c["is_default"])
    assert (
        await liu.patch(f"/api/calendar/calendars/{mine['id']}", json={"org_level": "read"})
    ).status_code == 200
    (occ,) = await window(tao, *WEEK)
    assert occ["title"] == "预算评审" and not occ["can_edit"]
    assert (await tao.delete(f"/api/calendar/calendars/{sub['id']}/me")).status_code == 204
    assert await window(tao, *WEEK) == []
    # Closed to everyone: no subscription.
    await liu.patch(f"/api/calendar/calendars/{mine['id']}", json={"clear_org_level": True})
    assert (
        await tao.post("/api/calendar/subscriptions", json={"person_id": team["liu"].id})
    ).status_code == 403
