"""Minutes tables: a recording's minutes (one per upload), its transcript segments, its shares.

A record's `status` walks queued → running → done, or ends failed (with `error_code`, a message
key shown to the owner) or cancelled. `claimed_at` is refreshed while a worker transcribes; a
running record whose claim is older than `STALE_AFTER` belonged to a process that died and may
be claimed again. Segments keep the recogniser's words and times; a correction by the owner
replaces `text` and keeps `original_text` and the word times, so audio alignment is kept.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tongban.core.db import Base, utcnow

STATUSES = ("queued", "running", "done", "failed", "cancelled")
LANGUAGES = ("zh", "en", "auto")


class MinutesRecord(Base):
    __tablename__ = "minutes_records"
    __table_args__ = (Index("ix_minutes_records_status_queued", "status", "queued_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    file_id: Mapped[str] = mapped_column(ForeignKey("files.id", ondelete="RESTRICT"), index=True)
    language: Mapped[str] = mapped_column(String(8), default="zh")
    status: Mapped[str] = mapped_column(String(16), default="queued")
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    error_code: Mapped[str] = mapped_column(String(64), default="")
    duration: Mapped[float | None] = mapped_column(Float)
    detected_language: Mapped[str] = mapped_column(String(8), default="")
    engine: Mapped[str] = mapped_column(String(200), default="")
    # Bumped by every retry, so a worker still finishing an older attempt cannot write into it.
    attempt: Mapped[int] = mapped_column(Integer, default=1)
    keywords: Mapped[list[Any]] = mapped_column(JSON, default=list)
    key_points: Mapped[list[Any]] = mapped_column(JSON, default=list)
    # Speaker labels the owner gave ("Speaker 1" → "王律师"); only for labels a segment carries.
    speaker_names: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    queued_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    started_at: Mapped[dt.datetime | None] = mapped_column()
    claimed_at: Mapped[dt.datetime | None] = mapped_column()
    finished_at: Mapped[dt.datetime | None] = mapped_column()
    processing_seconds: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class MinutesSegment(Base):
    __tablename__ = "minutes_segments"
    __table_args__ = (UniqueConstraint("minutes_id", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    minutes_id: Mapped[int] = mapped_column(ForeignKey("minutes_records.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    start: Mapped[float] = mapped_column(Float)
    end: Mapped[float] = mapped_column(Float)
    text: Mapped[str] = mapped_column(Text)
    original_text: Mapped[str] = mapped_column(Text)
    # [[start, end, word], ...] as recognised; kept when the owner corrects the text.
    words: Mapped[list[Any]] = mapped_column(JSON, default=list)
    speaker: Mapped[str | None] = mapped_column(String(40))


class MinutesShare(Base):
    """Read access for one person or one department (with its sub-departments)."""

    __tablename__ = "minutes_shares"
    __table_args__ = (UniqueConstraint("minutes_id", "person_id", "department_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    minutes_id: Mapped[int] = mapped_column(ForeignKey("minutes_records.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("departments.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
