"""Group robots (群机器人), DingTalk style: incoming webhooks and outgoing bots.

An **incoming webhook** lets an outside system post into one group. It is a secret URL
(`/api/im/hooks/{token}`) plus a signing secret. Each post is signed the way DingTalk signs its
robot calls::

    timestamp = unix time in milliseconds, as a decimal string
    signature = base64(HMAC-SHA256(key=secret, message=f"{timestamp}\\n{secret}"))

sent as the headers `X-Tongban-Timestamp` and `X-Tongban-Signature`. The timestamp must be
within an hour of the server's clock. As with DingTalk, the signature proves the caller holds
the secret; it does not cover the body, so the URL and secret together are the credential.

An **outgoing bot** is a member identity of one group (a row here, not a person). A message
that mentions it as `<@bot:{id}>` is POSTed, signed the same way with the bot's secret, to its
callback URL by a background job; a JSON answer in the webhook shape is posted back as the bot.
Callbacks never reach private, loopback or link-local addresses unless
`allow_private_webhooks` is set: the address is resolved, checked, and the connection pinned to
it, so a DNS answer that changes between check and connect cannot slip through.

docs/bots.md has curl examples.
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import hashlib
import hmac
import ipaddress
import json
import logging
import re
import secrets
import socket
import time
from typing import Annotated, Any, Literal

import httpx
from pydantic import BaseModel, Field, StringConstraints, TypeAdapter, ValidationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tongban.core import i18n
from tongban.core.db import utcnow
from tongban.core.errors import AppError, Conflict, Invalid, NotAuthenticated, NotFound
from tongban.core.events import domain
from tongban.core.jobs import JobContext, enqueue, job
from tongban.core.permissions import Actor
from tongban.im import messages
from tongban.im.access import access_conversation, require_admin
from tongban.im.models import Conversation, Message
from tongban.im.models_bots import Bot, Webhook
from tongban.im.render import render
from tongban.im.schemas import MAX_BODY, MessageCreate, MessageEvent

log = logging.getLogger(__name__)

i18n.register(
    {
        "webhook_signature_invalid": (
            "签名无效、时间戳过期或 Webhook 不存在",
            "The signature is invalid, the timestamp is stale, or the webhook does not exist",
        ),
        "webhook_rate_limited": (
            "该 Webhook 每分钟最多发送 {limit} 条消息",
            "This webhook may post at most {limit} messages a minute",
        ),
        "im_bot_not_found": ("机器人不存在", "No such bot or webhook"),
        "im_bots_group_only": ("机器人只能添加到群聊", "Bots can only be added to groups"),
        "field.im_bad_callback_url": (
            "回调地址须为公网的 http(s) 地址",
            "must be a public http(s) URL",
        ),
    }
)

TIMESTAMP_HEADER = "X-Tongban-Timestamp"
SIGNATURE_HEADER = "X-Tongban-Signature"
MAX_SKEW_MS = 60 * 60 * 1000
RATE_LIMIT = 20  # posts a minute per webhook
RATE_WINDOW = dt.timedelta(minutes=1)
CALLBACK_TIMEOUT = 5.0
MAX_REPLY_BYTES = 64 * 1024
BOT_MENTION = re.compile(r"<@bot:(\d+)>")


# ---- schemas ------------------------------------------------------------------------------

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Content = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_BODY)]


class WebhookCreate(BaseModel):
    name: Name


class WebhookRead(BaseModel):
    id: int
    name: str
    created_at: dt.datetime


class WebhookCreated(WebhookRead):
    """Shown once: the URL's token and the secret are not stored in a form that can be shown again."""

    url: str
    secret: str


class BotCreate(BaseModel):
    name: Name
    callback_url: str = Field(min_length=1, max_length=500)


class BotRead(BaseModel):
    id: int
    name: str
    mention: str  # what a message contains to call the bot: "<@bot:{id}>"
    callback_url: str | None  # for the group's owner and admins only
    created_at: dt.datetime


class BotCreated(BotRead):
    secret: str  # shown once: the bot's receiver verifies our signature with it


class TextBody(BaseModel):
    content: Content


class TextPost(BaseModel):
    """`{"msgtype": "text", "text": {"content": "..."}}`, as DingTalk's robots send."""

    msgtype: Literal["text"]
    text: TextBody


class MarkdownBody(BaseModel):
    title: Name  # DingTalk shows it only as the preview; the message is `text`
    text: Content


