"""Alembic environment: runs on the app's async engine, SQLite in batch mode."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

from tongban.core.db import create_engine
from tongban.models import metadata

config = context.config

# Search objects the migrations create outside the models (tongban.im.search): the FTS5 tables
# (trigram and bigram) with their shadow tables on SQLite, the trigram index on PostgreSQL.
UNMODELLED_TABLE_PREFIXES = ("im_messages_fts", "im_messages_bigrams")
UNMODELLED_INDEXES = frozenset({"ix_im_messages_body_trgm"})


def _include_name(name: str | None, type_: str, _parent_names: object) -> bool:
    if type_ == "table" and name is not None and name.startswith(UNMODELLED_TABLE_PREFIXES):
        return False
    return not (type_ == "index" and name in UNMODELLED_INDEXES)


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_name=_include_name,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _main() -> None:
    engine = create_engine(config.get_main_option("sqlalchemy.url") or "")
    async with engine.connect() as connection:
        await connection.run_sync(_run)
        await connection.commit()
    await engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported")
existing = config.attributes.get("connection")
if existing is not None:
    _run(existing)
else:
    asyncio.run(_main())
