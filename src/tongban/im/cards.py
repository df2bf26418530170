"""Cards: other capabilities' objects shown in a chat (a doc, an approval, a form, minutes…).

The capability that owns an object is the only one that may describe it, so a card is never
taken from the client: the client names the object (`type` + `ref`), the owner's resolver checks
that the sender may read it and returns the title, summary and link, and the snapshot is stored
on the message. When the object changes (an approval is approved), the owner calls
`update_cards` and every message carrying it is refreshed live for its members.

A capability registers its type once, when its module is imported:

    register_card_type("doc", doc_card)     # async def doc_card(session, actor, ref) -> CardData | None

Who may open the linked page is still decided by the owner when someone follows the link: a
card shows a member of the conversation only what its sender chose to share.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tongban.core.errors import Invalid
from tongban.core.permissions import Actor
from tongban.im.models import Message
from tongban.im.schemas import Card, CardField, CardRef, MessageCreate

MAX_FIELDS = 6


@dataclass(frozen=True)
class CardData:
    """What a resolver returns: the object as the sender may see it."""

    title: str
    link: str  # an in-app path, e.g. /docs/12
    summary: str = ""
    fields: list[tuple[str, str]] = field(default_factory=list)  # (label, value), at most 6 shown
    status: str = ""  # e.g. 审批中 / 已通过: the owner refreshes it with update_cards


CardResolver = Callable[[AsyncSession, Actor, str], Awaitable[CardData | None]]

_RESOLVERS: dict[str, CardResolver] = {}


def register_card_type(card_type: str, resolver: CardResolver) -> None:
    """Let messages carry cards of `card_type`; `resolver` describes one object for one reader."""
    CardRef(type=card_type, ref="x")  # the same rules the API applies to a type name
    if _RESOLVERS.get(card_type, resolver) is not resolver:
        raise ValueError(f"card type {card_type!r} registered twice")
    _RESOLVERS[card_type] = resolver


def card_types() -> list[str]:
    return sorted(_RESOLVERS)


def _card(card_type: str, ref: str, data: CardData) -> Card:
    return Card(
        type=card_type,
        ref=ref,
        title=data.title[:200],
        summary=data.summary[:1000],
        link=data.link,
        fields=[CardField(label=k[:40], value=v[:200]) for k, v in data.fields[:MAX_FIELDS]],
        status=data.status[:40],
    )


async def resolve(session: AsyncSession, actor: Actor, ref: CardRef, *, field_name: str) -> Card:
    """The card for an object the actor may read; 422 naming `field_name` otherwise.

    An unknown type, a missing object and an unreadable one give the same answer, so a card
    cannot be used to probe for objects one may not see."""
    resolver = _RESOLVERS.get(ref.type)
    data = await resolver(session, actor, ref.ref) if resolver is not None else None
    if data is None:
        raise Invalid(field_name, "field.im_bad_card")
    return _card(ref.type, ref.ref, data)


async def resolve_link(session: AsyncSession, actor: Actor, ref: CardRef) -> Card | None:
    """A pasted link unfurls into a card when it can; otherwise the text stays as it is."""
    resolver = _RESOLVERS.get(ref.type)
    data = await resolver(session, actor, ref.ref) if resolver is not None else None
    return _card(ref.type, ref.ref, data) if data is not None else None


async def share_card(
    session: AsyncSession, actor: Actor, conversation_id: int, card_type: str, ref: str, body: str = ""
) -> Message:
    """Post a card of the actor's into one of their conversations (a "share to chat" button)."""
    from tongban.im.messages import do_send  # messages imports this module

    message, _ = await do_send(
        session, actor, conversation_id, MessageCreate(body=body, card=CardRef(type=card_type, ref=ref))
    )
    return message


async def update_cards(session: AsyncSession, card_type: str, ref: str, data: CardData) -> int:
    """Refresh every message that carries this object's card; members see the change live.

    Called by the owning capability inside its own transaction when the object changes (its
    title, its status). Returns how many messages changed."""
    from tongban.im.messages import emit_message

    card = _card(card_type, ref, data).model_dump()
    rows = (
        await session.execute(
            select(Message).where(
                Message.card_type == card_type, Message.card_ref == ref, Message.recalled_at.is_(None)
            )
        )
    ).scalars()
    changed = 0
    for message in rows:
        if message.card == card:
            continue
        message.card = card
        changed += 1
        await session.flush()
        await emit_message(session, message.conversation_id, message, new=False)
    return changed