class MarkdownPost(BaseModel):
    """`{"msgtype": "markdown", "markdown": {"title": "...", "text": "..."}}`."""

    msgtype: Literal["markdown"]
    markdown: MarkdownBody


RobotPost = Annotated[TextPost | MarkdownPost, Field(discriminator="msgtype")]
_robot_post: TypeAdapter[TextPost | MarkdownPost] = TypeAdapter(RobotPost)


class HookResult(BaseModel):
    """DingTalk's answer shape (`errcode` 0 is success), plus the message posted."""

    errcode: int = 0
    errmsg: str = "ok"
    message_id: int


def body_of(post: TextPost | MarkdownPost) -> str:
    return post.text.content if isinstance(post, TextPost) else post.markdown.text


# ---- signing ------------------------------------------------------------------------------


def sign(secret: str, timestamp: str) -> str:
    """DingTalk's robot signature: base64(HMAC-SHA256(secret, f"{timestamp}\\n{secret}"))."""
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def signed_headers(secret: str) -> dict[str, str]:
    timestamp = str(int(time.time() * 1000))
    return {TIMESTAMP_HEADER: timestamp, SIGNATURE_HEADER: sign(secret, timestamp)}


def check_signature(secret: str, timestamp: str | None, signature: str | None, *, now_ms: int) -> bool:
    if not timestamp or not signature or not timestamp.isdigit():
        return False
    if abs(now_ms - int(timestamp)) > MAX_SKEW_MS:
        return False
    return hmac.compare_digest(sign(secret, timestamp).encode(), signature.encode())


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_secret() -> str:
    return "SEC" + secrets.token_hex(32)  # DingTalk's secrets start with SEC too


# ---- managing webhooks and bots -----------------------------------------------------------


async def _admin_of_group(session: AsyncSession, actor: Actor, conversation_id: int) -> Conversation:
    conversation, member = await access_conversation(session, actor, conversation_id)
    if conversation.kind == "direct":
        raise Conflict("im_bots_group_only")
    require_admin(member)
    return conversation


async def do_create_webhook(
    session: AsyncSession, actor: Actor, conversation_id: int, name: str
) -> WebhookCreated:
    """A new incoming webhook for a group (its owner or admins)."""
    conversation = await _admin_of_group(session, actor, conversation_id)
    token = secrets.token_urlsafe(32)
    webhook = Webhook(
        conversation_id=conversation.id,
        name=name,
        token_hash=_token_hash(token),
        secret=_new_secret(),
        created_by=actor.person_id,
    )
    session.add(webhook)
    await session.flush()
    return WebhookCreated(
        id=webhook.id,
        name=webhook.name,
        created_at=webhook.created_at,
        url=f"/api/im/hooks/{token}",
        secret=webhook.secret,
    )


async def list_webhooks(session: AsyncSession, actor: Actor, conversation_id: int) -> list[WebhookRead]:
    """The group's webhooks, for any member (names only: no URL, no secret)."""
    await access_conversation(session, actor, conversation_id)
    rows = await session.execute(
        select(Webhook).where(Webhook.conversation_id == conversation_id).order_by(Webhook.id)
    )
    return [WebhookRead(id=w.id, name=w.name, created_at=w.created_at) for w in rows.scalars()]


async def do_delete_webhook(session: AsyncSession, actor: Actor, webhook_id: int) -> None:
    webhook = await session.get(Webhook, webhook_id)
    if webhook is None:
        raise NotFound("im_bot_not_found")
    _, member = await access_conversation(session, actor, webhook.conversation_id)
    require_admin(member)
    await session.delete(webhook)


def check_callback_url(url: str, *, allow_private: bool) -> None:
    """http(s) with a host; a literal private address or localhost is refused at once (names
    are checked again, resolved, at every call)."""
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL:
        raise Invalid("body.callback_url", "field.im_bad_callback_url") from None
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise Invalid("body.callback_url", "field.im_bad_callback_url")
    if allow_private:
        return
    if parsed.host == "localhost" or parsed.host.endswith(".localhost"):
        raise Invalid("body.callback_url", "field.im_bad_callback_url")
    try:
        address = ipaddress.ip_address(parsed.host)
    except ValueError:
        return
    if not _public(address):
        raise Invalid("body.callback_url", "field.im_bad_callback_url")


