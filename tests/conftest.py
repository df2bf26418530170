"""Shared fixtures: one migrated database per test session, emptied after every test.

The suite runs on SQLite by default and on PostgreSQL when TONGBAN_TEST_DATABASE_URL names one
(`make test` runs it both ways). Tests go through the real app: httpx against the ASGI app for
HTTP, a real uvicorn server on loopback for WebSockets.
"""

from __future__ import annotations

import asyncio
import os
import socket
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from sqlalchemy import text

from tongban.app import create_app
from tongban.core.config import Settings
from tongban.core.db import Database
from tongban.core.migrate import upgrade
from tongban.models import metadata

pytest_plugins = ["tests.factories"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _fresh_postgres_database(url: str) -> str:
    """A new database for this test session so runs never see each other's tables."""
    import asyncpg
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    name = f"tongban_test_{os.getpid()}"

    async def run() -> None:
        conn = await asyncpg.connect(
            parsed.set(drivername="postgresql").render_as_string(hide_password=False)
        )
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        await conn.execute(f'CREATE DATABASE "{name}"')
        await conn.close()

    asyncio.run(run())
    return parsed.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    data_dir = tmp_path_factory.mktemp("data")
    url = os.environ.get("TONGBAN_TEST_DATABASE_URL", "")
    if url:
        url = Settings(database_url=url).resolved_database_url
        url = _fresh_postgres_database(url)
    return Settings(
        data_dir=data_dir,
        database_url=url,
        redis_url="",
        argon2_time_cost=1,
        argon2_memory_kib=1024,
        login_max_failures=5,
        _env_file=None,  # type: ignore[call-arg]
    )


@pytest.fixture(scope="session")
def migrated(settings: Settings) -> str:
    upgrade(settings.resolved_database_url)
    return settings.resolved_database_url


@pytest.fixture(scope="session")
async def app(settings: Settings, migrated: str) -> AsyncIterator[FastAPI]:
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
def db(app: FastAPI) -> Database:
    database: Database = app.state.db
    return database


@pytest.fixture(autouse=True)
async def _clean_tables(request: pytest.FixtureRequest) -> AsyncIterator[None]:
    yield
    if "app" not in request.fixturenames:
        return
    application = request.getfixturevalue("app")
    database: Database = application.state.db
    # A job a test left queued or scheduled (a DING repeat, a reminder) would otherwise run in a
    # later test, against rows whose ids have been reused.
    application.state.jobs.queue.huey.flush()
    async with database.transaction() as session:
        if database.is_sqlite:
            # Self-references (departments.parent_id) make any single delete order fail.
            await session.execute(text("PRAGMA defer_foreign_keys = ON"))
            for table in reversed(metadata.sorted_tables):
                await session.execute(text(f'DELETE FROM "{table.name}"'))
        else:
            names = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
            await session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


@pytest.fixture(scope="session")
async def live_server(app: FastAPI) -> AsyncIterator[str]:
    """The same app on a real loopback port, for WebSocket clients."""
    port = free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, lifespan="off", log_level="warning", ws_per_message_deflate=False
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.02)
    yield f"127.0.0.1:{port}"
    server.should_exit = True
    await task


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return Path(__file__).resolve().parent.parent


@pytest.fixture
def artifacts(repo_root: Path) -> Iterator[Path]:
    path = repo_root / "test-artifacts"
    path.mkdir(exist_ok=True)
    yield path
