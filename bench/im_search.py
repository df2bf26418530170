"""Message search and opening a long conversation on the embedded SQLite database.

    python -m bench.im_search [--messages 1000000] [--searches 200]

Builds a database with N messages of mixed Chinese and English text (a few hundred template
sentences with random words) in ~2,000 conversations, one of which holds 100,000 messages; the
measured person is a member of 50 conversations, that big one included. Then, in process,
through the service functions:

- 200 searches with `tongban.im.search.search_messages` (first page of 20), a mix of Chinese
  substrings, English words, two-term queries, two-character Chinese queries (the CJK bigram
  table) and single characters (LIKE over the measured person's messages).
  Target: p99 <= 200 ms at 1,000,000 messages.
- opening the 100,000-message conversation (first page via `tongban.im.reading.history`),
  100 times. Target: p99 <= 50 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import random
import sqlite3
import time
from collections.abc import Iterator

from bench.common import installation, percentile, random_names
from tongban.core.config import Settings
from tongban.core.db import Database
from tongban.core.permissions import Actor
from tongban.im import reading
from tongban.im.search import bigrams, search_messages

PEOPLE = 300
CONVERSATIONS = 2000
MINE = 50
BIG = 100_000
BATCH = 50_000
ME = 1

PLACES = ["广州市", "深圳市", "云溪县", "越秀区", "天河区", "南山区", "北京市", "上海市", "杭州市", "成都市"]
TOPICS = [
    "房地产中介",
    "营商环境",
    "预算执行",
    "政务服务",
    "数字政府",
    "城市更新",
    "乡村振兴",
    "安全生产",
    "公积金",
    "社保卡",
    "不动产登记",
    "招商引资",
    "防汛抗旱",
    "疫情防控",
    "人才引进",
    "电子证照",
    "网格化管理",
    "一网通办",
    "信访维稳",
    "垃圾分类",
    "老旧小区改造",
    "农村集体经济",
    "档案数字化",
]
DOCS = ["通知", "方案", "请示", "报告", "纪要", "函", "批复", "简报", "台账", "清单", "汇报材料", "工作要点"]
VERBS = [
    "请审阅",
    "已印发",
    "需修改",
    "请尽快报送",
    "已转交",
    "请会签",
    "已归档",
    "请补充",
    "待批复",
    "已完成",
]
TIMES = ["今天下午", "明天上午", "本周五", "下周一", "月底前", "三点半", "十点", "会后", "周三", "节前"]
EN_NOUNS = [
    "budget",
    "report",
    "meeting",
    "deadline",
    "contract",
    "invoice",
    "review",
    "draft",
    "schedule",
    "roadmap",
    "proposal",
    "dashboard",
    "release",
    "incident",
    "ticket",
    "approval",
    "vendor",
    "audit",
]
EN_VERBS = ["updated", "approved", "moved", "shared", "rejected", "merged", "signed", "delayed", "drafted"]
TEMPLATES_ZH = [
    "{place}{topic}{doc}{verb}",
    "关于{topic}的{doc}，{verb}，{time}之前反馈",
    "{time}开会讨论{topic}，请{name}准备{doc}",
    "{name}：{place}{topic}的数据{verb}",
    "收到，{topic}{doc}我{time}看一下",
    "{place}的{topic}专项{doc}第{num}稿{verb}",
    "请各单位{time}报送{topic}{doc}",
    "{topic}工作推进会定于{time}召开",
    "转发：{place}关于做好{topic}工作的{doc}",
    "@{name} {topic}台账第{num}行需要核对",
    "{doc}已上传，涉及{topic}和{topic2}两部分",
    "好的，{time}把{topic}{doc}发群里",
]
TEMPLATES_EN = [
    "The {en} for {topic} was {enverb} {time}",
    "{name} {enverb} the {en} v{num}",
    "Please check the {en} before {time}",
    "{en} {num}: {topic} {doc} {verb}",
    "FYI the {en} is {enverb}, see the {en2}",
    "Ping {name} about the {en} ({place})",
]


def templates(rng: random.Random) -> list[str]:
    """A few hundred sentence shapes: the base ones with fixed fragments spliced in."""
    tails = ["", "。", "，谢谢", "，辛苦了", " 👍", "，收到请回复", "！", "，急", " thanks", " asap"]
    heads = ["", "各位，", "领导好，", "补充一下：", "【提醒】", "Hi all, ", "同步："]
    out = []
    for base in TEMPLATES_ZH + TEMPLATES_EN:
        for _ in range(20):
            out.append(rng.choice(heads) + base + rng.choice(tails))
    return out


def sentences(rng: random.Random, shapes: list[str], names: list[str]) -> Iterator[str]:
    while True:
        yield rng.choice(shapes).format(
            place=rng.choice(PLACES),
            topic=rng.choice(TOPICS),
            topic2=rng.choice(TOPICS),
            doc=rng.choice(DOCS),
            verb=rng.choice(VERBS),
            time=rng.choice(TIMES),
            name=rng.choice(names),
            num=rng.randint(1, 99),
            en=rng.choice(EN_NOUNS).capitalize() if rng.random() < 0.3 else rng.choice(EN_NOUNS),
            en2=rng.choice(EN_NOUNS),
            enverb=rng.choice(EN_VERBS),
        )


def build(path: str, count: int) -> tuple[int, list[int], int]:
    """Rows straight into the tables the migrations made; returns the big conversation and mine."""
    rng = random.Random(7)
    names = random_names(PEOPLE)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA journal_mode=WAL")
    now = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    stamp = now.strftime("%Y-%m-%d %H:%M:%S.%f")
    conn.execute("BEGIN")
    conn.execute(
        "INSERT INTO departments (id, name, path, sort_order, created_at) VALUES (1, '基准测试组织', '/1/', 0, ?)",
        (stamp,),
    )
    conn.executemany(
        "INSERT INTO people (id, username, name, name_pinyin, name_initials, title, timezone, locale,"
        " working_hours, active, created_at, updated_at) VALUES (?, ?, ?, '', '', '', 'Asia/Shanghai',"
        " 'zh-CN', '{}', 1, ?, ?)",
        [(i, f"u{i}", names[i - 1], stamp, stamp) for i in range(1, PEOPLE + 1)],
    )
    conn.executemany(
        "INSERT INTO department_members (person_id, department_id, is_primary, sort_order) VALUES (?, 1, 1, 0)",
        [(i,) for i in range(1, PEOPLE + 1)],
    )
    conversations = min(CONVERSATIONS, max(MINE + 1, count // 200))
    big_size = min(BIG, count // 2)
    rest = count - big_size
    sizes = [big_size] + [rest // (conversations - 1)] * (conversations - 1)
    sizes[1] += rest - sum(sizes[1:])
    mine = [1, *rng.sample(range(2, conversations + 1), MINE - 1)]
    members: dict[int, list[int]] = {}
    for cid in range(1, conversations + 1):
        people = rng.sample(range(2, PEOPLE + 1), rng.randint(3, 12))
        members[cid] = [ME, *people] if cid in mine else people
    conn.executemany(
        "INSERT INTO im_conversations (id, kind, name, announcement, join_by_link, last_seq,"
        " last_message_at, created_at) VALUES (?, 'group', ?, '', 0, ?, ?, ?)",
        [(cid, f"{rng.choice(TOPICS)}工作群{cid}", sizes[cid - 1], stamp, stamp) for cid in members],
    )
    conn.executemany(
        "INSERT INTO im_members (conversation_id, person_id, role, read_seq, joined_seq, muted, pinned,"
        " archived, joined_at) VALUES (?, ?, 'member', 0, 0, 0, 0, 0, ?)",
        [(cid, pid, stamp) for cid, pids in members.items() for pid in pids],
    )
    conn.execute("COMMIT")

    # Messages interleave across conversations in time order, as real traffic does.
    text = sentences(rng, templates(rng), names)
    seqs = [0] * (conversations + 1)
    weights = [s / count for s in sizes]
    start = now - dt.timedelta(days=365)
    step = dt.timedelta(days=365) / count
    batch: list[tuple[object, ...]] = []
    conn.execute("BEGIN")
    for i, cid in enumerate(rng.choices(range(1, conversations + 1), weights=weights, k=count), start=1):
        seqs[cid] += 1
        body = next(text)
        created = (start + step * i).strftime("%Y-%m-%d %H:%M:%S.%f")
        batch.append((i, cid, seqs[cid], rng.choice(members[cid]), body, created))
        if len(batch) == BATCH:
            _insert(conn, batch)
            batch = []
    _insert(conn, batch)
    conn.executemany("UPDATE im_conversations SET last_seq = ? WHERE id = ?", [(seqs[c], c) for c in members])
    conn.execute(
        "INSERT INTO im_messages_fts (rowid, body, conversation_id) SELECT id, body, conversation_id FROM im_messages"
    )
    rows = conn.execute("SELECT id, body, conversation_id FROM im_messages ORDER BY id")
    while chunk := rows.fetchmany(BATCH):
        conn.executemany(
            "INSERT INTO im_messages_bigrams (rowid, grams, conversation_id) VALUES (?, ?, ?)",
            [(i, bigrams(body), cid) for i, body, cid in chunk],
        )
    conn.execute("COMMIT")
    conn.execute("ANALYZE")
    conn.close()
    return 1, mine, big_size


def _insert(conn: sqlite3.Connection, rows: list[tuple[object, ...]]) -> None:
    conn.executemany(
        "INSERT INTO im_messages (id, conversation_id, seq, sender_id, kind, body, files, mentions,"
        " mentions_all, thread_reply_count, thread_last_seq, created_at)"
        " VALUES (?, ?, ?, ?, 'text', ?, '[]', '[]', 0, 0, 0, ?)",
        rows,
    )


def queries(rng: random.Random, count: int) -> list[tuple[str, str]]:
    kinds = [
        ("中文子串", lambda: rng.choice(TOPICS)[rng.randint(0, 1) :][:4]),
        ("中文地名+主题", lambda: f"{rng.choice(PLACES)} {rng.choice(TOPICS)}"),
        (
            "English word",
            lambda: rng.choice(EN_NOUNS).upper() if rng.random() < 0.3 else rng.choice(EN_NOUNS),
        ),
        ("English + 中文", lambda: f"{rng.choice(EN_NOUNS)} {rng.choice(DOCS + TOPICS)}"),
        ("两字 (bigram)", lambda: rng.choice(["预算", "台账", "纪要", "开会", "方案", "报送", "急", "房产"])),
        ("rare", lambda: f"第{rng.randint(1, 99)}稿 {rng.choice(TOPICS)}"),
    ]
    out = [(name, make()) for name, make in (rng.choice(kinds) for _ in range(count))]
    # The same draw as before the bigram table; a single character is reported on its own.
    return [("单字 (unigram)" if len(q) == 1 else name, q) for name, q in out]


async def measure(url: str, big: int, big_size: int, searches: int) -> None:
    db = Database(url)
    me = Actor(person_id=ME, name="bench", locale="zh-CN")
    rng = random.Random(3)
    by_kind: dict[str, list[float]] = {}
    every: list[float] = []
    hits = 0
    async with db.transaction(write=False) as session:
        for _, q in queries(rng, 10):  # warm-up: page cache, statement cache
            await search_messages(session, me, q)
        for kind, q in queries(rng, searches):
            t0 = time.perf_counter()
            page = await search_messages(session, me, q)
            ms = (time.perf_counter() - t0) * 1000
            every.append(ms)
            by_kind.setdefault(kind, []).append(ms)
            hits += len(page.items)
        history: list[float] = []
        for _ in range(100):
            t0 = time.perf_counter()
            await reading.history(session, me, big)
            history.append((time.perf_counter() - t0) * 1000)
    await db.dispose()
    print(f"search: {searches} queries, {hits / searches:.1f} results each on average (first page of 20)")
    print(
        f"  p50 {percentile(every, 50):.1f} ms   p99 {percentile(every, 99):.1f} ms   (target p99 <= 200 ms)"
    )
    for kind, values in by_kind.items():
        print(
            f"    {kind:<16} n={len(values):<3} p50 {percentile(values, 50):6.1f} ms"
            f"   p99 {percentile(values, 99):6.1f} ms"
        )
    print(f"open a conversation of {big_size:,} messages (first page of 50), 100 times")
    print(
        f"  p50 {percentile(history, 50):.1f} ms   p99 {percentile(history, 99):.1f} ms   (target p99 <= 50 ms)"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--searches", type=int, default=200)
    args = parser.parse_args()
    with installation() as env:
        os.environ.update(env)
        url = Settings().resolved_database_url
        if not url.startswith("sqlite"):
            raise SystemExit("bench.im_search builds an embedded SQLite database; unset TONGBAN_DATABASE_URL")
        path = url.split("///", 1)[1]
        t0 = time.perf_counter()
        big, mine, big_size = build(path, args.messages)
        size = os.path.getsize(path) / 2**20
        print(f"built {args.messages:,} messages in {time.perf_counter() - t0:.0f} s ({size:.0f} MiB)")
        print(f"the measured person is in {len(mine)} conversations")
        asyncio.run(measure(url, big, big_size, args.searches))


if __name__ == "__main__":
    main()
