"""Group robots: incoming webhooks (signed posts as the bot) and outgoing bots answering @mentions."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from tests.factories import Org
from tongban.core.config import Settings
from tongban.core.db import Database
from tongban.core.events import EventRecord
from tongban.im import bots
from tongban.im.models import Message


async def _world(org: Org, as_person: Any) -> dict[str, Any]:
    dept = await org.department("县政府办公室")
    people = {n: await org.person(n, dept) for n in ("王建国", "刘锋", "赵敏")}
    clients = {n: await as_person(p) for n, p in people.items()}
    group = await clients["王建国"].post(
        "/api/im/conversations", json={"kind": "group", "name": "值班群", "member_ids": [people["刘锋"].id]}
    )
    assert group.status_code == 200, group.text
    return {"people": people, "clients": clients, "cid": group.json()["id"]}


async def _webhook(w: dict[str, Any], name: str = "监控告警") -> dict[str, Any]:
    r = await w["clients"]["王建国"].post(f"/api/im/conversations/{w['cid']}/webhooks", json={"name": name})
    assert r.status_code == 201, r.text
    return r.json()


def _signed(secret: str, *, at_ms: int | None = None) -> dict[str, str]:
    timestamp = str(at_ms if at_ms is not None else int(time.time() * 1000))
    return {"X-Tongban-Timestamp": timestamp, "X-Tongban-Signature": bots.sign(secret, timestamp)}


def _text(content: str) -> dict[str, Any]:
    return {"msgtype": "text", "text": {"content": content}}


async def _messages(db: Database, conversation_id: int) -> list[Message]:
    async with db.transaction(write=False) as session:
        rows = await session.execute(
            select(Message).where(Message.conversation_id == conversation_id).order_by(Message.seq)
        )
        return list(rows.scalars())


def test_signature_matches_dingtalks_scheme() -> None:
    # DingTalk's documented Python: hmac.new(secret, f"{timestamp}\n{secret}", sha256) -> base64.
    import base64
    import hashlib
    import hmac

    secret, timestamp = "SECabc", "1700000000000"
    expected = base64.b64encode(
        hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    ).decode()
    assert bots.sign(secret, timestamp) == expected


async def test_webhooks_are_managed_by_group_admins(
    org: Org, as_person: Any, client: httpx.AsyncClient
) -> None:
    w = await _world(org, as_person)
    owner, member, outsider = (w["clients"][n] for n in ("王建国", "刘锋", "赵敏"))
    path = f"/api/im/conversations/{w['cid']}/webhooks"

    created = await _webhook(w)
    assert created["url"].startswith("/api/im/hooks/") and created["secret"].startswith("SEC")
    refused = await member.post(path, json={"name": "x"})
    assert refused.status_code == 403 and refused.json()["code"] == "im_not_admin"
    assert (await outsider.post(path, json={"name": "x"})).json()["code"] == "im_not_member"
    assert (await owner.post(path, json={"name": "  "})).status_code == 422

    listed = await member.get(path)
    assert listed.status_code == 200
    assert listed.json() == [{"id": created["id"], "name": "监控告警", "created_at": created["created_at"]}]
    assert (await outsider.get(path)).status_code == 403

    assert (await member.delete(f"/api/im/webhooks/{created['id']}")).status_code == 403
    assert (await outsider.delete(f"/api/im/webhooks/{created['id']}")).status_code == 403
    assert (await owner.delete(f"/api/im/webhooks/{created['id']}")).status_code == 204
    assert (await owner.delete(f"/api/im/webhooks/{created['id']}")).status_code == 404
    assert (await owner.get(path)).json() == []
    gone = await client.post(created["url"], json=_text("还在吗"), headers=_signed(created["secret"]))
    assert gone.status_code == 401

    # a one-to-one chat has no robots
    direct = await owner.post(
        "/api/im/conversations", json={"kind": "direct", "person_id": w["people"]["刘锋"].id}
    )
    r = await owner.post(f"/api/im/conversations/{direct.json()['id']}/webhooks", json={"name": "x"})
    assert r.status_code == 409


async def test_signed_post_appears_as_the_bot(
    db: Database, org: Org, as_person: Any, client: httpx.AsyncClient
) -> None:
    w = await _world(org, as_person)
    hook = await _webhook(w)
    # No cookie, no CSRF token: a plain outside caller.
    r = await client.post(hook["url"], json=_text("  CPU 使用率超过 90%  "), headers=_signed(hook["secret"]))
    assert r.status_code == 200, r.text
    assert r.json()["errcode"] == 0

    page = (await w["clients"]["刘锋"].get(f"/api/im/conversations/{w['cid']}/messages")).json()
    (message,) = page["items"]
    assert message["id"] == r.json()["message_id"]
    assert (message["sender"], message["bot_name"], message["body"]) == (
        None,
        "监控告警",
        "CPU 使用率超过 90%",
    )
    async with db.transaction(write=False) as session:
        events = (
            await session.execute(
                select(EventRecord.payload).where(
                    EventRecord.person_id == w["people"]["刘锋"].id, EventRecord.type == "im.message"
                )
            )
        ).scalars()
        assert [e["message"]["id"] for e in events] == [message["id"]]


async def test_markdown_shape(db: Database, org: Org, as_person: Any, client: httpx.AsyncClient) -> None:
    w = await _world(org, as_person)
    hook = await _webhook(w)
    body = {
        "msgtype": "markdown",
        "markdown": {"title": "发布通知", "text": "#### 发布完成\n- 版本 1.2.0"},
        "at": {"isAtAll": False},  # DingTalk fields we do not use are ignored
    }
    r = await client.post(hook["url"], json=body, headers=_signed(hook["secret"]))
    assert r.status_code == 200, r.text
    (message,) = await _messages(db, w["cid"])
    assert message.body == "#### 发布完成\n- 版本 1.2.0" and message.bot_name == "监控告警"


async def test_unsigned_stale_or_unknown_posts_are_refused(
    db: Database, org: Org, as_person: Any, client: httpx.AsyncClient
) -> None:
    w = await _world(org, as_person)
    hook = await _webhook(w)
    now = int(time.time() * 1000)
    wrong = _signed("SECnot-the-secret")
    signed = _signed(hook["secret"])
    # A timestamp other than the one signed (derived from it: `now + 1` could be the same ms).
    tampered = {**signed, "X-Tongban-Timestamp": str(int(signed["X-Tongban-Timestamp"]) + 1)}
    cases = [
        (hook["url"], {}),
        (hook["url"], {"X-Tongban-Timestamp": str(now)}),
        (hook["url"], wrong),
        (hook["url"], tampered),
        (hook["url"], _signed(hook["secret"], at_ms=now - 61 * 60 * 1000)),
        (hook["url"], _signed(hook["secret"], at_ms=now + 61 * 60 * 1000)),
        ("/api/im/hooks/no-such-token", _signed(hook["secret"])),
    ]
    for url, headers in cases:
        r = await client.post(url, json=_text("不该出现"), headers=headers)
        assert r.status_code == 401, (headers, r.text)
        assert r.json()["code"] == "webhook_signature_invalid"
    # an unsigned request with a bad body is still a 401, not a 422
    assert (await client.post(hook["url"], json={"msgtype": "link"})).status_code == 401
    assert await _messages(db, w["cid"]) == []


async def test_empty_or_too_long_is_422(
    db: Database, org: Org, as_person: Any, client: httpx.AsyncClient
) -> None:
    w = await _world(org, as_person)
    hook = await _webhook(w)
    for body in (
        _text("   "),
        _text("长" * 10_001),
        {"msgtype": "link", "link": {}},
        {"text": {"content": "x"}},
    ):
        r = await client.post(hook["url"], json=body, headers=_signed(hook["secret"]))
        assert r.status_code == 422, r.text
    assert (
        await client.post(hook["url"], json=_text("长" * 10_000), headers=_signed(hook["secret"]))
    ).status_code == 200


async def test_rate_limit_per_webhook(
    db: Database, org: Org, as_person: Any, client: httpx.AsyncClient
) -> None:
    w = await _world(org, as_person)
    hook, other = await _webhook(w), await _webhook(w, "另一个")
    for i in range(bots.RATE_LIMIT):
        r = await client.post(hook["url"], json=_text(f"第 {i} 条"), headers=_signed(hook["secret"]))
        assert r.status_code == 200, r.text
    limited = await client.post(hook["url"], json=_text("太多了"), headers=_signed(hook["secret"]))
    assert limited.status_code == 429 and limited.json()["code"] == "webhook_rate_limited"
    assert int(limited.headers["Retry-After"]) >= 1
    assert (
        await client.post(other["url"], json=_text("我还可以"), headers=_signed(other["secret"]))
    ).status_code == 200
    assert len(await _messages(db, w["cid"])) == bots.RATE_LIMIT + 1


# ---- outgoing bots ------------------------------------------------------------------------


class Receiver:
    """A bot's server on loopback: records what it is sent and answers `reply`."""

    def __init__(self) -> None:
        self.requests: list[tuple[dict[str, str], dict[str, Any]]] = []
        self.reply: Any = {"msgtype": "text", "text": {"content": "pong：收到"}}
        self.status = 200
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = json.loads(self.rfile.read(length))
                receiver.requests.append((dict(self.headers.items()), body))
                data = json.dumps(receiver.reply).encode()
                self.send_response(receiver.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/tongban"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    r.thread.start()
    yield r
    r.server.shutdown()
    r.server.server_close()


async def eventually(check: Any, within: float = 15.0) -> None:
    deadline = asyncio.get_running_loop().time() + within
    while not await check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.1)