def _bot_read(bot: Bot, *, admin: bool) -> BotRead:
    return BotRead(
        id=bot.id,
        name=bot.name,
        mention=f"<@bot:{bot.id}>",
        callback_url=bot.callback_url if admin else None,
        created_at=bot.created_at,
    )


async def do_create_bot(
    session: AsyncSession, actor: Actor, conversation_id: int, data: BotCreate, *, allow_private: bool
) -> BotCreated:
    """An outgoing bot in a group (its owner or admins)."""
    conversation = await _admin_of_group(session, actor, conversation_id)
    check_callback_url(data.callback_url, allow_private=allow_private)
    bot = Bot(
        conversation_id=conversation.id,
        name=data.name,
        callback_url=data.callback_url,
        secret=_new_secret(),
        created_by=actor.person_id,
    )
    session.add(bot)
    await session.flush()
    return BotCreated(**_bot_read(bot, admin=True).model_dump(), secret=bot.secret)


async def list_bots(session: AsyncSession, actor: Actor, conversation_id: int) -> list[BotRead]:
    _, member = await access_conversation(session, actor, conversation_id)
    admin = member.role in ("owner", "admin")
    rows = await session.execute(select(Bot).where(Bot.conversation_id == conversation_id).order_by(Bot.id))
    return [_bot_read(b, admin=admin) for b in rows.scalars()]


async def do_delete_bot(session: AsyncSession, actor: Actor, bot_id: int) -> None:
    bot = await session.get(Bot, bot_id)
    if bot is None:
        raise NotFound("im_bot_not_found")
    _, member = await access_conversation(session, actor, bot.conversation_id)
    require_admin(member)
    await session.delete(bot)


# ---- posting through an incoming webhook --------------------------------------------------


async def authenticate_webhook(
    session: AsyncSession, token: str, timestamp: str | None, signature: str | None
) -> Webhook:
    """The webhook behind a hook URL if the request is signed with its secret; one 401 for every
    failure (unknown token, bad or missing signature, stale timestamp), so nothing leaks."""
    webhook = (
        await session.execute(select(Webhook).where(Webhook.token_hash == _token_hash(token)))
    ).scalar()
    now_ms = int(time.time() * 1000)
    # An unknown token still costs an HMAC, so timing does not tell tokens apart.
    secret = webhook.secret if webhook is not None else _new_secret()
    if not check_signature(secret, timestamp, signature, now_ms=now_ms) or webhook is None:
        raise NotAuthenticated("webhook_signature_invalid")
    return webhook


