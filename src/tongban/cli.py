"""`tongban serve | worker | migrate | demo | create-admin | import-org FILE | openapi`.

Every command reads the same TONGBAN_* settings as the server.
"""

from __future__ import annotations

import asyncio
import getpass
import json
import sys
from pathlib import Path

import click

from tongban.core.config import Settings
from tongban.core.logging import configure_logging


def _settings() -> Settings:
    settings = Settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return settings


@click.group()
def main() -> None:
    """Tongban (通办): self-hosted collaborative office platform."""


@main.command()
@click.option("--host", default=None, help="Overrides TONGBAN_HOST.")
@click.option("--port", type=int, default=None, help="Overrides TONGBAN_PORT.")
def serve(host: str | None, port: int | None) -> None:
    """Serve HTTP and WebSockets."""
    import uvicorn

    from tongban.app import create_app

    settings = _settings()
    configure_logging(settings.log_level, json=settings.log_json)
    app = create_app(settings)
    tune_gc()
    uvicorn.run(
        app,
        host=host or settings.host,
        port=port or settings.port,
        ws=settings.ws_impl,
        ws_per_message_deflate=False,  # compression costs ~100 KB per idle socket; events are small
        proxy_headers=True,
        log_config=None,
        timeout_graceful_shutdown=5,
    )


def tune_gc() -> None:
    """Keep the garbage collector's full passes off the request path of a long-lived server.

    With 2,000 sockets open, CPython's default thresholds ran a full collection every second
    or two, each stopping the process for 100–220 ms: the whole p99 of bench/im.py. What was
    loaded at start-up (modules, classes, the app) never becomes garbage, so it is frozen out
    of every future pass; a larger young generation makes passes rarer. Objects still die by
    reference counting as usual; only cycles wait a little longer.
    """
    import gc

    from tongban.core.metrics import watch_gc

    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)
    watch_gc()


@main.command()
def migrate() -> None:
    """Bring the database schema up to date."""
    from tongban.core.migrate import upgrade

    settings = _settings()
    upgrade(settings.resolved_database_url)
    click.echo("database is up to date")


async def _with_db(settings: Settings):  # type: ignore[no-untyped-def]
    from tongban.core.db import Database

    return Database(settings.resolved_database_url, info={"settings": settings})


@main.command()
def demo() -> None:
    """Load the demo organisation into an empty database (never into one that has people)."""
    from tongban.auth.passwords import hash_password
    from tongban.org.demo import DEMO_PASSWORD, is_empty, load_demo, welcome

    settings = _settings()

    async def run() -> None:
        db = await _with_db(settings)
        try:
            async with db.transaction() as session:
                if not await is_empty(session):
                    click.echo("the database already has people: demo organisation not loaded")
                    return
                password_hash = await hash_password(
                    DEMO_PASSWORD, time_cost=settings.argon2_time_cost, memory_kib=settings.argon2_memory_kib
                )
                people = await load_demo(session, password_hash)
                await welcome(session, people)
            click.echo(f"loaded the demo organisation: {len(people)} people")
            click.echo(f"  demo accounts (password {DEMO_PASSWORD}):")
            click.echo("    admin     系统管理员 — organisation admin")
            click.echo("    liufeng   刘锋 — 大数据中心, member")
            click.echo("    wangjianguo 王建国 — 县政府办公室 head, department admin")
            click.echo("    taohaifeng 陶海锋 — 农业农村局")
            click.echo("    nierongcheng 聂荣成 — village officer, 莲台村")
            click.echo("    anna      Anna Kowalska — Warsaw liaison (Europe/Warsaw)")
        finally:
            await db.dispose()

    asyncio.run(run())


@main.command("create-admin")
@click.option("--username", required=True)
@click.option("--name", required=True)
@click.option("--department", default=None, help="Name of the top department to create or join.")
def create_admin(username: str, name: str, department: str | None) -> None:
    """Create an organisation admin (asks for the password, or reads TONGBAN_ADMIN_PASSWORD)."""
    import os

    from tongban.org.admin import create_org_admin

    settings = _settings()
    password = os.environ.get("TONGBAN_ADMIN_PASSWORD") or getpass.getpass("password: ")

    async def run() -> None:
        db = await _with_db(settings)
        try:
            async with db.transaction() as session:
                person = await create_org_admin(session, settings, username, name, password, department)
            click.echo(f"created organisation admin {person.username} (id {person.id})")
        finally:
            await db.dispose()

    asyncio.run(run())


@main.command("import-org")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Only report what is wrong; change nothing.")
def import_org(file: Path, dry_run: bool) -> None:
    """Import an org chart from CSV or XLSX (all-or-nothing)."""
    from tongban.org.importer import import_file

    settings = _settings()

    data = file.read_bytes()

    class Discard(Exception):
        """Raised to roll the transaction back (and drop its events) after a dry run or a bad file."""

    async def run() -> int:
        db = await _with_db(settings)
        try:
            try:
                async with db.transaction() as session:
                    report = await import_file(session, settings, file.name, data, dry_run=dry_run)
                    if not report.ok or dry_run:
                        raise Discard
            except Discard:
                pass
            click.echo(json.dumps(report.model_dump(), ensure_ascii=False, indent=2))
            return 0 if report.ok else 1
        finally:
            await db.dispose()

    sys.exit(asyncio.run(run()))


@main.command()
def worker() -> None:
    """Run background jobs (scaled-out mode; embedded mode runs them inside `serve`)."""
    from tongban.core.jobs import run_worker

    settings = _settings()
    configure_logging(settings.log_level, json=settings.log_json)
    run_worker(settings)


@main.command()
def openapi() -> None:
    """Print the OpenAPI schema (the web client is generated from it)."""
    from tongban.app import create_app

    click.echo(json.dumps(create_app(Settings()).openapi(), ensure_ascii=False, indent=2, sort_keys=True))


if __name__ == "__main__":
    main()
