"""Messaging tables: conversations, their members (with read cursors), messages and what hangs
off messages (reactions, mentions, pins, thread read state)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tongban.core.db import Base, utcnow

BigIntId = BigInteger().with_variant(Integer(), "sqlite")


class Conversation(Base):
    __tablename__ = "im_conversations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # direct | group | department
    name: Mapped[str] = mapped_column(String(100), default="")
    avatar_file_id: Mapped[str | None] = mapped_column(String(36))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    announcement: Mapped[str] = mapped_column(Text, default="")
    # "min:max" of the two people of a 1:1, so there is only ever one per pair.
    direct_key: Mapped[str | None] = mapped_column(String(40), unique=True)
    # A department group follows the members of this department (its primary and other members).
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("departments.id", ondelete="SET NULL"), unique=True
    )
    join_by_link: Mapped[bool] = mapped_column(Boolean, default=False)
    link_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    # A join link works for a week, like DingTalk's group QR code; None on links made before expiry existed.
    link_expires_at: Mapped[dt.datetime | None]
    # Last message number handed out; the row lock orders concurrent senders.
    last_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    last_message_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Member(Base):
    __tablename__ = "im_members"
    __table_args__ = (UniqueConstraint("conversation_id", "person_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("im_conversations.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16), default="member")  # owner | admin | member
    # Read receipts are one cursor per member: everything up to read_seq has been seen.
    read_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    # Messages before this number were sent before the member joined and stay hidden.
    joined_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    muted: Mapped[bool] = mapped_column(Boolean, default=False)
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    joined_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Message(Base):
    __tablename__ = "im_messages"
    __table_args__ = (
        UniqueConstraint("conversation_id", "seq"),
        # A retried send carries the same client id: one message, however often it arrives.
        UniqueConstraint("conversation_id", "sender_id", "client_msg_id"),
        Index("ix_im_messages_thread", "thread_root_id", "seq"),
        # update_cards finds every message showing one object.
        Index("ix_im_messages_card", "card_type", "card_ref"),
    )

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("im_conversations.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(BigInteger)
    sender_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    bot_name: Mapped[str | None] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(16), default="text")  # text | image | file | card | system
    body: Mapped[str] = mapped_column(Text, default="")
    files: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    card: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    card_type: Mapped[str | None] = mapped_column(String(32))
    card_ref: Mapped[str | None] = mapped_column(String(64))
    reply_to_id: Mapped[int | None] = mapped_column(ForeignKey("im_messages.id", ondelete="SET NULL"))
    thread_root_id: Mapped[int | None] = mapped_column(ForeignKey("im_messages.id", ondelete="CASCADE"))
    thread_reply_count: Mapped[int] = mapped_column(Integer, default=0)
    thread_last_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    mentions: Mapped[list[int]] = mapped_column(JSON, default=list)
    mentions_all: Mapped[bool] = mapped_column(Boolean, default=False)
    client_msg_id: Mapped[str | None] = mapped_column(String(64))
    edited_at: Mapped[dt.datetime | None]
    recalled_at: Mapped[dt.datetime | None]
    recalled_by: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    pinned_at: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)


class Mention(Base):
    """Who a message mentions, for the @ badge (unread mentions of me) without scanning JSON."""

    __tablename__ = "im_mentions"
    __table_args__ = (UniqueConstraint("message_id", "person_id"),)

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("im_messages.id", ondelete="CASCADE"))
    conversation_id: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(BigInteger)
    person_id: Mapped[int] = mapped_column(Integer, index=True)


class Reaction(Base):
    __tablename__ = "im_reactions"
    __table_args__ = (UniqueConstraint("message_id", "person_id", "emoji"),)

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("im_messages.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    emoji: Mapped[str] = mapped_column(String(32))


class ThreadRead(Base):
    """A member's read cursor inside one thread (threads have their own unread state)."""

    __tablename__ = "im_thread_reads"
    __table_args__ = (UniqueConstraint("root_id", "person_id"),)

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    root_id: Mapped[int] = mapped_column(ForeignKey("im_messages.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(Integer)
    read_seq: Mapped[int] = mapped_column(BigInteger, default=0)
