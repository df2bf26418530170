"""Message search through the API, on whichever database the suite runs on (FTS5 trigram and
CJK bigram tables on SQLite, pg_trgm on PostgreSQL): substrings in Chinese, words in English,
filters, scope."""

from __future__ import annotations

import datetime as dt
import uuid
import zoneinfo

import httpx
import pytest
from sqlalchemy import text, update

from tests.factories import Org
from tongban.core.db import Database
from tongban.im.models import Message
from tongban.im.search import MARK_END, MARK_START, SNIPPET, bigrams, snippet

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
async def _empty_search_index(db: Database) -> None:
    """The shared clean-up empties the models' tables; the FTS tables are not among them."""
    if db.is_sqlite:
        async with db.transaction() as session:
            await session.execute(text("DELETE FROM im_messages_fts"))
            await session.execute(text("DELETE FROM im_messages_bigrams"))


async def indexed(db: Database, message_id: int) -> dict[str, int]:
    """How many rows each FTS table holds for the message (SQLite only)."""
    async with db.transaction(write=False) as session:
        return {
            name: int(
                await session.scalar(
                    text(f"SELECT count(*) FROM {name} WHERE rowid = :id"), {"id": message_id}
                )
            )
            for name in ("im_messages_fts", "im_messages_bigrams")
        }


@pytest.fixture
async def people(org: Org):
    root = await org.department("云溪县人民政府")
    housing = await org.department("住房和城乡建设局", root)
    return {
        "liu": await org.person("刘锋", housing),
        "han": await org.person("韩雪", housing),
        "tao": await org.person("陶海锋", housing),
    }


async def group(client: httpx.AsyncClient, name: str, *member_ids: int) -> int:
    r = await client.post(
        "/api/im/conversations", json={"kind": "group", "name": name, "member_ids": list(member_ids)}
    )
    assert r.status_code == 200, r.text
    return int(r.json()["id"])


async def send(client: httpx.AsyncClient, conversation_id: int, body: str, **extra: object) -> dict:
    r = await client.post(
        f"/api/im/conversations/{conversation_id}/messages",
        json={"client_msg_id": uuid.uuid4().hex, "body": body, **extra},
    )
    assert r.status_code in (200, 201), r.text
    return r.json()


async def search(client: httpx.AsyncClient, q: str, **params: object) -> list[dict]:
    r = await client.get("/api/im/search", params={"q": q, **params})
    assert r.status_code == 200, r.text
    return r.json()["items"]


def bodies(items: list[dict]) -> list[str]:
    return [i["message"]["body"] for i in items]


async def test_chinese_substring_english_words_and_terms(people, as_person) -> None:
    liu = await as_person(people["liu"])
    chat = await group(liu, "房产专班", people["han"].id)
    await send(liu, chat, "请联系广州市房地产中介协会")
    await send(liu, chat, "The quarterly Budget report is ready")
    await send(liu, chat, "budget 预算 已批复")
    await send(liu, chat, "无关的消息")

    assert bodies(await search(liu, "房地产")) == ["请联系广州市房地产中介协会"]
    assert bodies(await search(liu, "BUDGET")) == [
        "budget 预算 已批复",
        "The quarterly Budget report is ready",
    ]
    assert bodies(await search(liu, "budget 预算")) == ["budget 预算 已批复"]
    assert bodies(await search(liu, "budget 房地产")) == []
    hit = (await search(liu, "房地产"))[0]
    assert hit["conversation"] == {"id": chat, "name": "房产专班"}


async def test_short_queries_fall_back_to_substring_matching(people, as_person) -> None:
    liu = await as_person(people["liu"])
    chat = await group(liu, "房产专班", people["han"].id)
    await send(liu, chat, "二手房产交易登记")
    await send(liu, chat, "房地产市场")
    await send(liu, chat, "Go live on Monday")

    assert bodies(await search(liu, "房产")) == ["二手房产交易登记"]
    assert bodies(await search(liu, "房")) == ["房地产市场", "二手房产交易登记"]
    assert bodies(await search(liu, "go")) == ["Go live on Monday"]
    # A short term combined with a long one: both must match.
    assert bodies(await search(liu, "房产 交易登记")) == ["二手房产交易登记"]
    assert bodies(await search(liu, "房产 市场")) == []
    # LIKE wildcards in a query are plain characters.
    assert await search(liu, "%") == []
    assert await search(liu, "_") == []


