"""The scheduling assistant across Warsaw and Beijing, on both sides of the DST changes.

Warsaw works 09–17 (UTC+1 in winter, +2 in summer), Beijing 09–18 (UTC+8 all year). Their
overlap is 08–10 UTC in winter and 07–10 UTC in summer: the week Warsaw changes its clocks, the
suggestions must move with it (the bug peers have: Nextcloud calendar #8654, #6702).
"""

from __future__ import annotations

from tests.calendar.conftest import create


async def suggest(client, people, start: str, end: str, minutes: int = 60, **extra) -> dict:
    r = await client.post(
        "/api/calendar/assistant",
        json={
            "person_ids": [p.id for p in people],
            "duration_minutes": minutes,
            "start": start,
            "end": end,
            **extra,
        },
    )
    assert r.status_code == 200, r.text
    return r.json()


def starts(result: dict) -> list[str]:
    return [s["start"][:16] for s in result["slots"]]


async def test_spring_forward_moves_the_overlap(team, as_person) -> None:
    liu = await as_person(team["liu"])
    people = [team["liu"], team["anna"]]
    result = await suggest(liu, people, "2026-03-27T00:00:00Z", "2026-03-31T00:00:00Z")
    assert starts(result) == [
        # Friday, Warsaw still on CET: 09:00–11:00 Warsaw = 16:00–18:00 Beijing.
        "2026-03-27T08:00",
        "2026-03-27T08:30",
        "2026-03-27T09:00",
        # Monday after the change (Sunday 29 March), CEST: 09:00–12:00 Warsaw = 15:00–18:00 Beijing.
        "2026-03-30T07:00",
        "2026-03-30T07:30",
        "2026-03-30T08:00",
        "2026-03-30T08:30",
        "2026-03-30T09:00",
    ]
    monday = result["slots"][3]["local"]
    assert {(p["tz"], p["start"][11:16]) for p in monday} == {
        ("Asia/Shanghai", "15:00"),
        ("Europe/Warsaw", "09:00"),
    }


async def test_fall_back_moves_it_again(team, as_person) -> None:
    liu = await as_person(team["liu"])
    result = await suggest(liu, [team["liu"], team["anna"]], "2026-10-23T00:00:00Z", "2026-10-27T00:00:00Z")
    assert starts(result) == [
        "2026-10-23T07:00",
        "2026-10-23T07:30",
        "2026-10-23T08:00",
        "2026-10-23T08:30",
        "2026-10-23T09:00",
        "2026-10-26T08:00",
        "2026-10-26T08:30",
        "2026-10-26T09:00",
    ]


async def test_busy_times_and_declines(team, as_person) -> None:
    liu = await as_person(team["liu"])
    # 刘锋 is busy Monday 16:00–17:00 Beijing (08:00–09:00 UTC);
    # Anna is invited to another meeting and declines it.
    await create(liu, title="周会", start="2026-03-30T16:00:00", end="2026-03-30T17:00:00")
    other = await create(
        liu,
        title="评审",
        start="2026-03-30T15:00:00",
        end="2026-03-30T16:00:00",
        attendee_ids=[team["anna"].id],
    )
    anna = await as_person(team["anna"])
    result = await suggest(anna, [team["liu"], team["anna"]], "2026-03-30T00:00:00Z", "2026-03-31T00:00:00Z")
    assert starts(result) == ["2026-03-30T09:00"]  # 刘锋 is in both meetings
    r = await anna.post(
        f"/api/calendar/events/{other['id']}/rsvp", json={"status": "declined", "note": "太晚了"}
    )
    assert r.status_code == 200
    busy = {p["person_id"]: p["busy"] for p in result["people"]}
    # Anna sees that 刘锋 is busy, and the title only of the meeting she is invited to.
    assert sorted(b["title"] or "" for b in busy[team["liu"].id]) == ["", "评审"]
    fb = (
        await anna.post(
            "/api/calendar/freebusy",
            json={
                "person_ids": [team["anna"].id],
                "start": "2026-03-30T00:00:00Z",
                "end": "2026-03-31T00:00:00Z",
            },
        )
    ).json()
    assert fb[0]["busy"] == []  # declined: not busy
    assert fb[0]["tz"] == "Europe/Warsaw"


async def test_room_must_be_free_too_and_bad_input(team, as_person) -> None:
    admin = await as_person(team["admin"])
    room = (await admin.post("/api/calendar/rooms", json={"name": "视频会议室", "capacity": 8})).json()
    await create(
        await as_person(team["tao"]),
        start="2026-03-30T15:00:00",
        end="2026-03-30T17:00:00",
        room_id=room["id"],
    )
    liu = await as_person(team["liu"])
    result = await suggest(
        liu, [team["liu"], team["anna"]], "2026-03-30T00:00:00Z", "2026-03-31T00:00:00Z", room_id=room["id"]
    )
    assert starts(result) == ["2026-03-30T09:00"]
    r = await liu.post(
        "/api/calendar/assistant",
        json={
            "person_ids": [999999],
            "duration_minutes": 30,
            "start": "2026-03-30T00:00:00Z",
            "end": "2026-03-31T00:00:00Z",
        },
    )
    assert r.status_code == 422 and r.json()["fields"][0]["field"] == "body.person_ids"
    r = await liu.post(
        "/api/calendar/assistant",
        json={
            "person_ids": [team["liu"].id],
            "duration_minutes": 30,
            "start": "2026-03-30T00:00:00",
            "end": "2026-03-31T00:00:00Z",
        },
    )
    assert r.status_code == 422 and r.json()["fields"][0]["field"] == "body.start"
