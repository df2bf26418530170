"""Calendar: a week view over a busy calendar, and the scheduling assistant for 20 people.

    python -m bench.calendar [--views 300] [--suggestions 100]

Run it as a module: `python bench/calendar.py` would put bench/ first on sys.path, where this
file shadows the standard library's `calendar`.

One person has 200 recurring series (daily, weekly on days, monthly, some in Europe/Warsaw,
begun up to two years ago) and 5,000 single events over two years; 20 colleagues have 10 weekly or
monthly series and 300 single events each. Measured through HTTP against one `tongban serve` process:
GET /api/calendar/events for a random week (target p99 <= 50 ms), and POST
/api/calendar/assistant for the 20 colleagues over two weeks (target p99 <= 200 ms).
Set TONGBAN_DATABASE_URL to measure on PostgreSQL instead of the embedded SQLite.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import random
import time
import uuid

import httpx

from bench.common import insert_people_with_sessions, installation, percentile, server
from tongban.calendar import recurrence as rec
from tongban.calendar.models import Attendee, Calendar, Event
from tongban.core.config import Settings
from tongban.core.db import Database

PEOPLE = 21  # the one with the busy calendar, and 20 attendees for the assistant
BASE = dt.datetime(2026, 3, 2, 0, 0)  # a Monday; views cover the year around it
RULES = [
    "FREQ=WEEKLY;BYDAY=MO,TH",
    "FREQ=WEEKLY;BYDAY=TU",
    "FREQ=DAILY",
    "FREQ=WEEKLY;INTERVAL=2;BYDAY=WE,FR",
    "FREQ=MONTHLY;BYDAY=2TU",
    "FREQ=MONTHLY;BYMONTHDAY=15",
    "FREQ=DAILY;INTERVAL=3",
    "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;COUNT=300",
]


def event_row(
    rng: random.Random, calendar_id: int, organizer: int, recurring: bool, rules: list[str] = RULES
) -> dict[str, object]:
    tz = "Europe/Warsaw" if rng.random() < 0.2 else "Asia/Shanghai"
    if recurring:
        start = BASE - dt.timedelta(days=rng.randrange(0, 730))
    else:
        start = BASE + dt.timedelta(days=rng.randrange(-365, 365))
    start = start.replace(hour=rng.randrange(8, 18), minute=rng.choice((0, 30)))
    end = start + dt.timedelta(minutes=rng.choice((30, 60, 90)))
    rule = rng.choice(rules) if recurring else None
    timing = dict(tz=tz, start_local=start, end_local=end, rule=rule)
    return {
        "calendar_id": calendar_id,
        "organizer_id": organizer,
        "uid": f"{uuid.uuid4()}@bench",
        "sequence": 0,
        "title": f"{'例会' if recurring else '日程'} {rng.randrange(10_000)}",
        "description": "",
        "location": "",
        "online_url": "",
        "attachments": [],
        "all_day": False,
        "tz": tz,
        "start_local": start,
        "end_local": end,
        "start_utc": rec.to_utc(start, tz),
        "end_utc": rec.to_utc(end, tz),
        "range_end_utc": rec.range_end(**timing),  # type: ignore[arg-type]
        "rrule": rule,
        "wide": rule is not None,
        "exdates": [],
        "status": "confirmed",
        "reminders": [],
        "invited_departments": [],
        "created_at": dt.datetime.now(dt.UTC),
        "updated_at": dt.datetime.now(dt.UTC),
    }


async def populate() -> list[str]:
    rng = random.Random(11)
    db = Database(Settings().resolved_database_url)
    async with db.transaction() as session:
        tokens = await insert_people_with_sessions(session, PEOPLE)
        for pid in range(1, PEOPLE + 1):
            calendar = Calendar(name="我的日历", owner_id=pid, is_default=True, org_level="freebusy")
            session.add(calendar)
            await session.flush()
            # The busy one has every kind of rule; colleagues have weekly and monthly meetings.
            series, singles, rules = (200, 5000, RULES) if pid == 1 else (10, 300, RULES[:2] + RULES[3:6])
            rows = [event_row(rng, calendar.id, pid, True, rules) for _ in range(series)]
            rows += [event_row(rng, calendar.id, pid, False) for _ in range(singles)]
            result = await session.execute(Event.__table__.insert().returning(Event.__table__.c.id), rows)
            ids = list(result.scalars())
            await session.execute(
                Attendee.__table__.insert(),
                [{"event_id": eid, "person_id": pid, "status": "accepted", "note": ""} for eid in ids],
            )
    await db.dispose()
    return tokens


async def measure(url: str, tokens: list[str], views: int, suggestions: int) -> None:
    rng = random.Random(3)
    async with httpx.AsyncClient(
        base_url=f"http://{url}", cookies={"tongban_session": tokens[0]}, timeout=30
    ) as client:

        async def week() -> float:
            monday = BASE + dt.timedelta(weeks=rng.randrange(-26, 26))
            params = {
                "start": monday.replace(tzinfo=dt.timezone(dt.timedelta(hours=8))).isoformat(),
                "end": (monday + dt.timedelta(days=7))
                .replace(tzinfo=dt.timezone(dt.timedelta(hours=8)))
                .isoformat(),
            }
            t = time.perf_counter()
            r = await client.get("/api/calendar/events", params=params)
            elapsed = time.perf_counter() - t
            r.raise_for_status()
            sizes.append(len(r.json()))
            return elapsed

        async def assistant() -> float:
            start = BASE + dt.timedelta(weeks=rng.randrange(-26, 26))
            body = {
                "person_ids": list(range(2, PEOPLE + 1)),
                "duration_minutes": 30,
                "start": start.replace(tzinfo=dt.UTC).isoformat(),
                "end": (start + dt.timedelta(days=14)).replace(tzinfo=dt.UTC).isoformat(),
                "limit": 50,
            }
            t = time.perf_counter()
            r = await client.post("/api/calendar/assistant", json=body, headers={"X-CSRF-Token": "x"})
            elapsed = time.perf_counter() - t
            r.raise_for_status()
            slots.append(len(r.json()["slots"]))
            return elapsed

        sizes: list[int] = []
        slots: list[int] = []
        for _ in range(10):  # warm-up: statement caches, parsed rules
            await week()
            await assistant()
        sizes.clear()
        slots.clear()
        week_times = [await week() for _ in range(views)]
        assistant_times = [await assistant() for _ in range(suggestions)]
    ms = 1000.0
    print(
        f"week view (200 series + 5,000 single events, {sum(sizes) / len(sizes):.0f} occurrences a week): "
        f"p50 {percentile(week_times, 50) * ms:.1f} ms, p99 {percentile(week_times, 99) * ms:.1f} ms "
        f"(target p99 <= 50 ms) over {views} requests"
    )
    print(
        f"assistant (20 people, two weeks, 30-min slots, {sum(slots) / len(slots):.0f} found): "
        f"p50 {percentile(assistant_times, 50) * ms:.1f} ms, p99 {percentile(assistant_times, 99) * ms:.1f} ms "
        f"(target p99 <= 200 ms) over {suggestions} requests"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--views", type=int, default=300)
    parser.add_argument("--suggestions", type=int, default=100)
    args = parser.parse_args()
    with installation() as env:
        os.environ.update(env)
        tokens = asyncio.run(populate())
        database = (
            "PostgreSQL" if env.get("TONGBAN_DATABASE_URL", "").startswith("postgres") else "embedded SQLite"
        )
        print(f"{PEOPLE} people, {5200 + 20 * 310:,} events on {database}")
        with server(env) as (url, _proc):
            asyncio.run(measure(url, tokens, args.views, args.suggestions))


if __name__ == "__main__":
    main()