def test_bigrams_of_a_body() -> None:
    assert bigrams("广州市房地产") == "广州 州市 市房 房地 地产 广 州 市 房 地 产"
    assert bigrams("房，AI-assisted 审批 v2.0 的") == "房 ai assisted 审批 审 批 v2 0 的"
    assert bigrams("Budget_2026：预算") == "budget 2026 预算 预 算"
    assert bigrams("!!! 👍") == ""


async def test_two_chinese_characters_are_a_pair_not_a_subsequence(people, as_person) -> None:
    liu = await as_person(people["liu"])
    chat = await group(liu, "房产专班", people["han"].id)
    await send(liu, chat, "请带上房产证原件")
    await send(liu, chat, "广州市房地产中介协会")
    await send(liu, chat, "产房在三楼")

    assert bodies(await search(liu, "房产")) == ["请带上房产证原件"]
    assert bodies(await search(liu, "地产")) == ["广州市房地产中介协会"]
    assert bodies(await search(liu, "产房")) == ["产房在三楼"]
    assert await search(liu, "房房") == []
    assert bodies(await search(liu, "产证")) == ["请带上房产证原件"]


async def test_a_pair_with_a_longer_term_must_match_both(people, as_person) -> None:
    liu = await as_person(people["liu"])
    chat = await group(liu, "房产专班", people["han"].id)
    await send(liu, chat, "房产证 办理进度 已更新")
    await send(liu, chat, "房产证 已领取")
    await send(liu, chat, "公积金 办理进度 已更新")

    assert bodies(await search(liu, "房产 办理进度")) == ["房产证 办理进度 已更新"]
    assert bodies(await search(liu, "办理进度 房产")) == ["房产证 办理进度 已更新"]
    assert bodies(await search(liu, "房产 已更新 办理")) == ["房产证 办理进度 已更新"]
    assert bodies(await search(liu, "公积金 房产")) == []
    # Two pairs together, with a single character beside them.
    assert bodies(await search(liu, "房产 领取 已")) == ["房产证 已领取"]


async def test_single_characters_are_substrings(people, as_person) -> None:
    liu = await as_person(people["liu"])
    chat = await group(liu, "专班", people["han"].id)
    await send(liu, chat, "房地产市场")
    await send(liu, chat, "急")
    await send(liu, chat, "紧急通知，请回复")

    # "产" ends a pair in the first message: a single character is a substring, not a prefix.
    assert bodies(await search(liu, "产")) == ["房地产市场"]
    assert bodies(await search(liu, "急")) == ["紧急通知，请回复", "急"]
    assert bodies(await search(liu, "， 通知")) == ["紧急通知，请回复"]
    # Two characters that are not a CJK pair nor a Latin word: a substring too.
    await send(liu, chat, "A股收盘")
    assert bodies(await search(liu, "a股")) == ["A股收盘"]


async def test_two_latin_letters_find_words_starting_with_them(people, as_person, db: Database) -> None:
    liu = await as_person(people["liu"])
    chat = await group(liu, "专班", people["han"].id)
    await send(liu, chat, "AI-assisted 审批")
    await send(liu, chat, "The aim is clear")
    await send(liu, chat, "He said no")
    await send(liu, chat, "版本 2026 上线")

    if db.is_sqlite:
        # On SQLite a two-letter term is a word prefix: "said" does not start with "ai".
        assert bodies(await search(liu, "ai")) == ["The aim is clear", "AI-assisted 审批"]
        assert bodies(await search(liu, "26")) == []
    else:
        # On PostgreSQL every term is a substring.
        assert bodies(await search(liu, "ai")) == ["He said no", "The aim is clear", "AI-assisted 审批"]
        assert bodies(await search(liu, "26")) == ["版本 2026 上线"]
    assert bodies(await search(liu, "AI 审批")) == ["AI-assisted 审批"]
    assert bodies(await search(liu, "20 上线")) == ["版本 2026 上线"]
    assert bodies(await search(liu, "Ai assisted")) == ["AI-assisted 审批"]


