from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, BigInteger, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tongban.core.db import Base, utcnow

# SQLite only autoincrements an INTEGER PRIMARY KEY; PostgreSQL gets a bigint.
BigIntId = BigInteger().with_variant(Integer(), "sqlite")


class EventRecord(Base):
    """One person's copy of one event. (person_id, seq) is the id the client sees."""

    __tablename__ = "event_log"
    __table_args__ = (UniqueConstraint("person_id", "seq"),)

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    person_id: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(BigInteger)
    type: Mapped[str] = mapped_column(String(80))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)


class EventCursor(Base):
    """Each person's sequence counter; its row lock orders concurrent publishers on PostgreSQL."""

    __tablename__ = "event_cursors"

    person_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    # Events up to this number were pruned by retention; resuming from before it needs a resync.
    pruned_through: Mapped[int] = mapped_column(BigInteger, default=0)