async def _take_rate_slot(session: AsyncSession, webhook: Webhook) -> None:
    # The row lock (PostgreSQL) or the write transaction (SQLite) serialises concurrent posts,
    # so the count is exact across server processes.
    locked = (
        await session.execute(
            select(Webhook)
            .where(Webhook.id == webhook.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    ).scalar_one()
    now = utcnow()
    if locked.window_started_at is None or now - locked.window_started_at >= RATE_WINDOW:
        locked.window_started_at, locked.window_count = now, 0
    if locked.window_count >= RATE_LIMIT:
        retry_after = RATE_WINDOW - (now - locked.window_started_at)
        raise AppError(
            "webhook_rate_limited",
            status_code=429,
            headers={"Retry-After": str(max(1, int(retry_after.total_seconds()) + 1))},
            limit=RATE_LIMIT,
        )
    locked.window_count += 1


async def do_post_via_webhook(
    session: AsyncSession, webhook: Webhook, post: TextPost | MarkdownPost
) -> Message:
    """Post into the webhook's group as the bot named after it."""
    await _take_rate_slot(session, webhook)
    conversation = await session.get(Conversation, webhook.conversation_id)
    if conversation is None:  # pragma: no cover - the webhook is deleted with its conversation
        raise NotAuthenticated("webhook_signature_invalid")
    message, _ = await messages.send_as(
        session, None, conversation, None, MessageCreate(body=body_of(post)), bot_name=webhook.name
    )
    return message


# ---- outgoing bots ------------------------------------------------------------------------


@domain.on("im.message")
async def call_mentioned_bots(session: AsyncSession, event: MessageEvent) -> None:
    """Queue a callback for every bot of the conversation that a person's message mentions.

    Messages from bots and webhooks (no sender) never call bots, so two bots cannot talk to
    each other forever.
    """
    message = event.message
    if message.sender is None:
        return
    ids = {int(x) for x in BOT_MENTION.findall(message.body)}
    if not ids:
        return
    rows = await session.execute(
        select(Bot.id).where(Bot.id.in_(ids), Bot.conversation_id == message.conversation_id)
    )
    for bot_id in sorted(rows.scalars()):
        await enqueue(session, call_bot, bot_id, message.id)


class UnsafeTarget(Exception):
    """The callback URL is not http(s), does not resolve, or resolves to a private address."""


def _public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


async def _pinned_target(url: str, *, allow_private: bool) -> tuple[httpx.URL, str, str]:
    """(URL with the host replaced by a checked address, Host header, TLS server name)."""
    parsed = httpx.URL(url)
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise UnsafeTarget(url)
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(parsed.host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise UnsafeTarget(f"{parsed.host}: {exc}") from exc
    addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
    if not addresses or (not allow_private and not all(_public(a) for a in addresses)):
        raise UnsafeTarget(f"{parsed.host} resolves to a private address")
    host_header = parsed.host if parsed.port is None else f"{parsed.host}:{parsed.port}"
    return parsed.copy_with(host=str(addresses[0])), host_header, parsed.host


async def post_signed(
    url: str, secret: str, payload: dict[str, Any], *, allow_private: bool
) -> dict[str, Any] | None:
    """POST `payload` signed with `secret`; the JSON answer, or None if there is none to use.

    Raises on a 5xx, a timeout or a refused connection, so the job retries. Redirects are not
    followed and proxies from the environment are not used: either would bypass the address check.
    """
    target, host, server_name = await _pinned_target(url, allow_private=allow_private)
    headers = {"Host": host, "Content-Type": "application/json", **signed_headers(secret)}
    extensions = {"sni_hostname": server_name} if target.scheme == "https" else {}
    content = json.dumps(payload, ensure_ascii=False).encode()
    async with (
        httpx.AsyncClient(timeout=CALLBACK_TIMEOUT, follow_redirects=False, trust_env=False) as client,
        client.stream("POST", target, content=content, headers=headers, extensions=extensions) as response,
    ):
        if response.status_code >= 500:
            raise RuntimeError(f"bot callback {url} answered {response.status_code}")
        data = b""
        async for chunk in response.aiter_bytes():
            data += chunk
            if len(data) > MAX_REPLY_BYTES:
                log.warning("bot callback %s answered more than %d bytes; ignored", url, MAX_REPLY_BYTES)
                return None
    if response.status_code >= 300:
        log.warning("bot callback %s answered %s", url, response.status_code)
        return None
    try:
        answer = json.loads(data) if data.strip() else None
    except ValueError:
        return None
    return answer if isinstance(answer, dict) else None


async def answer_mention(ctx: JobContext, bot_id: int, message_id: int) -> Message | None:
    """Call the bot about the message and post its answer; the posted message, if any."""
    # Read in a short transaction of its own: the job's transaction (the write lock on SQLite)
    # begins only after the callback, which may take seconds.
    async with ctx.db.transaction(write=False) as session:
        bot = await session.get(Bot, bot_id)
        message = await session.get(Message, message_id)
        if bot is None or message is None or message.recalled_at is not None:
            return None
        (read,) = await render(session, None, [message])
        url, secret, conversation_id = bot.callback_url, bot.secret, bot.conversation_id
    payload = {
        "conversation_id": conversation_id,
        "message": read.model_dump(mode="json"),
        "sender": read.sender.model_dump(mode="json") if read.sender else None,
    }
    try:
        answer = await post_signed(url, secret, payload, allow_private=ctx.settings.allow_private_webhooks)
    except UnsafeTarget as exc:
        log.warning("bot %s not called: %s", bot_id, exc)
        return None
    if answer is None:
        return None
    try:
        post = _robot_post.validate_python(answer)
    except ValidationError:
        log.info("bot %s answered something that is not a message; ignored", bot_id)
        return None
    session = ctx.session
    bot = await session.get(Bot, bot_id)
    conversation = await session.get(Conversation, conversation_id)
    if bot is None or conversation is None:  # deleted while we waited
        return None
    reply, _ = await messages.send_as(
        session, None, conversation, None, MessageCreate(body=body_of(post)), bot_name=bot.name
    )
    return reply


@job(retries=3, retry_delay=5.0, backoff=2.0)
async def call_bot(ctx: JobContext, bot_id: int, message_id: int) -> None:
    """An outgoing bot's callback (5 s timeout, 3 retries): see `answer_mention`."""
    await answer_mention(ctx, bot_id, message_id)