async def test_a_direct_chat_is_named_after_the_other_person(people, as_person) -> None:
    liu = await as_person(people["liu"])
    r = await liu.post("/api/im/conversations", json={"kind": "direct", "person_id": people["han"].id})
    chat = r.json()["id"]
    await send(liu, chat, "明天的协调会改到下午")
    (hit,) = await search(liu, "协调会")
    assert hit["conversation"] == {"id": chat, "name": "韩雪"}


async def test_filters(people, as_person, db: Database) -> None:
    liu, han = await as_person(people["liu"]), await as_person(people["han"])
    one = await group(liu, "一组", people["han"].id)
    two = await group(liu, "二组", people["han"].id)
    await send(liu, one, "项目进度 一组 刘锋")
    await send(han, one, "项目进度 一组 韩雪")
    await send(liu, two, "项目进度 二组 刘锋")
    upload = await liu.post("/api/files", files={"file": ("进度.txt", "进度表".encode(), "text/plain")})
    assert upload.status_code == 201, upload.text
    await send(liu, two, "项目进度 附件", file_ids=[upload.json()["id"]])
    old = await send(han, two, "项目进度 去年")
    async with db.transaction() as session:
        await session.execute(
            update(Message)
            .where(Message.id == old["id"])
            .values(created_at=dt.datetime(2025, 1, 9, 17, 30, tzinfo=dt.UTC))  # 1 月 10 日 01:30 in 上海
        )

    assert len(await search(liu, "项目进度")) == 5
    assert bodies(await search(liu, "项目进度", conversation_id=one)) == [
        "项目进度 一组 韩雪",
        "项目进度 一组 刘锋",
    ]
    assert bodies(await search(liu, "项目进度", sender_id=people["han"].id)) == [
        "项目进度 去年",
        "项目进度 一组 韩雪",
    ]
    assert bodies(await search(liu, "项目进度", has_file="true")) == ["项目进度 附件"]
    assert len(await search(liu, "项目进度", has_file="false")) == 4
    assert bodies(await search(liu, "项目进度", date_from="2025-01-10", date_to="2025-01-10")) == [
        "项目进度 去年"
    ]
    assert await search(liu, "项目进度", date_from="2025-01-11", date_to="2025-01-31") == []
    assert await search(liu, "项目进度", date_to="2025-01-09") == []
    today = dt.datetime.now(SHANGHAI).date()
    assert len(await search(liu, "项目进度", date_from=today.isoformat())) == 4
    assert bodies(
        await search(liu, "项目进度", conversation_id=two, sender_id=people["liu"].id, has_file="true")
    ) == ["项目进度 附件"]


async def test_only_my_conversations_and_403_naming_one_i_am_not_in(people, as_person) -> None:
    liu, tao = await as_person(people["liu"]), await as_person(people["tao"])
    secret = await group(liu, "人事调整", people["han"].id)
    await send(liu, secret, "人事调整方案 第二稿")
    mine = await group(tao, "陶的群", people["han"].id)
    await send(tao, mine, "人事调整方案 公开版")

    assert bodies(await search(tao, "人事调整方案")) == ["人事调整方案 公开版"]
    assert bodies(await search(tao, "第二稿")) == []
    assert bodies(await search(tao, "第二")) == []
    for conversation_id in (secret, secret + 1000):  # existing or not: the same answer
        r = await tao.get("/api/im/search", params={"q": "人事调整方案", "conversation_id": conversation_id})
        assert r.status_code == 403
        assert r.json()["code"] == "im_not_member"
        assert "第二稿" not in r.text


