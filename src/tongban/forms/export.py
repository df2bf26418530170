"""Excel export of a form's submissions (within the caller's scope), with openpyxl.

Sub-tables go either to sheets of their own (`sheets`: one line per sub-table row, keyed by the
submission number) or into the main sheet (`flat`: one line per sub-table row, the top-level
answers repeated). A pivot of the current statistics can be added as its own sheet.
"""

from __future__ import annotations

import io
from typing import Any, Literal

from openpyxl import Workbook
from sqlalchemy.ext.asyncio import AsyncSession

from tongban.core import i18n
from tongban.core.permissions import Actor
from tongban.forms.reads import readable, render
from tongban.forms.schema import FormField, FormSchema
from tongban.forms.schemas import StatsRead
from tongban.forms.service import access_form
from tongban.org import service as org

i18n.register(
    {
        "forms.xlsx.data": ("数据", "Data"),
        "forms.xlsx.pivot": ("统计", "Statistics"),
        "forms.xlsx.no": ("编号", "No."),
        "forms.xlsx.row": ("行号", "Row"),
        "forms.xlsx.submitter": ("提交人", "Submitted by"),
        "forms.xlsx.department": ("部门", "Department"),
        "forms.xlsx.created_at": ("提交时间", "Submitted at"),
        "forms.xlsx.late": ("迟交", "Late"),
        "forms.xlsx.total": ("合计", "Total"),
        "forms.xlsx.files": ("{count} 个文件", "{count} file(s)"),
    }
)

EXPORT_LIMIT = 200_000


class _Display:
    """Turns stored answers into what a person reads in a cell."""

    def __init__(self, departments: dict[int, str], people: dict[int, str]) -> None:
        self.departments, self.people = departments, people

    def __call__(self, f: FormField, value: Any) -> Any:
        if value is None:
            return None
        if f.type == "select":
            return next((o.label.text() for o in f.options if o.value == value), value)
        if f.type == "multiselect":
            return "、".join(next((o.label.text() for o in f.options if o.value == v), v) for v in value)
        if f.type == "department":
            return self.departments.get(value, str(value))
        if f.type == "member":
            return self.people.get(value, str(value))
        if f.type == "boolean":
            return i18n.t("forms.yes") if value else i18n.t("forms.no")
        if f.type == "daterange":
            return " ~ ".join(value)
        if f.type == "location":
            return value.get("address") or f"{value.get('lat')},{value.get('lng')}"
        if f.type in ("attachment", "image"):
            return i18n.t("forms.xlsx.files", count=len(value))
        if f.type == "signature":
            return i18n.t("forms.xlsx.files", count=1)
        return value


def _collect_ids(schema: FormSchema, items: list[Any]) -> tuple[set[int], set[int]]:
    departments: set[int] = set()
    people: set[int] = set()

    def scan(fields: list[FormField], values: dict[str, Any]) -> None:
        for f in fields:
            v = values.get(f.key)
            if f.type == "department" and isinstance(v, int):
                departments.add(v)
            elif f.type == "member" and isinstance(v, int):
                people.add(v)
            elif f.type == "subtable" and isinstance(v, list):
                for row in v:
                    scan(f.fields, row)

    for item in items:
        scan(schema.fields, item.values)
    return departments, people


async def export_xlsx(
    session: AsyncSession,
    actor: Actor,
    form_id: int,
    *,
    subtables: Literal["sheets", "flat"] = "sheets",
    pivot: StatsRead | None = None,
    pivot_labels: list[str] | None = None,
) -> tuple[str, bytes]:
    """(file name, .xlsx bytes) of the submissions the caller may read."""
    from tongban.forms.models import FormVersion

    form, _app, roles = await access_form(session, actor, form_id)
    stmt = await readable(session, actor, form, roles, "all")
    from tongban.forms.models import Submission

    rows = (await session.execute(stmt.order_by(Submission.id).limit(EXPORT_LIMIT))).scalars().all()
    items = await render(session, rows)
    version = await session.get(FormVersion, form.version_id) if form.version_id else None
    schema = FormSchema.model_validate(version.schema) if version else FormSchema()
    dept_ids, person_ids = _collect_ids(schema, items)
    departments = {d: (await org.department_name(session, d)) or str(d) for d in dept_ids}
    display = _Display(departments, await org.names_of(session, person_ids))

    top = [f for f in schema.fields if f.type not in ("subtable", "description")]
    tables = [f for f in schema.fields if f.type == "subtable"]
    book = Workbook()
    sheet = book.active
    sheet.title = i18n.t("forms.xlsx.data")
    meta = [i18n.t(f"forms.xlsx.{k}") for k in ("no", "submitter", "department", "created_at", "late")]

    def meta_cells(item: Any) -> list[Any]:
        return [
            item.id,
            item.submitter_name,
            item.department_name or "",
            item.created_at.strftime("%Y-%m-%d %H:%M:%S"),
            i18n.t("forms.yes") if item.late else "",
        ]

    if subtables == "flat" and tables:
        columns = [(t, c) for t in tables for c in t.fields]
        sheet.append(
            [
                *meta,
                *[f.label.text() for f in top],
                *[f"{t.label.text()}·{c.label.text()}" for t, c in columns],
            ]
        )
        for item in items:
            head = [*meta_cells(item), *[display(f, item.values.get(f.key)) for f in top]]
            lines: list[tuple[FormField | None, dict[str, Any]]] = [
                (t, row) for t in tables for row in (item.values.get(t.key) or [])
            ] or [(None, {})]
            for table, row in lines:
                sheet.append(
                    [*head, *[display(c, row.get(c.key)) if t is table else None for t, c in columns]]
                )
    else:
        sheet.append([*meta, *[f.label.text() for f in top]])
        for item in items:
            sheet.append([*meta_cells(item), *[display(f, item.values.get(f.key)) for f in top]])
        for table in tables:
            extra = book.create_sheet(table.label.text()[:31])
            extra.append(
                [i18n.t("forms.xlsx.no"), i18n.t("forms.xlsx.row"), *[c.label.text() for c in table.fields]]
            )
            for item in items:
                for index, row in enumerate(item.values.get(table.key) or []):
                    extra.append([item.id, index + 1, *[display(c, row.get(c.key)) for c in table.fields]])
    if pivot is not None:
        ws = book.create_sheet(i18n.t("forms.xlsx.pivot"))
        ws.append([*(pivot_labels or pivot.group_by), *pivot.measures])
        for group in pivot.groups:
            ws.append([*group.labels, *group.values])
        ws.append([i18n.t("forms.xlsx.total"), *([""] * (len(pivot.group_by) - 1)), *pivot.totals])
    buffer = io.BytesIO()
    book.save(buffer)
    return f"{form.name}.xlsx", buffer.getvalue()
