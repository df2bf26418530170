"""Migrations build exactly the models' schema, and go down and up again cleanly."""

from __future__ import annotations

import asyncio

import pytest
from alembic import command
from alembic.script import ScriptDirectory

from tongban.core.config import Settings
from tongban.core.migrate import alembic_config


@pytest.fixture
def scratch_url(settings: Settings, tmp_path) -> str:
    """A database of its own (the shared test database stays migrated for the other tests)."""
    if settings.is_sqlite:
        return f"sqlite+aiosqlite:///{tmp_path / 'migrations.db'}"
    import asyncpg
    from sqlalchemy.engine import make_url

    url = make_url(settings.resolved_database_url)
    name = f"{url.database}_mig"

    async def create() -> None:
        conn = await asyncpg.connect(url.set(drivername="postgresql").render_as_string(hide_password=False))
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        await conn.execute(f'CREATE DATABASE "{name}"')
        await conn.close()

    asyncio.run(create())
    return url.set(database=name).render_as_string(hide_password=False)


def test_one_linear_history() -> None:
    heads = ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads()
    assert len(heads) == 1, f"several migration heads {heads}: set down_revision to make history linear"


def test_models_and_migrations_do_not_drift(scratch_url: str) -> None:
    config = alembic_config(scratch_url)
    command.upgrade(config, "heads")
    command.check(config)  # raises when autogenerate would produce a new migration


def test_downgrade_to_nothing_and_back(scratch_url: str) -> None:
    config = alembic_config(scratch_url)
    command.upgrade(config, "heads")
    command.downgrade(config, "base")
    command.upgrade(config, "heads")
    command.check(config)
