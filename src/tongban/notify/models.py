from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tongban.core.db import Base, utcnow


class Notification(Base):
    """One notification in one person's inbox."""

    __tablename__ = "notifications"
    __table_args__ = (
        # The inbox page (newest first) and the unread badge are both per person.
        Index("ix_notifications_person_id_id", "person_id", "id"),
        Index("ix_notifications_person_id_read_at", "person_id", "read_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    capability: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str | None] = mapped_column(String(500))
    priority: Mapped[str] = mapped_column(String(10), default="normal")
    read_at: Mapped[dt.datetime | None] = mapped_column()
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class NotificationSettings(Base):
    """A person's choices: capabilities they muted and their quiet hours (in their time zone)."""

    __tablename__ = "notification_settings"

    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    muted_capabilities: Mapped[list[str]] = mapped_column(JSON, default=list)
    quiet_hours_start: Mapped[str | None] = mapped_column(String(5))
    quiet_hours_end: Mapped[str | None] = mapped_column(String(5))
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
