"""The data view's filter and sort by field: answers are compared on the submission's
flattened top-level row (form_rows, table ""), where each grouped or numeric field has a slot,
so a filter or a sort is an indexed comparison rather than a scan of JSON text."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, and_
from sqlalchemy.orm import aliased

from tongban.core.errors import Invalid
from tongban.forms.models import Form, Submission, SubmissionRow
from tongban.forms.stats import FILTER_OPS, _filter, _slot


def by_fields(stmt: Select[Any], form: Form, filters: list[dict[str, Any]], order: str) -> Select[Any]:
    """`stmt` (submissions) filtered by top-level fields and ordered by `order`: "created_at" or
    a field key, "-" first for descending; newest first among equals."""
    key = order.lstrip("-")
    descending = order.startswith("-")
    if not filters and key == "created_at":
        column: Any = Submission.created_at
        return stmt.order_by(column.desc() if descending else column.asc(), Submission.id.desc())
    top = aliased(SubmissionRow)
    stmt = stmt.join(top, and_(top.submission_id == Submission.id, top.table == ""))
    for item in filters:
        field, op = str(item.get("field", "")), str(item.get("op", "eq"))
        # A sub-table column would match any of its rows: the data view lists submissions.
        if op not in FILTER_OPS or "." in field:
            raise Invalid("query.filters", "field.stat_bad_filter", key=field)
        slot, _table = _slot(form, field, "query.filters")
        stmt = stmt.where(_filter(getattr(top, slot), op, item.get("value"), slot.startswith("t"), field))
    if key == "created_at":
        column = Submission.created_at
    else:
        if "." in key:
            raise Invalid("query.order", "field.stat_unknown_field", key=key)
        slot, _table = _slot(form, key, "query.order")
        column = getattr(top, slot)
    # Unanswered values sort last either way, as a reader expects of an empty cell.
    ordered = column.desc().nulls_last() if descending else column.asc().nulls_last()
    return stmt.order_by(ordered, Submission.id.desc())
