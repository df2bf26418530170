"""Importing submissions from .xlsx: a dry run that reports every bad row, then all or nothing.

The first sheet's first row holds field labels (Chinese or English, as the export writes them);
each further row becomes one submission, checked exactly like one filled in by hand. Sub-table
columns are not imported (one line cannot carry several rows; export them with `flat` and
re-import is not a round trip yet).
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from openpyxl import load_workbook
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from tongban.core import i18n
from tongban.core.errors import AppError, Invalid
from tongban.core.permissions import Actor
from tongban.forms.schema import FormField, FormSchema
from tongban.forms.service import access_form
from tongban.org import service as org

i18n.register(
    {
        "field.xlsx_unreadable": ("不是有效的 Excel（.xlsx）文件", "is not a readable .xlsx file"),
        "field.xlsx_no_columns": (
            "第一行没有与表单字段同名的列",
            "has no column named like a field of the form",
        ),
        "form_import_failed": (
            "有 {count} 行数据有误，全部未导入",
            "{count} row(s) have errors; nothing was imported",
        ),
        "import.bad_cell": ("「{label}」的值「{value}」无法识别", "“{label}”: cannot read “{value}”"),
    }
)

MAX_ROWS = 5000
SKIPPED = frozenset(
    {"subtable", "formula", "description", "attachment", "image", "signature", "location", "member"}
)


class FormImportRowError(BaseModel):
    row: int  # the spreadsheet's row number
    fields: list[dict[str, str]]


class FormImportReport(BaseModel):
    dry_run: bool
    rows: int
    imported: int
    columns: list[str]
    errors: list[FormImportRowError]


def _truthy(value: Any) -> bool | None:
    text = str(value).strip().lower()
    if text in ("是", "yes", "y", "true", "1", "√"):
        return True
    if text in ("否", "no", "n", "false", "0", "×"):
        return False
    return None


def _convert(f: FormField, value: Any, departments: dict[str, int]) -> Any:
    """A cell as the API value for the field; raises ValueError when it cannot be read."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if f.type in ("number", "money", "percent"):
        if isinstance(value, int | float) and not isinstance(value, bool):
            return value
        return float(str(value).replace(",", "").strip())
    if f.type == "select":
        text = str(value).strip()
        for o in f.options:
            if text in (o.value, o.label.zh, o.label.en):
                return o.value
        return text  # validation names it as not one of the options
    if f.type == "multiselect":
        parts = [p.strip() for p in str(value).replace("、", ",").split(",") if p.strip()]
        return [
            next((o.value for o in f.options if p in (o.value, o.label.zh, o.label.en)), p) for p in parts
        ]
    if f.type == "boolean":
        flag = _truthy(value)
        if flag is None:
            raise ValueError(value)
        return flag
    if f.type == "date":
        return value.date().isoformat() if isinstance(value, dt.datetime) else str(value).strip()[:10]
    if f.type == "datetime":
        return value.isoformat() if isinstance(value, dt.datetime) else str(value).strip()
    if f.type == "daterange":
        parts = [p.strip() for p in str(value).replace("～", "~").split("~")]
        return parts if len(parts) == 2 else str(value)
    if f.type == "department":
        if isinstance(value, int):
            return value
        text = str(value).strip()
        if text not in departments:
            raise ValueError(value)
        return departments[text]
    return str(value).strip() if not isinstance(value, str) else value.strip()


async def import_xlsx(
    session: AsyncSession, actor: Actor, form_id: int, data: bytes, *, dry_run: bool
) -> FormImportReport:
    """Check every row; unless `dry_run`, store them all — or none, when any row is wrong."""
    from tongban.forms.checks import validated
    from tongban.forms.models import FormVersion
    from tongban.forms.submissions import do_submit
    from tongban.forms.versions import version_schema

    form, _app, _roles = await access_form(session, actor, form_id, "manage")
    version = await session.get(FormVersion, form.version_id) if form.version_id else None
    schema = version_schema(version) if version else FormSchema()
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = book.worksheets[0]
        lines = list(sheet.iter_rows(values_only=True, max_row=MAX_ROWS + 1))
    except Exception:
        raise Invalid("body.file", "field.xlsx_unreadable") from None
    header = [str(h).strip() if h is not None else "" for h in (lines[0] if lines else [])]
    columns: dict[int, FormField] = {}
    for f in schema.fields:
        if f.type in SKIPPED:
            continue
        for index, name in enumerate(header):
            if name and name in (f.label.zh, f.label.en, f.key):
                columns[index] = f
    if not columns:
        raise Invalid("body.file", "field.xlsx_no_columns")
    departments = {d.name: d.id for d in await org.list_departments(session, actor)}
    errors: list[FormImportRowError] = []
    parsed: list[tuple[int, dict[str, Any]]] = []
    for number, line in enumerate(lines[1:], start=2):
        if all(cell is None or str(cell).strip() == "" for cell in line):
            continue
        values: dict[str, Any] = {}
        bad: list[dict[str, str]] = []
        for index, f in columns.items():
            cell = line[index] if index < len(line) else None
            try:
                converted = _convert(f, cell, departments)
            except ValueError:
                message = i18n.t("import.bad_cell", label=f.label.text(), value=str(cell)[:50])
                bad.append({"field": f"values.{f.key}", "message": message})
                continue
            if converted is not None:
                values[f.key] = converted
        if bad:
            errors.append(FormImportRowError(row=number, fields=bad))
            continue
        parsed.append((number, values))
    # Every row is checked by the same code as a hand-filled one, without writing anything;
    # only when all pass (and this is no dry run) are they stored, in this one transaction.
    for number, values in parsed:
        try:
            await validated(session, actor, form, schema, values, exclude=None)
        except AppError as exc:
            found = [{"field": e.field, "message": e.message} for e in exc.fields]
            errors.append(FormImportRowError(row=number, fields=found))
    errors.sort(key=lambda e: e.row)
    imported = 0
    if not dry_run and not errors:
        for _number, values in parsed:
            await do_submit(session, actor, form.id, values)
            imported += 1
    return FormImportReport(
        dry_run=dry_run,
        rows=len(parsed) + len({e.row for e in errors} - {n for n, _ in parsed}),
        imported=imported,
        columns=[columns[i].key for i in sorted(columns)],
        errors=errors,
    )
