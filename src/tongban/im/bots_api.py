"""Group robots: incoming webhooks (`/api/im/hooks/{token}`) and outgoing bots. See docs/bots.md."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, status

from tongban.auth.deps import CurrentActor
from tongban.core.deps import AppSettings, DbSession
from tongban.im import bots
from tongban.im.bots import (
    BotCreate,
    BotCreated,
    BotRead,
    HookResult,
    RobotPost,
    WebhookCreate,
    WebhookCreated,
    WebhookRead,
)
from tongban.im.models_bots import Webhook

router = APIRouter(prefix="/api/im", tags=["im"])


@router.post(
    "/conversations/{conversation_id}/webhooks",
    response_model=WebhookCreated,
    status_code=status.HTTP_201_CREATED,
)
async def create_webhook(
    conversation_id: int, body: WebhookCreate, session: DbSession, actor: CurrentActor
) -> WebhookCreated:
    """Add an incoming webhook to a group (its owner or admins).

    The answer holds the URL to post to and the signing secret. Both are shown this once:
    only a hash of the URL's token is kept.
    """
    return await bots.do_create_webhook(session, actor, conversation_id, body.name)


@router.get("/conversations/{conversation_id}/webhooks", response_model=list[WebhookRead])
async def list_webhooks(conversation_id: int, session: DbSession, actor: CurrentActor) -> list[WebhookRead]:
    """The group's incoming webhooks (any member; no URLs or secrets)."""
    return await bots.list_webhooks(session, actor, conversation_id)


@router.delete("/webhooks/{webhook_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_webhook(webhook_id: int, session: DbSession, actor: CurrentActor) -> None:
    """Remove an incoming webhook (the group's owner or admins); its URL stops working at once."""
    await bots.do_delete_webhook(session, actor, webhook_id)


async def signed_webhook(
    token: str,
    session: DbSession,
    x_tongban_timestamp: Annotated[str | None, Header(description="Unix time in milliseconds")] = None,
    x_tongban_signature: Annotated[
        str | None, Header(description='base64(HMAC-SHA256(secret, f"{timestamp}\\n{secret}"))')
    ] = None,
) -> Webhook:
    # A dependency runs before the body is validated: an unsigned request gets 401, never a 422
    # that would tell a stranger the URL exists.
    return await bots.authenticate_webhook(session, token, x_tongban_timestamp, x_tongban_signature)


@router.post(
    "/hooks/{token}",
    response_model=HookResult,
    responses={401: {"description": "`webhook_signature_invalid`"}, 429: {"description": "rate limited"}},
)
async def post_via_webhook(
    body: RobotPost, session: DbSession, webhook: Annotated[Webhook, Depends(signed_webhook)]
) -> HookResult:
    """Post into the webhook's group as the bot (public: no session, no CSRF token).

    DingTalk-compatible bodies: `{"msgtype": "text", "text": {"content": "..."}}` or
    `{"msgtype": "markdown", "markdown": {"title": "...", "text": "..."}}` (the title is only a
    preview, as in DingTalk; `text` is posted). At most 10,000 characters; extra fields such as
    DingTalk's `at` are ignored.

    Signing (DingTalk's robot scheme): header `X-Tongban-Timestamp` is the current Unix time in
    milliseconds, and `X-Tongban-Signature` is
    `base64(HMAC-SHA256(key=secret, message=timestamp + "\\n" + secret))`. A missing or wrong
    signature, a timestamp more than an hour off, or an unknown URL gives 401
    `webhook_signature_invalid`. Each webhook may post 20 messages a minute (429 beyond).
    """
    message = await bots.do_post_via_webhook(session, webhook, body)
    return HookResult(message_id=message.id)


@router.post(
    "/conversations/{conversation_id}/bots", response_model=BotCreated, status_code=status.HTTP_201_CREATED
)
async def create_bot(
    conversation_id: int, body: BotCreate, session: DbSession, actor: CurrentActor, settings: AppSettings
) -> BotCreated:
    """Add an outgoing bot to a group (its owner or admins).

    When a person's message in the group contains the bot's `mention` (`<@bot:{id}>`), Tongban
    POSTs `{"conversation_id", "message", "sender"}` to `callback_url` (5 s timeout, 3 retries),
    signed with the returned `secret` exactly like incoming webhooks (`X-Tongban-Timestamp`,
    `X-Tongban-Signature`). An answer `{"msgtype": "text", "text": {"content": "..."}}` (or the
    markdown shape) is posted back into the group as the bot. Only public http(s) addresses are
    called unless the server allows private ones. The secret is shown this once.
    """
    return await bots.do_create_bot(
        session, actor, conversation_id, body, allow_private=settings.allow_private_webhooks
    )


@router.get("/conversations/{conversation_id}/bots", response_model=list[BotRead])
async def list_bots(conversation_id: int, session: DbSession, actor: CurrentActor) -> list[BotRead]:
    """The group's outgoing bots (any member; callback URLs for owners and admins only)."""
    return await bots.list_bots(session, actor, conversation_id)


@router.delete("/bots/{bot_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_bot(bot_id: int, session: DbSession, actor: CurrentActor) -> None:
    """Remove an outgoing bot (the group's owner or admins)."""
    await bots.do_delete_bot(session, actor, bot_id)
