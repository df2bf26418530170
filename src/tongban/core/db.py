"""Database engine, the declarative base and the request-scoped unit of work.

One request (or one job) is one transaction: `get_session` commits when the route returns and
rolls back on error. Services only `flush()`. Side effects that must not happen unless the data
is committed (events, jobs) are registered with `on_commit` and run after a successful commit.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import DateTime, MetaData, event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

log = logging.getLogger(__name__)

# Named constraints: Alembic's batch mode on SQLite needs names to alter or drop them.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Timezone-aware UTC datetimes on both databases (SQLite stores them naive)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {dt.datetime: UTCDateTime()}  # noqa: RUF012 - SQLAlchemy reads it as is


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def create_engine(url: str, *, echo: bool = False) -> AsyncEngine:
    if url.startswith("sqlite"):
        engine = create_async_engine(url, echo=echo, connect_args={"timeout": 30})
        _configure_sqlite(engine)
        return engine
    return create_async_engine(url, echo=echo, pool_size=10, max_overflow=20, pool_pre_ping=True)


def _configure_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Take over transaction control from pysqlite so we can say BEGIN IMMEDIATE.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        # A write transaction takes the write lock up front: a deferred transaction that reads
        # first and writes later fails at once with SQLITE_BUSY when another writer got in
        # between, instead of waiting for busy_timeout.
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")


class Database:
    """The engine and session factory, built in the app's lifespan (never at import time)."""

    def __init__(self, url: str, *, echo: bool = False, info: dict[str, Any] | None = None) -> None:
        self.url = url
        self.engine = create_engine(url, echo=echo)
        # SQLite has one writer at a time. Queueing writers here wakes the next one the moment
        # the last commits; left to SQLite, waiters poll its busy handler with sleeps of up to
        # 100 ms, which under a burst of sends cost seconds of latency (bench/im.py).
        self._write_lock: asyncio.Lock | None = asyncio.Lock() if url.startswith("sqlite") else None
        # `info` carries process resources the services reach through their session
        # (the event broker, the job queue) without importing the app.
        self.sessionmaker = async_sessionmaker(
            self.engine, expire_on_commit=False, autoflush=False, info=info or {}
        )

    @property
    def is_sqlite(self) -> bool:
        return self.url.startswith("sqlite")

    @asynccontextmanager
    async def transaction(self, *, write: bool = True) -> AsyncIterator[AsyncSession]:
        """One unit of work: commit on success, roll back on error, then run on-commit hooks.

        On SQLite a write transaction holds the process's write lock: never open a second write
        transaction inside one (it would wait for itself).
        """
        lock = self._write_lock if write else None
        async with lock or contextlib.nullcontext(), self.sessionmaker() as session:
            if write and self.is_sqlite:
                await session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
            try:
                yield session
                await session.commit()
            except BaseException:
                await session.rollback()
                session.info.pop("on_commit", None)
                raise
            await run_after_commit(session)

    async def dispose(self) -> None:
        await self.engine.dispose()


AfterCommit = Callable[[], Awaitable[None]]


def on_commit(session: AsyncSession, callback: AfterCommit) -> None:
    """Run `callback` once the session's transaction has committed; drop it on rollback."""
    session.info.setdefault("on_commit", []).append(callback)


async def run_after_commit(session: AsyncSession) -> None:
    callbacks: list[AfterCommit] = session.info.pop("on_commit", [])
    for callback in callbacks:
        try:
            await callback()
        except Exception:
            # The data is committed; a failed side effect must not turn the request into an error.
            # Events are durable in the database, so a lost publish is recovered on resume.
            log.exception("after-commit callback failed")
