"""Published versions' schemas, parsed once per process: every submission is checked and shown
against the version it was made with."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tongban.forms.models import FormVersion
from tongban.forms.schema import FormSchema

# A version's schema parsed once per process. Versions never change, but an id can come back
# after its form was deleted (SQLite reuses the highest rowid), so a cached copy is used only
# when the version's form, number and publishing moment match as well.
_Stamp = tuple[int, int, dt.datetime]
_SCHEMAS: dict[int, tuple[_Stamp, FormSchema]] = {}


def _cache_schema(version_id: int, stamp: _Stamp, raw: dict[str, Any]) -> FormSchema:
    if len(_SCHEMAS) > 1000:
        _SCHEMAS.clear()
    schema = FormSchema.model_validate(raw)
    _SCHEMAS[version_id] = (stamp, schema)
    return schema


def version_schema(version: FormVersion) -> FormSchema:
    """A version's parsed schema."""
    stamp = (version.form_id, version.number, version.published_at)
    cached = _SCHEMAS.get(version.id)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    return _cache_schema(version.id, stamp, version.schema)


async def _schema_of(session: AsyncSession, version_id: int, stamp: _Stamp) -> FormSchema:
    cached = _SCHEMAS.get(version_id)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    raw = (await session.execute(select(FormVersion.schema).where(FormVersion.id == version_id))).scalar_one()
    return _cache_schema(version_id, stamp, raw)


async def cached_version(session: AsyncSession, version_id: int) -> tuple[int, FormSchema] | None:
    version = await session.get(FormVersion, version_id)
    if version is None:
        return None
    return version.number, version_schema(version)
