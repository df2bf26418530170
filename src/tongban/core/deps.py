"""FastAPI dependencies shared by every capability, as Annotated aliases."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from tongban.core.config import Settings
from tongban.core.db import Database

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def get_db(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """One request, one transaction: committed when the route returns, before the response is sent."""
    async with get_db(request).transaction(write=request.method not in SAFE_METHODS) as session:
        yield session


DB = Annotated[Database, Depends(get_db)]
# scope="function": the commit happens before the response is sent, so a client that got 200
# can rely on the data being there (the default request scope would commit after sending).
DbSession = Annotated[AsyncSession, Depends(get_session, scope="function")]
AppSettings = Annotated[Settings, Depends(get_settings_dep)]
