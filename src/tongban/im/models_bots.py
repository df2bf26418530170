"""Tables of DINGs (钉一下, urgent reminders) and of the bots in a conversation: incoming webhooks
(DingTalk-style group robots) and outgoing bots that answer @mentions."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tongban.core.db import Base, utcnow
from tongban.im.models import BigIntId


class Ding(Base):
    """An urgent reminder about one message, repeated until its recipients acknowledge it."""

    __tablename__ = "im_dings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    message_id: Mapped[int] = mapped_column(
        BigIntId, ForeignKey("im_messages.id", ondelete="CASCADE"), index=True
    )
    conversation_id: Mapped[int] = mapped_column(ForeignKey("im_conversations.id", ondelete="CASCADE"))
    sender_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    excerpt: Mapped[str] = mapped_column(String(200), default="")
    # Repeats done so far; a repeat run carries the number it is, so a duplicate run is a no-op.
    repeats: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class DingRecipient(Base):
    __tablename__ = "im_ding_recipients"
    __table_args__ = (
        UniqueConstraint("ding_id", "person_id"),
        # "DINGs to me not yet acknowledged" is the hot read.
        Index("ix_im_ding_recipients_person_id_acknowledged_at", "person_id", "acknowledged_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ding_id: Mapped[int] = mapped_column(ForeignKey("im_dings.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    acknowledged_at: Mapped[dt.datetime | None]


class Webhook(Base):
    """An incoming webhook: whoever holds its URL and secret may post into the group as it.

    The URL's token is stored as its SHA-256 only (it is looked up, never shown again); the
    secret is stored as is, because verifying an HMAC needs it.
    """

    __tablename__ = "im_webhooks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("im_conversations.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    secret: Mapped[str] = mapped_column(String(100))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # A fixed one-minute window for the rate limit, in the row so every process shares it.
    window_started_at: Mapped[dt.datetime | None]
    window_count: Mapped[int] = mapped_column(Integer, default=0)


class Bot(Base):
    """An outgoing bot: a member identity of one conversation (not a person) that is called back
    when a message mentions it as `<@bot:{id}>`, and may answer."""

    __tablename__ = "im_bots"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("im_conversations.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    callback_url: Mapped[str] = mapped_column(String(500))
    secret: Mapped[str] = mapped_column(String(100))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
