"""A submission flattened into the rows statistics read: one top-level row and one per
sub-table row, each carrying the statistics slots of the form."""

from __future__ import annotations

from typing import Any, Protocol, cast

from sqlalchemy import Table, insert
from sqlalchemy.ext.asyncio import AsyncSession

from tongban.forms import rollup
from tongban.forms.models import NUMBER_SLOTS, TEXT_SLOTS, Submission, SubmissionRow
from tongban.forms.schema import FormSchema


class FormSlots(Protocol):
    """A form's id and statistics slots: a Form, or the submit path's lean row."""

    @property
    def id(self) -> int: ...
    @property
    def slots(self) -> dict[str, str]: ...


def slot_value(value: Any) -> Any:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int | float):
        return value
    if isinstance(value, str):
        return value[:200]
    return None


def flatten(
    schema: FormSchema, slots: dict[str, str], values: dict[str, Any]
) -> list[tuple[str, int, dict[str, Any]]]:
    """(table, row index, slot values) for the top-level row and each sub-table row."""
    top: dict[str, Any] = {}
    for f in schema.fields:
        slot = slots.get(f.key)
        if slot is not None and f.key in values:
            v = slot_value(values[f.key])
            if v is not None:
                top[slot] = str(v) if slot.startswith("t") else float(v)
    rows: list[tuple[str, int, dict[str, Any]]] = [("", 0, top)]
    for f in schema.fields:
        if f.type != "subtable":
            continue
        for index, row in enumerate(values.get(f.key) or []):
            cells = dict(top)
            for c in f.fields:
                slot = slots.get(f"{f.key}.{c.key}")
                if slot is None or c.key not in row:
                    continue
                v = slot_value(row[c.key])
                if v is not None:
                    cells[slot] = str(v) if slot.startswith("t") else float(v)
            rows.append((f.key, index, cells))
    return rows


# Every row names every slot, so the rows go in one INSERT (rows naming different columns would
# be split into one statement per shape).
_NO_SLOTS: dict[str, None] = {
    f"{p}{i}": None for p, n in (("t", TEXT_SLOTS), ("n", NUMBER_SLOTS)) for i in range(n)
}


_INSERT_ROWS = insert(cast(Table, SubmissionRow.__table__))


async def store_rows(
    session: AsyncSession,
    form: FormSlots,
    schema: FormSchema,
    submission: Submission,
    *,
    add_to_rollup: bool = True,
) -> None:
    rows = flatten(schema, form.slots or {}, submission.values)
    await session.execute(
        _INSERT_ROWS,
        [
            {
                "form_id": form.id,
                "submission_id": submission.id,
                "table": table,
                "task_id": submission.task_id,
                "row_index": index,
                "submitter_id": submission.submitter_id,
                "department_id": submission.department_id,
                "created_at": submission.created_at,
                **_NO_SLOTS,
                **cells,
            }
            for table, index, cells in rows
        ],
    )
    if add_to_rollup:
        await rollup.add(
            session, rollup.summarise(form.id, submission.task_id, [(t, c) for t, _i, c in rows])
        )
