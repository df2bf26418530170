"""Keeping `form_rollups` (see models.py) in step with `form_rows`.

A new submission adds its rows with one upsert per distinct combination of grouped answers
(`INSERT … ON CONFLICT DO UPDATE`, on SQLite and PostgreSQL alike), in the submission's own
transaction, so the rollup never disagrees with the rows it summarises. An edited submission
cannot subtract a minimum, so edits rebuild the form's rollup from its rows (one GROUP BY).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import case, delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from tongban.forms.models import NUMBER_SLOTS, TEXT_SLOTS, SubmissionRow, form_rollups

T_SLOTS = [f"t{i}" for i in range(TEXT_SLOTS)]
N_SLOTS = [f"n{i}" for i in range(NUMBER_SLOTS)]


def dims_key(values: Iterable[Any]) -> str:
    return hashlib.sha1(
        json.dumps(list(values), ensure_ascii=False).encode(), usedforsecurity=False
    ).hexdigest()


def _empty(form_id: int, table: str, task_key: int, dims: list[Any]) -> dict[str, Any]:
    item: dict[str, Any] = {
        "form_id": form_id,
        "table": table,
        "task_key": task_key,
        "dims": dims_key(dims),
        "rows": 0,
    }
    item.update(zip(T_SLOTS, dims, strict=True))
    for i in range(NUMBER_SLOTS):
        item.update({f"c{i}": 0, f"s{i}": 0.0, f"lo{i}": None, f"hi{i}": None})
    return item


def summarise(
    form_id: int, task_id: int | None, rows: Iterable[tuple[str, dict[str, Any]]]
) -> list[dict[str, Any]]:
    """Rollup rows for (table, slot values) pairs, combined by their grouped answers."""
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for table, cells in rows:
        dims = [cells.get(t) for t in T_SLOTS]
        key = (table, dims_key(dims))
        item = out.get(key)
        if item is None:
            item = out[key] = _empty(form_id, table, task_id or 0, dims)
        item["rows"] += 1
        for i, slot in enumerate(N_SLOTS):
            v = cells.get(slot)
            if v is None:
                continue
            item[f"c{i}"] += 1
            item[f"s{i}"] += v
            item[f"lo{i}"] = v if item[f"lo{i}"] is None else min(item[f"lo{i}"], v)
            item[f"hi{i}"] = v if item[f"hi{i}"] is None else max(item[f"hi{i}"], v)
    return list(out.values())


def _build_upsert(dialect: str) -> Any:
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(form_rollups)
    current, new = form_rollups.c, stmt.excluded
    updates: dict[str, Any] = {"rows": current.rows + new.rows}
    for i in range(NUMBER_SLOTS):
        c, s, lo, hi = (f"c{i}", f"s{i}", f"lo{i}", f"hi{i}")
        updates[c] = current[c] + new[c]
        updates[s] = current[s] + new[s]
        updates[lo] = case(
            (new[lo].is_(None), current[lo]),
            (current[lo].is_(None) | (new[lo] < current[lo]), new[lo]),
            else_=current[lo],
        )
        updates[hi] = case(
            (new[hi].is_(None), current[hi]),
            (current[hi].is_(None) | (new[hi] > current[hi]), new[hi]),
            else_=current[hi],
        )
    return stmt.on_conflict_do_update(index_elements=["form_id", "table", "task_key", "dims"], set_=updates)


# Built once per dialect: constructing this statement (96 CASE arms over `excluded`) cost ~10 ms,
# half of a submission's time, and a reused statement also keeps its compiled-cache key.
_UPSERTS: dict[str, Any] = {}


async def add(session: AsyncSession, items: list[dict[str, Any]]) -> None:
    """Add summarised rows to the rollup."""
    if not items:
        return
    dialect = session.get_bind().dialect.name
    stmt = _UPSERTS.get(dialect)
    if stmt is None:
        stmt = _UPSERTS[dialect] = _build_upsert(dialect)
    await session.execute(stmt, items)


async def rebuild(session: AsyncSession, form_id: int) -> None:
    """Recompute a form's rollup from its flattened rows."""
    await session.execute(delete(form_rollups).where(form_rollups.c.form_id == form_id))
    r = SubmissionRow.__table__.c
    task_key = func.coalesce(r.task_id, 0)
    columns: list[Any] = [r.table, task_key, *[r[t] for t in T_SLOTS], func.count()]
    for n in N_SLOTS:
        columns += [func.count(r[n]), func.coalesce(func.sum(r[n]), 0.0), func.min(r[n]), func.max(r[n])]
    stmt = select(*columns).where(r.form_id == form_id).group_by(r.table, task_key, *[r[t] for t in T_SLOTS])
    items = []
    for row in (await session.execute(stmt)).all():
        table, task, dims, rest = row[0], row[1], list(row[2 : 2 + TEXT_SLOTS]), row[2 + TEXT_SLOTS :]
        item = _empty(form_id, table, task, dims)
        item["rows"] = rest[0]
        for i in range(NUMBER_SLOTS):
            c, s, lo, hi = rest[1 + 4 * i : 5 + 4 * i]
            item.update({f"c{i}": c, f"s{i}": float(s), f"lo{i}": lo, f"hi{i}": hi})
        items.append(item)
    for start in range(0, len(items), 500):
        await session.execute(form_rollups.insert(), items[start : start + 500])
