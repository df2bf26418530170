"""The real-time stream under load: N WebSocket clients on one `tongban serve` process.

    python -m bench.events [--clients 2000] [--rate 1000] [--seconds 15]

Runs scaled-out mode (PostgreSQL + Redis, both on this machine): one server process holds the
sockets; a publisher in another process emits events through the same `publish` the capabilities
use (stored in PostgreSQL, fanned out over Redis) to random clients at `--rate` deliveries per
second. Prints connected clients, deliveries/s, p50/p99 latency from before the publishing
transaction to the client's receipt, and the server's RSS per idle connection.
Targets: 2,000 clients, p99 <= 100 ms at 1,000 deliveries/s, <= 30 KB RSS per idle connection.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import random
import time
import uuid
from typing import Any, Literal

import asyncpg
import websockets
from pydantic import BaseModel

from bench.common import (
    insert_people_with_sessions,
    installation,
    percentile,
    raise_fd_limit,
    rss_kib,
    server,
)
from tongban.core.config import Settings
from tongban.core.db import Database
from tongban.core.events import publish
from tongban.core.events.broker import RedisBroker

PG = os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")


class Tick(BaseModel):
    type: Literal["bench.tick"] = "bench.tick"
    t: float


async def populate(count: int) -> tuple[list[int], list[str]]:
    db = Database(Settings().resolved_database_url)
    async with db.transaction() as session:
        tokens = await insert_people_with_sessions(session, count)
    await db.dispose()
    return list(range(1, count + 1)), tokens


def publisher(
    env: dict[str, str], person_ids: list[int], rate: int, seconds: float, start_at: float, sent: Any
) -> None:
    os.environ.update(env)

    async def run() -> None:
        settings = Settings()
        broker = RedisBroker(settings.redis_url, settings.redis_prefix)
        await broker.start()
        db = Database(settings.resolved_database_url, info={"broker": broker})
        rng = random.Random(3)
        interval = 0.02
        per_tick = max(1, round(rate * interval))
        while time.time() < start_at:
            await asyncio.sleep(0.01)
        next_at = time.monotonic()
        end = next_at + seconds
        while time.monotonic() < end:
            recipients = rng.sample(person_ids, per_tick)
            async with db.transaction() as session:
                await publish(session, recipients, Tick(t=time.time()))
            sent.value += len(recipients)
            next_at += interval
            await asyncio.sleep(max(0.0, next_at - time.monotonic()))
        await broker.stop()
        await db.dispose()

    asyncio.run(run())


async def run_clients(
    url: str,
    tokens: list[str],
    server_pid: int,
    rate: int,
    seconds: float,
    env: dict[str, str],
    person_ids: list[int],
) -> None:
    latencies: list[float] = []
    received = 0
    sockets = []
    sem = asyncio.Semaphore(50)
    # Warm the server's caches (compiled statements, imports) with a few connections first, so
    # the per-connection figure counts what each socket holds, not one-off start-up costs.
    warm = [
        await websockets.connect(
            f"ws://{url}/api/events",
            compression=None,
            ping_interval=None,
            additional_headers={"Cookie": f"tongban_session={tok}"},
        )
        for tok in tokens[:20]
    ]
    for ws in warm:
        await ws.recv()
        await ws.close()
    await asyncio.sleep(1)
    base_rss = rss_kib(server_pid)
    t0 = time.perf_counter()

    async def connect(token: str) -> None:
        async with sem:
            ws = await websockets.connect(
                f"ws://{url}/api/events",
                additional_headers={"Cookie": f"tongban_session={token}"},
                compression=None,
                open_timeout=60,
                ping_interval=None,
            )
            await ws.recv()  # hello
            sockets.append(ws)

    await asyncio.gather(*(connect(tok) for tok in tokens))
    connect_s = time.perf_counter() - t0
    await asyncio.sleep(2)
    idle_rss = rss_kib(server_pid)
    print(f"connected clients: {len(sockets)} in {connect_s:.1f} s")
    print(
        f"server RSS: {base_rss / 1024:.1f} MiB before, {idle_rss / 1024:.1f} MiB with all idle -> "
        f"{(idle_rss - base_rss) / max(1, len(sockets)):.1f} KiB per idle connection (target <= 30 KB)"
    )

    async def reader(ws: websockets.ClientConnection) -> None:
        nonlocal received
        try:
            async for raw in ws:
                msg = json.loads(raw)
                if msg.get("type") == "event":
                    now = time.time()
                    latencies.append((now - msg["event"]["t"]) * 1000)
                    received += 1
                    window[0] = min(window[0], now)
                    window[1] = max(window[1], now)
        except websockets.ConnectionClosed:
            pass

    window = [float("inf"), 0.0]
    readers = [asyncio.create_task(reader(ws)) for ws in sockets]
    start_at = time.time() + 5  # the publisher process needs a moment to import and connect
    ctx = multiprocessing.get_context("spawn")
    sent = ctx.Value("i", 0)
    proc = ctx.Process(target=publisher, args=(env, person_ids, rate, seconds, start_at, sent))
    proc.start()
    while proc.is_alive():
        await asyncio.sleep(0.2)
    await asyncio.sleep(2)  # let the last deliveries land
    elapsed = window[1] - window[0]
    peak_rss = rss_kib(server_pid)
    for ws in sockets:
        await ws.close()
    for task in readers:
        task.cancel()
    print(f"published: {sent.value}; delivered: {received} (lost: {sent.value - received})")
    print(
        f"deliveries: {received} over {elapsed:.1f} s = {received / max(elapsed, 1e-9):.0f}/s "
        f"(asked {rate}/s)"
    )
    print(
        f"delivery latency: p50 {percentile(latencies, 50):.1f} ms  p99 {percentile(latencies, 99):.1f} ms  "
        f"max {max(latencies, default=float('nan')):.1f} ms  (target p99 <= 100 ms)"
    )
    print(f"server RSS under load: {peak_rss / 1024:.1f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=2000)
    parser.add_argument("--rate", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=15)
    args = parser.parse_args()
    raise_fd_limit()
    name = f"tongban_bench_{uuid.uuid4().hex[:8]}"

    async def admin(sql: str) -> None:
        conn = await asyncpg.connect(PG)
        await conn.execute(sql)
        await conn.close()

    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    try:
        with installation(
            TONGBAN_DATABASE_URL=PG.rsplit("/", 1)[0] + f"/{name}",
            TONGBAN_REDIS_URL=REDIS,
            TONGBAN_REDIS_PREFIX=name,
            TONGBAN_EMBEDDED_WORKER="false",
        ) as env:
            os.environ.update(env)
            person_ids, tokens = asyncio.run(populate(args.clients))
            with server(env) as (url, proc):
                asyncio.run(run_clients(url, tokens, proc.pid, args.rate, args.seconds, env, person_ids))
    finally:
        asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


if __name__ == "__main__":
    main()
