"""Messaging under load: one embedded `tongban serve` (SQLite, as `make run`), many chatting clients.

    python -m bench.im [--quick] [--rate 1000] [--seconds 15] [--warmup 3]

2,000 WebSocket clients sit in 200 groups of 10, and 5 groups of 500 drawn from the same people.
Senders post over HTTP, each from a member's own session, at a pace that yields `--rate`
deliveries per second (a message to a group of 10 is 10 deliveries, to a group of 500 is 500;
half the deliveries come from each kind). Every body carries its send time, so each client
measures send -> deliver latency, after a warm-up of `--warmup` seconds at the same rate that is
not counted (it fills the server's statement caches and gives every person their first event
counter, a fresh install's one-off cost). Meanwhile a reader in a small group marks a message read about
every 150 ms and the sender's socket times the `im.read` that follows.
Prints the accepted send rate, deliveries/s observed, latency p50/p99, read-receipt p50/p99,
and the server's RSS. Target: p99 <= 100 ms at 1,000 deliveries/s.
`--quick` is a smoke check: 200 clients (20 groups of 10, one of 100) for 5 s.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import secrets
import time
from dataclasses import dataclass, field

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
from tongban.core.db import Database
from tongban.im.models import Conversation, Member

CSRF = "bench-csrf"


@dataclass
class Group:
    id: int
    members: list[int]
    senders: list[int]  # small groups: the first half send, the second half read
    readers: list[int] = field(default_factory=list)


@dataclass
class Shape:
    clients: int
    big_groups: int
    big_size: int


async def populate(shape: Shape, rng: random.Random) -> tuple[list[str], list[Group], list[Group]]:
    """People, sessions and conversations by bulk insert: minutes of sign-ins saved."""
    db = Database(Settings().resolved_database_url)
    count = shape.clients
    small: list[Group] = []
    big: list[Group] = []
    async with db.transaction() as session:
        tokens = await insert_people_with_sessions(session, count, CSRF)
        people = list(range(1, count + 1))
        plans: list[tuple[str, list[int]]] = [
            (f"小组{n}", people[n * 10 : n * 10 + 10]) for n in range(count // 10)
        ]
        plans += [(f"大群{n}", rng.sample(people, shape.big_size)) for n in range(shape.big_groups)]
        await session.execute(
            Conversation.__table__.insert(),
            [
                {"id": cid, "kind": "group", "name": name, "owner_id": members[0], "last_seq": 0}
                for cid, (name, members) in enumerate(plans, start=1)
            ],
        )
        await session.execute(
            Member.__table__.insert(),
            [
                {
                    "conversation_id": cid,
                    "person_id": pid,
                    "role": "owner" if pid == members[0] else "member",
                    "read_seq": 0,
                    "joined_seq": 0,
                }
                for cid, (_, members) in enumerate(plans, start=1)
                for pid in members
            ],
        )
        for cid, (name, members) in enumerate(plans, start=1):
            if name.startswith("小组"):
                small.append(Group(cid, members, members[:5], members[5:]))
            else:
                big.append(Group(cid, members, members))
    await db.dispose()
    return tokens, small, big


@dataclass
class Stats:
    latencies: list[float] = field(default_factory=list)
    delivered: int = 0
    first: float = float("inf")
    last: float = 0.0
    accepted: int = 0
    refused: int = 0
    # (conversation, reader) -> (seq it marked read, when) while the sender waits for im.read
    read_waits: dict[tuple[int, int], tuple[int, float]] = field(default_factory=dict)
    read_latencies: list[float] = field(default_factory=list)
    by_conversation: list[tuple[int, float]] = field(default_factory=list)
    # person -> a message they just received in a small group, for the read sampler
    fresh: dict[int, tuple[int, int]] = field(default_factory=dict)


async def client(url: str, person_id: int, token: str, stats: Stats, sockets: list[object]) -> None:
    ws = await websockets.connect(
        f"ws://{url}/api/events",
        additional_headers={"Cookie": f"tongban_session={token}"},
        compression=None,
        open_timeout=120,
        ping_interval=None,
        max_queue=None,
    )
    await ws.recv()  # hello
    sockets.append(ws)
    try:
        async for raw in ws:
            frame = json.loads(raw)
            if frame.get("type") != "event":
                continue
            event = frame["event"]
            now = time.time()
            if event["type"] == "im.message":
                message = event["message"]
                body = message["body"]
                if body.startswith("t="):
                    latency = (now - float(body[2:].split()[0])) * 1000
                    stats.latencies.append(latency)
                    stats.by_conversation.append((message["conversation_id"], latency))
                    stats.delivered += 1
                    stats.first = min(stats.first, now)
                    stats.last = max(stats.last, now)
                sender = (message["sender"] or {}).get("id")
                if sender != person_id:
                    stats.fresh[person_id] = (message["conversation_id"], message["seq"])
            elif event["type"] == "im.read" and event["person_id"] != person_id:
                key = (event["conversation_id"], event["person_id"])
                wait = stats.read_waits.get(key)
                if wait is not None and event["read_seq"] >= wait[0]:
                    stats.read_latencies.append((now - wait[1]) * 1000)
                    del stats.read_waits[key]
    except websockets.ConnectionClosed:
        pass


async def run(
    url: str, pid: int, tokens: list[str], small: list[Group], big: list[Group], args: argparse.Namespace
) -> None:
    rng = random.Random(11)
    stats = Stats()
    sockets: list[object] = []
    sem = asyncio.Semaphore(100)
    person_ids = list(range(1, len(tokens) + 1))

    async def connect(person: int) -> None:
        async with sem:
            await client_ready(person)

    ready: list[asyncio.Task[None]] = []

    async def client_ready(person: int) -> None:
        task = asyncio.create_task(client(url, person, tokens[person - 1], stats, sockets))
        ready.append(task)
        while len(sockets) < len(ready) and not task.done():
            await asyncio.sleep(0.01)

    t0 = time.perf_counter()
    await asyncio.gather(*(connect(p) for p in person_ids))
    while len(sockets) < len(person_ids):
        await asyncio.sleep(0.05)
    print(f"connected clients: {len(sockets)} in {time.perf_counter() - t0:.1f} s")
    print(f"server RSS idle: {rss_kib(pid) / 1024:.1f} MiB")

    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    http = httpx.AsyncClient(base_url=f"http://{url}", limits=limits, timeout=30)
    inflight: set[asyncio.Task[None]] = set()

    def headers(person: int) -> dict[str, str]:
        return {"Cookie": f"tongban_session={tokens[person - 1]}", "X-CSRF-Token": CSRF}

    async def post(group: Group, measured: bool) -> None:
        sender = rng.choice(group.senders)
        mark = "t" if measured else "w"  # clients time only "t=" bodies
        body = {"client_msg_id": secrets.token_hex(8), "body": f"{mark}={time.time():.6f} 大家好"}
        r = await http.post(f"/api/im/conversations/{group.id}/messages", json=body, headers=headers(sender))
        if not measured:
            return
        if r.status_code == 201:
            stats.accepted += 1
        else:
            stats.refused += 1

    async def mark_read() -> None:
        candidates = [g for g in small if any(p in stats.fresh for p in g.readers)]
        if not candidates:
            return
        group = rng.choice(candidates)
        reader = rng.choice([p for p in group.readers if p in stats.fresh])
        conversation_id, seq = stats.fresh.pop(reader)
        if conversation_id != group.id or (conversation_id, reader) in stats.read_waits:
            return
        stats.read_waits[(conversation_id, reader)] = (seq, time.time())
        await http.post(
            f"/api/im/conversations/{conversation_id}/read", json={"seq": seq}, headers=headers(reader)
        )

    def spawn(coro: object) -> None:
        task = asyncio.ensure_future(coro)  # type: ignore[arg-type]
        inflight.add(task)
        task.add_done_callback(inflight.discard)

    # Half the deliveries from small groups, half from big ones.
    small_per_s = args.rate / 2 / 10
    big_per_s = args.rate / 2 / big[0].members.__len__() if big else 0.0
    interval = 0.02
    peak_rss = 0

    async def pace(seconds: float, measured: bool) -> float:
        """Send at the asked rate for `seconds`; returns how long it took."""
        nonlocal peak_rss
        owed_small = owed_big = owed_read = 0.0
        start = time.monotonic()
        next_at = start
        while time.monotonic() - start < seconds:
            owed_small += small_per_s * interval
            owed_big += big_per_s * interval
            owed_read += interval / 0.15
            while owed_small >= 1:
                owed_small -= 1
                spawn(post(rng.choice(small), measured))
            while owed_big >= 1:
                owed_big -= 1
                spawn(post(rng.choice(big), measured))
            while owed_read >= 1 and measured:
                owed_read -= 1
                spawn(mark_read())
            if measured and int((next_at - start) / interval) % 25 == 0:
                peak_rss = max(peak_rss, rss_kib(pid))
            next_at += interval
            await asyncio.sleep(max(0.0, next_at - time.monotonic()))
        return time.monotonic() - start

    # Warm-up, not counted: the server's statement caches fill and every person gets their
    # first event counter (a fresh install's one-off cost, not the steady state).
    await pace(args.warmup, measured=False)
    while inflight:
        await asyncio.sleep(0.05)
    await asyncio.sleep(1)
    send_window = await pace(args.seconds, measured=True)
    while inflight:
        await asyncio.sleep(0.05)
    await asyncio.sleep(2)  # the last deliveries land
    peak_rss = max(peak_rss, rss_kib(pid))
    await http.aclose()
    for ws in sockets:
        await ws.close()  # type: ignore[attr-defined]
    for task in ready:
        task.cancel()

    window = max(stats.last - stats.first, 1e-9)
    print(
        f"messages accepted: {stats.accepted} in {send_window:.1f} s = {stats.accepted / send_window:.1f}/s "
        f"(refused {stats.refused})"
    )
    print(
        f"deliveries observed: {stats.delivered} over {window:.1f} s = {stats.delivered / window:.0f}/s "
        f"(asked {args.rate}/s)"
    )
    print(
        f"send -> deliver latency: p50 {percentile(stats.latencies, 50):.1f} ms  "
        f"p99 {percentile(stats.latencies, 99):.1f} ms  max {max(stats.latencies, default=float('nan')):.1f} ms  "
        "(target p99 <= 100 ms)"
    )
    bigs = {g.id for g in big}
    in_big = [ms for conversation, ms in stats.by_conversation if conversation in bigs]
    in_small = [ms for conversation, ms in stats.by_conversation if conversation not in bigs]
    print(
        f"  in groups of 10: p50 {percentile(in_small, 50):.1f} ms  p99 {percentile(in_small, 99):.1f} ms; "
        f"in groups of {len(big[0].members) if big else 0}: p50 {percentile(in_big, 50):.1f} ms  "
        f"p99 {percentile(in_big, 99):.1f} ms"
    )
    print(
        f"read receipt -> sender: {len(stats.read_latencies)} samples  "
        f"p50 {percentile(stats.read_latencies, 50):.1f} ms  p99 {percentile(stats.read_latencies, 99):.1f} ms"
    )
    print(f"server RSS under load: {peak_rss / 1024:.1f} MiB")
    print(f"server GC passes over 25 ms: {gc_pauses(url)}")


def gc_pauses(url: str) -> str:
    """Counts of the server's collector passes by length, from its Prometheus metrics."""
    text = httpx.get(f"http://{url}/metrics", timeout=10).text
    over: dict[str, float] = {}
    for line in text.splitlines():
        if line.startswith("tongban_gc_pause_seconds_bucket"):
            labels, value = line.rsplit(" ", 1)
            generation = labels.split('generation="')[1].split('"')[0]
            le = labels.split('le="')[1].split('"')[0]
            if le == "0.025":
                over[generation] = over.get(generation, 0) - float(value)
            elif le == "+Inf":
                over[generation] = over.get(generation, 0) + float(value)
    return ", ".join(f"generation {g}: {int(n)}" for g, n in sorted(over.items())) or "none"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="200 clients for 5 s: a smoke check")
    parser.add_argument("--rate", type=int, default=None, help="deliveries per second")
    parser.add_argument("--seconds", type=float, default=None)
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds of sending before measuring")
    args = parser.parse_args()
    shape = Shape(200, 1, 100) if args.quick else Shape(2000, 5, 500)
    args.rate = args.rate or (200 if args.quick else 1000)
    args.seconds = args.seconds or (5.0 if args.quick else 15.0)
    raise_fd_limit()
    with installation(TONGBAN_DATABASE_URL="", TONGBAN_REDIS_URL="") as env:
        os.environ.update(env)
        tokens, small, big = asyncio.run(populate(shape, random.Random(5)))
        print(
            f"{shape.clients} people in {len(small)} groups of 10 and {len(big)} of {shape.big_size}; "
            f"{args.rate} deliveries/s for {args.seconds:.0f} s on embedded SQLite"
        )
        with server(env) as (url, proc):
            asyncio.run(run(url, proc.pid, tokens, small, big, args))


if __name__ == "__main__":
    main()
