"""Helpers the benchmarks share: a temporary installation and a server process to measure."""

from __future__ import annotations

import datetime as dt
import os
import random
import resource
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红娥玲芬燕彬鹏辉斌宇浩凯健俊帆帅旭宁龙林欣晨阳雪梅琳婷颖倩峰锋海波亮松柏兰"


def raise_fd_limit() -> int:
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def random_names(count: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    return [
        rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
        for _ in range(count)
    ]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[index]


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


@contextmanager
def installation(**env: str) -> Iterator[dict[str, str]]:
    with tempfile.TemporaryDirectory(prefix="tongban-bench-") as data_dir:
        full = {**os.environ, "TONGBAN_DATA_DIR": data_dir, "TONGBAN_LOG_LEVEL": "WARNING", **env}
        subprocess.run(
            [sys.executable, "-m", "tongban.cli", "migrate"], env=full, check=True, capture_output=True
        )
        yield full


@contextmanager
def server(env: dict[str, str]) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    port = free_port()
    log = Path(env["TONGBAN_DATA_DIR"]) / "serve.log"
    proc = subprocess.Popen(
        [sys.executable, "-m", "tongban.cli", "serve", "--port", str(port)],
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    url = f"127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"http://{url}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("server did not start:\n" + log.read_text()[-3000:])
            time.sleep(0.2)
        yield url, proc
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


async def insert_people_with_sessions(session: Any, count: int, csrf: str = "x") -> list[str]:
    """Bulk-insert people 1..count in one department, each signed in; returns their cookies' tokens.

    Benchmarks measure the stream, not sign-in, so sessions are written directly.
    """
    from tongban.auth.models import AuthSession
    from tongban.auth.service import digest
    from tongban.core.db import utcnow
    from tongban.org.models import Department, Membership, Person

    tokens = [secrets.token_urlsafe(24) for _ in range(count)]
    root = Department(name="bench", parent_id=None)
    session.add(root)
    await session.flush()
    root.path = f"/{root.id}/"
    people = [
        {
            "id": i,
            "username": f"u{i}",
            "name": n,
            "name_pinyin": "",
            "name_initials": "",
            "title": "",
            "timezone": "Asia/Shanghai",
            "locale": "zh-CN",
            "working_hours": {},
            "active": True,
        }
        for i, n in enumerate(random_names(count), start=1)
    ]
    await session.execute(Person.__table__.insert(), people)
    await session.execute(
        Membership.__table__.insert(),
        [
            {"person_id": i, "department_id": root.id, "is_primary": True, "sort_order": 0}
            for i in range(1, count + 1)
        ],
    )
    now = utcnow()
    await session.execute(
        AuthSession.__table__.insert(),
        [
            {
                "person_id": i,
                "token_hash": digest(tok),
                "csrf_token": csrf,
                "user_agent": "bench",
                "ip": "",
                "created_at": now,
                "last_seen_at": now,
                "expires_at": now + dt.timedelta(days=1),
            }
            for i, tok in enumerate(tokens, start=1)
        ],
    )
    return tokens
