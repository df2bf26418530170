"""A default calendar stores no name: each viewer reads it in their own language."""

from __future__ import annotations

from tests.factories import sign_in


async def test_default_calendar_name_follows_the_viewer(client, team, as_person, db):
    await sign_in(client, team["liu"])
    mine = (await client.get("/api/calendar/calendars")).json()[0]
    assert mine["is_default"] and mine["name"] == "我的日历"
    english = (await client.get("/api/calendar/calendars", headers={"Accept-Language": "en-US"})).json()[0]
    assert english["name"] in ("我的日历", "My calendar")  # the profile's language wins over the header

    anna = await as_person(team["anna"])  # her profile says en-US
    assert (await anna.get("/api/calendar/calendars")).json()[0]["name"] == "My calendar"
    subscribed = await anna.post("/api/calendar/subscriptions", json={"person_id": team["liu"].id})
    assert subscribed.status_code == 201, subscribed.text
    assert subscribed.json()["name"] == "刘锋’s calendar"
    nie = await as_person(team["nie"])
    r = await nie.post("/api/calendar/subscriptions", json={"person_id": team["liu"].id})
    assert r.json()["name"] == "刘锋的日历"

    from sqlalchemy import select

    from tongban.calendar.models import Calendar

    async with db.transaction() as session:
        stored = (await session.execute(select(Calendar.name).where(Calendar.id == mine["id"]))).scalar_one()
    assert stored == ""