async def test_outgoing_bot_is_called_signed_and_answers(
    db: Database,
    org: Org,
    as_person: Any,
    receiver: Receiver,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(settings, "allow_private_webhooks", True)
    w = await _world(org, as_person)
    owner, member = w["clients"]["王建国"], w["clients"]["刘锋"]
    path = f"/api/im/conversations/{w['cid']}/bots"
    assert (await member.post(path, json={"name": "x", "callback_url": receiver.url})).status_code == 403
    created = await owner.post(path, json={"name": "值班助手", "callback_url": receiver.url})
    assert created.status_code == 201, created.text
    bot = created.json()
    assert bot["mention"] == f"<@bot:{bot['id']}>"
    assert [b["callback_url"] for b in (await member.get(path)).json()] == [None]

    plain = await member.post(f"/api/im/conversations/{w['cid']}/messages", json={"body": "没有人叫机器人"})
    sent = await member.post(
        f"/api/im/conversations/{w['cid']}/messages", json={"body": f"{bot['mention']} 今天谁值班？"}
    )
    assert plain.status_code == sent.status_code == 201

    async def answered() -> bool:
        return len(await _messages(db, w["cid"])) == 3

    await eventually(answered)
    (headers, payload) = receiver.requests[0]
    assert len(receiver.requests) == 1
    timestamp = headers["X-Tongban-Timestamp"]
    assert headers["X-Tongban-Signature"] == bots.sign(bot["secret"], timestamp)
    assert abs(int(timestamp) - time.time() * 1000) < 60_000
    assert payload["conversation_id"] == w["cid"]
    assert payload["message"]["id"] == sent.json()["id"]
    assert payload["sender"] == {"id": w["people"]["刘锋"].id, "name": "刘锋"}
    reply = (await _messages(db, w["cid"]))[-1]
    assert (reply.sender_id, reply.bot_name, reply.body) == (None, "值班助手", "pong：收到")

    assert (await member.delete(f"/api/im/bots/{bot['id']}")).status_code == 403
    assert (await owner.delete(f"/api/im/bots/{bot['id']}")).status_code == 204
    assert (await owner.get(path)).json() == []


class _Ctx:
    """Just what `answer_mention` uses of a JobContext, to run it on the test's loop."""

    def __init__(self, db: Database, settings: Settings, session: Any) -> None:
        self.db, self.settings, self.session = db, settings, session


async def test_handler_and_answer_directly(
    db: Database,
    org: Org,
    as_person: Any,
    receiver: Receiver,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(settings, "allow_private_webhooks", True)
    w = await _world(org, as_person)
    bot = (
        await w["clients"]["王建国"].post(
            f"/api/im/conversations/{w['cid']}/bots", json={"name": "助手", "callback_url": receiver.url}
        )
    ).json()
    receiver.reply = {"msgtype": "markdown", "markdown": {"title": "t", "text": "**好的**"}}
    queued: list[tuple[Any, ...]] = []

    async def fake_enqueue(session: Any, declared: Any, *args: Any, **kwargs: Any) -> str:
        queued.append((declared, *args))
        return "x"

    monkeypatch.setattr(bots, "enqueue", fake_enqueue)
    sent = await w["clients"]["刘锋"].post(
        f"/api/im/conversations/{w['cid']}/messages", json={"body": f"<@bot:{bot['id']}> <@bot:999> 你好"}
    )
    assert queued == [(bots.call_bot, bot["id"], sent.json()["id"])]  # bots of other groups are not called

    async with db.transaction() as session:
        reply = await bots.answer_mention(_Ctx(db, settings, session), bot["id"], sent.json()["id"])  # type: ignore[arg-type]
        assert reply is not None and reply.body == "**好的**"
    # the bot's own answer calls no bot
    assert len(queued) == 1

    # an answer that is not a message is ignored
    receiver.reply = {"ok": True}
    async with db.transaction() as session:
        assert await bots.answer_mention(_Ctx(db, settings, session), bot["id"], sent.json()["id"]) is None  # type: ignore[arg-type]
    # a failing bot server makes the job retry
    receiver.status = 502
    async with db.transaction() as session:
        with pytest.raises(RuntimeError):
            await bots.answer_mention(_Ctx(db, settings, session), bot["id"], sent.json()["id"])  # type: ignore[arg-type]


async def test_private_targets_are_refused_unless_allowed(
    db: Database, org: Org, as_person: Any, receiver: Receiver
) -> None:
    w = await _world(org, as_person)
    owner = w["clients"]["王建国"]
    path = f"/api/im/conversations/{w['cid']}/bots"
    for url in (
        receiver.url,
        "http://localhost/x",
        "http://169.254.169.254/latest",
        "ftp://example.com/",
        "nope",
    ):
        r = await owner.post(path, json={"name": "x", "callback_url": url})
        assert r.status_code == 422, (url, r.text)
        assert r.json()["fields"][0]["field"] == "body.callback_url"
    # a name that resolves to a private address is refused at call time, and nothing is sent
    with pytest.raises(bots.UnsafeTarget):
        await bots.post_signed("http://localhost:9/", "SECx", {}, allow_private=False)
    with pytest.raises(bots.UnsafeTarget):
        await bots.post_signed(
            f"http://[::ffff:127.0.0.1]:{receiver.server.server_port}/", "SECx", {}, allow_private=False
        )
    assert receiver.requests == []
    answer = await bots.post_signed(receiver.url, "SECx", {"a": 1}, allow_private=True)
    assert answer == receiver.reply and receiver.requests[0][1] == {"a": 1}
