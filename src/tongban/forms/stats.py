"""Live statistics: GROUP BY over the flattened rows (form_rows), within the caller's scope.

Grouping on a sub-table column ("crops.crop") reads that sub-table's rows, which carry the
top-level answers too, so township × crop is one scan of one table with an index on
(form_id, table). Everything else reads the one top-level row per submission.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from tongban.core import i18n
from tongban.core.errors import Invalid
from tongban.core.permissions import Actor
from tongban.forms.models import Form, SubmissionRow, form_rollups
from tongban.forms.reads import _my_department_ids
from tongban.forms.schema import FormField, FormSchema
from tongban.forms.schemas import Role, StatGroup, StatsRead
from tongban.forms.service import access_form, published_version
from tongban.forms.versions import version_schema
from tongban.org import service as org

i18n.register(
    {
        "field.stat_unknown_field": ("不能按「{key}」统计", "cannot group or aggregate on “{key}”"),
        "field.stat_two_tables": ("统计只能涉及一个子表", "can involve only one sub-table"),
        "field.stat_bad_measure": (
            "统计项应写作 sum:字段、avg:字段 或 count",
            "must be like sum:field or count",
        ),
        "field.stat_bad_filter": ("筛选条件有误：{key}", "has an invalid filter: {key}"),
        "forms.yes": ("是", "Yes"),
        "forms.no": ("否", "No"),
        "forms.blank": ("（空）", "(blank)"),
    }
)

AGGREGATES: dict[str, Any] = {"sum": func.sum, "avg": func.avg, "min": func.min, "max": func.max}
FILTER_OPS = ("eq", "ne", "in", "gt", "lt", "ge", "le", "contains")


def _field_of(schema: FormSchema, key: str) -> FormField | None:
    top, _, column = key.partition(".")
    f = schema.field(top)
    if f is None or not column:
        return f
    return next((c for c in f.fields if c.key == column), None)


def _slot(form: Form, key: str, where: str) -> tuple[str, str]:
    slot = (form.slots or {}).get(key)
    if slot is None:
        raise Invalid(where, "field.stat_unknown_field", key=key)
    return slot, key.partition(".")[0] if "." in key else ""


async def scope_condition(
    session: AsyncSession, actor: Actor, roles: list[Role]
) -> ColumnElement[bool] | None:
    if "view_all" in roles:
        return None
    if "view_dept" in roles:
        depts = await _my_department_ids(session, actor)
        return or_(SubmissionRow.department_id.in_(depts), SubmissionRow.submitter_id == actor.person_id)
    return SubmissionRow.submitter_id == actor.person_id


def _filter(column: Any, op: str, value: Any, is_text: bool, key: str) -> ColumnElement[bool]:
    def cast(v: Any) -> Any:
        if is_text:
            return "1" if v is True else "0" if v is False else str(v)
        if isinstance(v, bool) or not isinstance(v, int | float):
            raise Invalid("query.filters", "field.stat_bad_filter", key=key)
        return float(v)

    if op == "in":
        if not isinstance(value, list):
            raise Invalid("query.filters", "field.stat_bad_filter", key=key)
        return column.in_([cast(v) for v in value])  # type: ignore[no-any-return]
    if op == "contains":
        return column.contains(str(value))  # type: ignore[no-any-return]
    v = cast(value)
    ops = {
        "eq": column == v,
        "ne": column != v,
        "gt": column > v,
        "lt": column < v,
        "ge": column >= v,
        "le": column <= v,
    }
    return ops[op]  # type: ignore[no-any-return]


# A measure is computed from components both sources can give: rows, and per number slot a
# count, a sum, a minimum and a maximum (an average is sum / count). Totals combine the groups'
# components, so one query answers both the groups and the totals.
Component = tuple[str, str]  # ("rows", "") or (count|sum|min|max, slot)


def _components(agg: str, slot: str) -> list[Component]:
    if agg == "count" and not slot:
        return [("rows", "")]
    if agg == "avg":
        return [("sum", slot), ("count", slot)]
    return [(agg, slot)]


def _raw_column(component: Component) -> Any:
    kind, slot = component
    if kind == "rows":
        return func.count()
    column = getattr(SubmissionRow, slot)
    functions: dict[str, Any] = {"count": func.count, "sum": func.sum, "min": func.min, "max": func.max}
    return functions[kind](column)


def _rollup_column(component: Component) -> Any:
    kind, slot = component
    c = form_rollups.c
    if kind == "rows":
        return func.sum(c.rows)
    i = slot[1:]
    return {
        "count": func.sum(c[f"c{i}"]),
        "sum": func.sum(c[f"s{i}"]),
        "min": func.min(c[f"lo{i}"]),
        "max": func.max(c[f"hi{i}"]),
    }[kind]


def _combine(kind: str, values: list[Any]) -> Any:
    present = [v for v in values if v is not None]
    if kind in ("rows", "count", "sum"):
        return sum(present) if present else (0 if kind != "sum" else None)
    if not present:
        return None
    return min(present) if kind == "min" else max(present)


def _measure(agg: str, parts: dict[Component, Any], slot: str) -> float | None:
    if not slot:
        return _num(parts[("rows", "")])
    count = parts.get(("count", slot))
    if agg == "count":
        return _num(count)
    if agg in ("sum", "avg") and not count:
        return None  # nothing to add up: blank, as SQL's SUM of no rows
    if agg == "avg":
        return _num(parts[("sum", slot)] / count)
    return _num(parts[(agg, slot)])


async def compute(
    session: AsyncSession,
    actor: Actor,
    form_id: int,
    *,
    group_by: list[str],
    measures: list[str],
    filters: list[dict[str, Any]] | None = None,
    task_id: int | None = None,
) -> StatsRead:
    """Aggregates of `measures` ("sum:crops.area", "count") per group of up to two fields.

    A caller who may see everything, filtering only on grouped (text) fields, reads the rollup;
    anyone else reads the flattened rows under their scope.
    """
    form, _app, roles = await access_form(session, actor, form_id)
    version = await published_version(session, form)
    schema = version_schema(version) if version else FormSchema()
    if len(group_by) > 2:
        raise Invalid("query.group_by", "field.too_long", max_length=2)
    tables: set[str] = set()
    group_slots: list[str] = []
    for key in group_by:
        slot, table = _slot(form, key, "query.group_by")
        if not slot.startswith("t"):
            raise Invalid("query.group_by", "field.stat_unknown_field", key=key)
        tables.add(table)
        group_slots.append(slot)
    specs: list[tuple[str, str]] = []  # (aggregate, slot)
    for spec in measures or ["count"]:
        agg, _, key = spec.partition(":")
        if agg == "count" and not key:
            specs.append(("count", ""))
            continue
        if agg not in AGGREGATES and agg != "count":
            raise Invalid("query.measure", "field.stat_bad_measure")
        slot, table = _slot(form, key, "query.measure")
        if not slot.startswith("n"):
            raise Invalid("query.measure", "field.stat_unknown_field", key=key)
        tables.add(table)
        specs.append((agg, slot))
    parsed_filters: list[tuple[str, str, Any, str]] = []
    for item in filters or []:
        key, op = str(item.get("field", "")), str(item.get("op", "eq"))
        if op not in FILTER_OPS:
            raise Invalid("query.filters", "field.stat_bad_filter", key=key)
        slot, table = _slot(form, key, "query.filters")
        tables.add(table)
        parsed_filters.append((slot, op, item.get("value"), key))
    sub_tables = tables - {""}
    if len(sub_tables) > 1:
        raise Invalid("query.group_by", "field.stat_two_tables")
    table = next(iter(sub_tables), "")
    components: list[Component] = [("rows", "")]
    for agg, slot in specs:
        for part in _components(agg, slot) + ([("count", slot)] if agg == "sum" else []):
            if part not in components:
                components.append(part)

    scope = await scope_condition(session, actor, roles)
    use_rollup = scope is None and all(slot.startswith("t") for slot, *_ in parsed_filters)
    source: Any
    if use_rollup:
        source = form_rollups.c
        conditions: list[ColumnElement[bool]] = [source.form_id == form.id, source.table == table]
        if task_id is not None:
            conditions.append(source.task_key == task_id)
        columns = [_rollup_column(p) for p in components]
    else:
        source = SubmissionRow.__table__.c
        conditions = [source.form_id == form.id, source.table == table]
        if task_id is not None:
            conditions.append(source.task_id == task_id)
        if scope is not None:
            conditions.append(scope)
        columns = [_raw_column(p) for p in components]
    for slot, op, value, key in parsed_filters:
        conditions.append(_filter(source[slot], op, value, slot.startswith("t"), key))
    group_cols = [source[slot] for slot in group_slots]
    stmt = select(*group_cols, *columns).where(and_(*conditions))
    if group_cols:
        stmt = stmt.group_by(*group_cols).order_by(*group_cols)
    rows = list((await session.execute(stmt)).all())
    n = len(group_cols)
    if n:
        rows = [r for r in rows if r[n]]  # a rollup group whose rows were all filtered away
    labels = await _labeller(session, schema, group_by, rows)
    totals = {p: _combine(p[0], [r[n + i] for r in rows]) for i, p in enumerate(components)}
    groups = []
    for row in rows:
        parts = {p: row[n + i] for i, p in enumerate(components)}
        groups.append(
            StatGroup(
                keys=list(row[:n]),
                labels=[labels[i](row[i]) for i in range(n)],
                values=[_measure(agg, parts, slot) for agg, slot in specs],
            )
        )
    return StatsRead(
        group_by=group_by,
        measures=measures or ["count"],
        table=table,
        groups=groups if n else [],
        totals=[_measure(agg, totals, slot) for agg, slot in specs],
        rows=int(totals[("rows", "")] or 0),
    )


def _num(value: Any) -> float | None:
    return None if value is None else round(float(value), 4)


async def _labeller(session: AsyncSession, schema: FormSchema, keys: list[str], rows: list[Any]) -> list[Any]:
    """For each grouped field, a function from a stored key to what people read."""
    out = []
    for index, key in enumerate(keys):
        f = _field_of(schema, key)
        values = {row[index] for row in rows if row[index] is not None}
        names: dict[str, str] = {}
        if f is not None and f.type in ("select", "multiselect"):
            names = {o.value: o.label.text() for o in f.options}
        elif f is not None and f.type == "department":
            for v in values:
                if v.isdigit():
                    names[v] = await org.department_name(session, int(v)) or v
        elif f is not None and f.type == "member":
            people = await org.names_of(session, [int(v) for v in values if v.isdigit()])
            names = {str(k): name for k, name in people.items()}
        elif f is not None and f.type == "boolean":
            names = {"1": i18n.t("forms.yes"), "0": i18n.t("forms.no")}
        blank = i18n.t("forms.blank")
        out.append(lambda v, names=names, blank=blank: blank if v is None else names.get(v, v))
    return out
