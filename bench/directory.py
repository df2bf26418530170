"""Directory search and sign-in with 10,000 people.

    python -m bench.directory [--people 10000] [--searches 1000] [--logins 100]

Prints p50/p99 of searches by pinyin initials (through HTTP, one `tongban serve` process) and of
sign-ins (real argon2id cost). Targets: search p99 <= 30 ms, sign-in p99 <= 150 ms.
Set TONGBAN_DATABASE_URL to measure on PostgreSQL instead of the embedded SQLite.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time

import httpx

from bench.common import installation, percentile, random_names, server
from tongban.auth.models import Credential
from tongban.auth.passwords import hash_password
from tongban.core.config import Settings
from tongban.core.db import Database
from tongban.org.models import Department, Membership, Person
from tongban.org.pinyin import search_keys

PASSWORD = "bench-pass-1"


async def populate(count: int) -> list[str]:
    settings = Settings()
    db = Database(settings.resolved_database_url)
    password_hash = await hash_password(  # the production cost
        PASSWORD, time_cost=settings.argon2_time_cost, memory_kib=settings.argon2_memory_kib
    )
    names = random_names(count)
    initials: list[str] = []
    async with db.transaction() as session:
        root = Department(name="基准测试组织", parent_id=None)
        session.add(root)
        await session.flush()
        root.path = f"/{root.id}/"
        depts = []
        for i in range(50):
            d = Department(name=f"部门{i}", parent_id=root.id)
            session.add(d)
            await session.flush()
            d.path = f"{root.path}{d.id}/"
            depts.append(d)
        people, members, creds = [], [], []
        for i, name in enumerate(names, start=1):
            full, init = search_keys(name)
            initials.append(init.split()[0])
            people.append(
                {
                    "id": i,
                    "username": f"u{i}",
                    "name": name,
                    "name_pinyin": full,
                    "name_initials": init,
                    "mobile": f"138{i:08d}",
                    "email": f"u{i}@bench.example",
                    "title": "科员",
                    "timezone": "Asia/Shanghai",
                    "locale": "zh-CN",
                    "working_hours": {"start": "09:00", "end": "18:00", "days": [1, 2, 3, 4, 5]},
                    "active": True,
                }
            )
            members.append(
                {"person_id": i, "department_id": depts[i % 50].id, "is_primary": True, "sort_order": 0}
            )
            creds.append({"person_id": i, "password_hash": password_hash})
        await session.execute(Person.__table__.insert(), people)
        await session.execute(Membership.__table__.insert(), members)
        await session.execute(Credential.__table__.insert(), creds)
    await db.dispose()
    return initials


async def measure(url: str, initials: list[str], searches: int, logins: int, people: int) -> None:
    rng = random.Random(1)
    async with httpx.AsyncClient(base_url=f"http://{url}", timeout=30) as client:
        login_ms = []
        for _ in range(logins):
            who = f"u{rng.randint(1, people)}"
            t0 = time.perf_counter()
            r = await client.post("/api/auth/login", json={"login": who, "password": PASSWORD})
            login_ms.append((time.perf_counter() - t0) * 1000)
            assert r.status_code == 200, r.text
        search_ms, hits = [], 0
        for _ in range(10):  # warm-up
            await client.get("/api/org/people", params={"q": rng.choice(initials)})
        for _ in range(searches):
            q = rng.choice(initials)[: rng.choice((2, 3))]
            t0 = time.perf_counter()
            r = await client.get("/api/org/people", params={"q": q, "limit": 20})
            search_ms.append((time.perf_counter() - t0) * 1000)
            assert r.status_code == 200, r.text
            hits += len(r.json()["items"])
    print(f"people: {people}")
    print(f"search by pinyin initials: {searches} requests, {hits / searches:.1f} results each on average")
    print(
        f"  p50 {percentile(search_ms, 50):.1f} ms   p99 {percentile(search_ms, 99):.1f} ms   (target p99 <= 30 ms)"
    )
    print(f"sign-in (argon2id at the production cost: 19 MiB, 2 passes): {logins} requests")
    print(
        f"  p50 {percentile(login_ms, 50):.1f} ms   p99 {percentile(login_ms, 99):.1f} ms   (target p99 <= 150 ms)"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--searches", type=int, default=1000)
    parser.add_argument("--logins", type=int, default=100)
    args = parser.parse_args()
    with installation() as env:
        import os

        os.environ.update(env)
        initials = asyncio.run(populate(args.people))
        with server(env) as (url, _proc):
            asyncio.run(measure(url, initials, args.searches, args.logins, args.people))


if __name__ == "__main__":
    main()