async def test_recalled_messages_are_never_found_and_edits_reindex(people, as_person, db: Database) -> None:
    liu = await as_person(people["liu"])
    chat = await group(liu, "专班", people["han"].id)
    recalled = await send(liu, chat, "误发的工资表链接 salary")
    edited = await send(liu, chat, "会议定在周三上午 room A")
    assert bodies(await search(liu, "工资")) == ["误发的工资表链接 salary"]
    assert bodies(await search(liu, "周三")) == ["会议定在周三上午 room A"]
    if db.is_sqlite:
        assert await indexed(db, recalled["id"]) == {"im_messages_fts": 1, "im_messages_bigrams": 1}

    r = await liu.post(f"/api/im/messages/{recalled['id']}/recall")
    assert r.status_code == 200, r.text
    for q in ("工资表", "工资", "sa", "salary"):
        assert await search(liu, q) == [], q
    if db.is_sqlite:
        assert await indexed(db, recalled["id"]) == {"im_messages_fts": 0, "im_messages_bigrams": 0}

    r = await liu.patch(f"/api/im/messages/{edited['id']}", json={"body": "会议改到周四下午 hall B"})
    assert r.status_code == 200, r.text
    for q in ("周三上午", "周三", "ro", "room"):
        assert await search(liu, q) == [], q
    for q in ("周四下午", "周四", "ha", "hall"):
        (hit,) = await search(liu, q)
        assert hit["message"]["id"] == edited["id"]
        assert hit["message"]["body"] == "会议改到周四下午 hall B"
    if db.is_sqlite:
        assert await indexed(db, edited["id"]) == {"im_messages_fts": 1, "im_messages_bigrams": 1}


async def test_a_member_who_joined_later_does_not_find_earlier_messages(people, as_person) -> None:
    liu, tao = await as_person(people["liu"]), await as_person(people["tao"])
    chat = await group(liu, "专班", people["han"].id)
    await send(liu, chat, "加入之前的预算讨论")
    r = await liu.post(f"/api/im/conversations/{chat}/members", json={"person_ids": [people["tao"].id]})
    assert r.status_code == 204, r.text
    await send(liu, chat, "加入之后的预算讨论")

    assert bodies(await search(tao, "预算讨论")) == ["加入之后的预算讨论"]
    assert bodies(await search(tao, "预算讨论", conversation_id=chat)) == ["加入之后的预算讨论"]
    assert len(await search(liu, "预算讨论")) == 2


async def test_snippet_marks_every_match_around_the_first(people, as_person) -> None:
    liu = await as_person(people["liu"])
    chat = await group(liu, "专班", people["han"].id)
    body = "开头" * 100 + "The BUDGET 审批流程 and budget 审批" + "结尾" * 100
    await send(liu, chat, body)

    (hit,) = await search(liu, "budget 审批")
    shown = hit["snippet"]
    plain = shown.replace(MARK_START, "").replace(MARK_END, "")
    assert len(plain) <= SNIPPET and plain in body
    assert f"{MARK_START}BUDGET{MARK_END}" in shown and f"{MARK_START}budget{MARK_END}" in shown
    assert shown.count(MARK_START) == shown.count(MARK_END) == 4


def test_snippet_edges() -> None:
    assert snippet("短消息 budget", ["Budget"]) == f"短消息 {MARK_START}budget{MARK_END}"
    # Overlapping matches of two terms are one highlight.
    assert snippet("房地产中介", ["房地产", "地产中"]) == f"{MARK_START}房地产中{MARK_END}介"
    # A match near the end keeps the window full instead of starting at the match.
    long = "字" * 300 + "目标"
    shown = snippet(long, ["目标"])
    assert shown.endswith(f"{MARK_START}目标{MARK_END}") and len(shown) == SNIPPET + 2


async def test_pages_newest_first(people, as_person) -> None:
    liu = await as_person(people["liu"])
    chat = await group(liu, "专班", people["han"].id)
    sent = [await send(liu, chat, f"周报 第{i}期") for i in range(5)]
    seen, cursor = [], None
    while True:
        params = {"q": "周报", "limit": 2} | ({"cursor": cursor} if cursor else {})
        page = (await liu.get("/api/im/search", params=params)).json()
        seen += [i["message"]["id"] for i in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [m["id"] for m in reversed(sent)]


@pytest.mark.parametrize("q", ["", "x" * 201, None])
async def test_q_is_required_and_bounded(people, as_person, q: str | None) -> None:
    liu = await as_person(people["liu"])
    r = await liu.get("/api/im/search", params={} if q is None else {"q": q})
    assert r.status_code == 422
    assert [f["field"] for f in r.json()["fields"]] == ["query.q"]
