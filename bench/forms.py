"""Forms under load: one embedded `tongban serve` (SQLite), the J4 disaster form at county scale.

    python -m bench.forms [--quick] [--submissions 100000] [--seconds 10] [--writers 16]

Bulk-loads `--submissions` submissions of the 灾情统计 template (each with 3 crop rows on
average, so 100,000 submissions hold 300,000 sub-table rows) straight into the tables, then
against the running server measures:

- statistics: GET /stats grouped by township × crop with the sums of area and loss (the
  dashboard's query), p50/p99 over 60 requests (target p99 <= 300 ms);
- submit throughput: `--writers` concurrent reporters posting full submissions for
  `--seconds` (target >= 200 submissions/s);
- dashboard freshness: a submission's `forms.submitted` event reaching the owner's socket, plus
  the refetch of the statistics it triggers (target <= 1 s), p50/p99 over 20 submissions.

`--quick` loads 5,000 submissions and runs 3 s: a smoke check.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import time
from typing import Any

import httpx
import websockets

from bench.common import (
    insert_people_with_sessions,
    installation,
    percentile,
    raise_fd_limit,
    rss_kib,
    server,
)
from tongban.core.config import Settings
from tongban.core.db import Database, utcnow
from tongban.core.permissions import Actor
from tongban.forms import rollup
from tongban.forms.models import AppGrant, Form, FormVersion, Submission, SubmissionRow
from tongban.forms.rows import flatten
from tongban.forms.schema import FormSchema
from tongban.forms.templates import do_install
from tongban.org.models import Department

CSRF = "bench-csrf"
TOWNSHIPS = ["海口镇", "沙埕镇", "前岐镇", "秦屿镇", "店下镇", "桐山街道", "点头镇", "白琳镇", "硖门乡"]
CROPS = ["rice", "wheat", "cabbage", "other"]
WRITERS = 200


def values(rng: random.Random, town: int) -> dict[str, Any]:
    crops = rng.sample(CROPS, rng.choice((2, 3, 4)))
    rows = [
        {"crop": c, "area": round(rng.uniform(1, 200), 2), "loss": round(rng.uniform(100, 90000), 2)}
        for c in crops
    ]
    return {"township": town, "crops": rows, "remarks": "台风过境"}


async def populate(count: int) -> tuple[list[str], int, list[int]]:
    db = Database(Settings().resolved_database_url)
    rng = random.Random(4)
    async with db.transaction() as session:
        tokens = await insert_people_with_sessions(session, 1 + WRITERS, CSRF)
        towns = []
        for name in TOWNSHIPS:
            dept = Department(name=name, parent_id=None)
            session.add(dept)
            await session.flush()
            dept.path = f"/{dept.id}/"
            towns.append(dept.id)
        owner = Actor(person_id=1, name="陶海锋", locale="zh-CN")
        app = await do_install(session, owner, "disaster")
        session.add(AppGrant(app_id=app.id, role="submit"))
        form = (await session.execute(Form.__table__.select().where(Form.app_id == app.id))).one()
        form_id, slots, version_id = form.id, form.slots, form.version_id
        version = await session.get(FormVersion, version_id)
        assert version is not None
        schema = FormSchema.model_validate(version.schema)
    # Bulk load in batches of one transaction each, ids assigned here so rows can point at them.
    batch = 5000
    next_id = 1
    for start in range(0, count, batch):
        subs, rows = [], []
        now = utcnow()
        for _ in range(min(batch, count - start)):
            submitter = rng.randint(2, WRITERS + 1)
            v = values(rng, rng.choice(towns))
            v["total_area"] = round(sum(r["area"] for r in v["crops"]), 2)
            v["total_loss"] = round(sum(r["loss"] for r in v["crops"]), 2)
            subs.append(
                {
                    "id": next_id,
                    "form_id": form_id,
                    "version_id": version_id,
                    "submitter_id": submitter,
                    "department_id": None,
                    "values": v,
                    "late": False,
                    "created_at": now,
                    "updated_at": now,
                }
            )
            for table, index, cells in flatten(schema, slots, v):
                rows.append(
                    {
                        "form_id": form_id,
                        "submission_id": next_id,
                        "table": table,
                        "task_id": None,
                        "row_index": index,
                        "submitter_id": submitter,
                        "department_id": None,
                        "created_at": now,
                        **{f"t{i}": cells.get(f"t{i}") for i in range(12)},
                        **{f"n{i}": cells.get(f"n{i}") for i in range(12)},
                    }
                )
            next_id += 1
        async with db.transaction() as session:
            await session.execute(Submission.__table__.insert(), subs)
            await session.execute(SubmissionRow.__table__.insert(), rows)
    async with db.transaction() as session:
        from sqlalchemy import func, select, text

        sub_rows = (
            await session.execute(
                select(func.count()).select_from(SubmissionRow).where(SubmissionRow.table == "crops")
            )
        ).scalar_one()
        await rollup.rebuild(session, form_id)
        await session.execute(text("ANALYZE"))
    await db.dispose()
    print(f"loaded {count:,} submissions with {sub_rows:,} crop rows")
    return tokens, form_id, towns


def headers(tokens: list[str], person: int) -> dict[str, str]:
    return {"Cookie": f"tongban_session={tokens[person - 1]}", "X-CSRF-Token": CSRF}


STATS = {"group_by": ["township", "crops.crop"], "measure": ["sum:crops.area", "sum:crops.loss"]}


# A filter on a number cannot be answered from the rollup: the same query over the 300,000 rows.
SCAN = {**STATS, "filters": '[{"field": "crops.area", "op": "ge", "value": 0}]'}


async def measure_stats(
    url: str, tokens: list[str], form_id: int, runs: int, params: dict[str, Any] = STATS, what: str = "rollup"
) -> list[float]:
    times: list[float] = []
    async with httpx.AsyncClient(base_url=f"http://{url}", headers=headers(tokens, 1), timeout=30) as c:
        for i in range(runs + 3):
            t0 = time.perf_counter()
            r = await c.get(f"/api/forms/forms/{form_id}/stats", params=params)
            elapsed = (time.perf_counter() - t0) * 1000
            assert r.status_code == 200, r.text
            if i >= 3:  # the first few fill the page cache and statement caches
                times.append(elapsed)
        groups = len(r.json()["groups"])
    print(
        f"stats township × crop from the {what} ({groups} groups, sums of area and loss): "
        f"p50 {percentile(times, 50):.0f} ms, p99 {percentile(times, 99):.0f} ms (target p99 <= 300 ms)"
    )
    return times


async def measure_submit(
    url: str, tokens: list[str], form_id: int, towns: list[int], seconds: float, writers: int
) -> float:
    done = 0
    failed = 0
    stop = time.monotonic() + seconds

    async def writer(person: int) -> None:
        nonlocal done, failed
        rng = random.Random(person)
        async with httpx.AsyncClient(
            base_url=f"http://{url}", headers=headers(tokens, person), timeout=30
        ) as c:
            while time.monotonic() < stop:
                v = values(rng, rng.choice(towns))
                r = await c.post(f"/api/forms/forms/{form_id}/submissions", json={"values": v})
                if r.status_code == 201:
                    done += 1
                else:
                    failed += 1

    t0 = time.monotonic()
    await asyncio.gather(*(writer(p) for p in range(2, 2 + writers)))
    rate = done / (time.monotonic() - t0)
    print(
        f"submit: {rate:.0f} submissions/s with {writers} concurrent reporters ({failed} failed; target >= 200/s)"
    )
    return rate


async def measure_dashboard(url: str, tokens: list[str], form_id: int, towns: list[int], runs: int) -> None:
    ws = await websockets.connect(
        f"ws://{url}/api/events",
        additional_headers={"Cookie": f"tongban_session={tokens[0]}"},
        compression=None,
        open_timeout=60,
        ping_interval=None,
    )
    await ws.recv()  # hello
    latencies: list[float] = []
    rng = random.Random(9)
    async with (
        httpx.AsyncClient(base_url=f"http://{url}", headers=headers(tokens, 2), timeout=30) as reporter,
        httpx.AsyncClient(base_url=f"http://{url}", headers=headers(tokens, 1), timeout=30) as owner,
    ):
        for _ in range(runs):
            t0 = time.perf_counter()
            r = await reporter.post(
                f"/api/forms/forms/{form_id}/submissions", json={"values": values(rng, towns[0])}
            )
            sid = r.json()["id"]
            while True:
                frame = json.loads(await asyncio.wait_for(ws.recv(), 10))
                event = frame.get("event") or {}
                if event.get("type") == "forms.submitted" and event.get("submission_id") == sid:
                    break
            r = await owner.get(f"/api/forms/forms/{form_id}/stats", params=STATS)
            assert r.status_code == 200
            latencies.append((time.perf_counter() - t0) * 1000)
    await ws.close()
    print(
        f"dashboard fresh after a submission (submit → event → refetched totals): "
        f"p50 {percentile(latencies, 50):.0f} ms, p99 {percentile(latencies, 99):.0f} ms (target <= 1000 ms)"
    )


async def run(
    url: str, pid: int, tokens: list[str], form_id: int, towns: list[int], args: argparse.Namespace
) -> None:
    await measure_stats(url, tokens, form_id, 60)
    await measure_stats(url, tokens, form_id, 10, SCAN, "rows (numeric filter, no rollup)")
    await measure_submit(url, tokens, form_id, towns, args.seconds, args.writers)
    await measure_dashboard(url, tokens, form_id, towns, 20)
    await measure_stats(url, tokens, form_id, 20)
    print(f"server RSS {rss_kib(pid) / 1024:.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="5,000 submissions, 3 s: a smoke check")
    parser.add_argument("--submissions", type=int, default=None)
    parser.add_argument("--seconds", type=float, default=None)
    parser.add_argument("--writers", type=int, default=16)
    args = parser.parse_args()
    args.submissions = args.submissions or (5000 if args.quick else 100_000)
    args.seconds = args.seconds or (3.0 if args.quick else 10.0)
    raise_fd_limit()
    with installation(TONGBAN_DATABASE_URL="", TONGBAN_REDIS_URL="") as env:
        os.environ.update(env)
        t0 = time.monotonic()
        tokens, form_id, towns = asyncio.run(populate(args.submissions))
        print(f"(bulk load took {time.monotonic() - t0:.0f} s; embedded SQLite)")
        with server(env) as (url, proc):
            asyncio.run(run(url, proc.pid, tokens, form_id, towns, args))


if __name__ == "__main__":
    main()
