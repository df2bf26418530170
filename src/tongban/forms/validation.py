"""Checking a submission against its form version: the server never trusts the client.

`validate_submission` is pure: it returns the cleaned values (hidden fields dropped, defaults
filled, formulas computed by the server) and every problem, each naming its field — and, in a
sub-table, its row — in the caller's language. The ids it cannot check alone (people,
departments, files) come back in `refs` for the service to look up in one query each.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from tongban.core import i18n
from tongban.core.errors import FieldError
from tongban.forms import formula
from tongban.forms.schema import FILE_TYPES, NO_VALUE_TYPES, FormField, FormSchema, formula_order

i18n.register(
    {
        "submission_invalid": (
            "填写内容有误，请检查标出的字段",
            "Some answers are invalid; see the marked fields",
        ),
        "value.where": ("「{label}」", "“{label}”"),
        "value.where_row": ("「{table}」第 {row} 行「{label}」", "“{table}” row {row} “{label}”"),
        "value.required": ("{where}必填", "{where} is required"),
        "value.not_text": ("{where}应为文本", "{where} must be text"),
        "value.not_number": ("{where}应为数字", "{where} must be a number"),
        "value.too_small": ("{where}应不小于 {min}", "{where} must be at least {min}"),
        "value.too_large": ("{where}应不大于 {max}", "{where} must be at most {max}"),
        "value.too_short": ("{where}至少 {min} 个字符", "{where} must be at least {min} characters"),
        "value.too_long": ("{where}最多 {max} 个字符", "{where} must be at most {max} characters"),
        "value.pattern": ("{where}格式不正确", "{where} has the wrong format"),
        "value.precision": ("{where}最多 {digits} 位小数", "{where} allows at most {digits} decimals"),
        "value.not_option": (
            "{where}的「{value}」不是可选项",
            "{where}: “{value}” is not one of the options",
        ),
        "value.not_options": ("{where}应为选项列表", "{where} must be a list of options"),
        "value.too_few_items": ("{where}至少选 {min} 项", "{where} needs at least {min} items"),
        "value.too_many_items": ("{where}最多选 {max} 项", "{where} allows at most {max} items"),
        "value.not_date": ("{where}应为日期（YYYY-MM-DD）", "{where} must be a date (YYYY-MM-DD)"),
        "value.not_datetime": ("{where}应为日期时间", "{where} must be a date and time"),
        "value.bad_range": (
            "{where}应为开始和结束两个日期，且开始不晚于结束",
            "{where} must be a start and an end, in order",
        ),
        "value.not_bool": ("{where}应为是或否", "{where} must be yes or no"),
        "value.not_person": ("{where}不是有效的成员", "{where} is not a valid person"),
        "value.not_department": ("{where}不是有效的部门", "{where} is not a valid department"),
        "value.bad_location": ("{where}应包含经纬度或地址", "{where} needs coordinates or an address"),
        "value.not_files": ("{where}应为已上传的文件", "{where} must be uploaded files"),
        "value.file_type": (
            "{where}不接受该类型的文件（{type}）",
            "{where} does not accept files of type {type}",
        ),
        "value.not_rows": ("{where}应为若干行", "{where} must be a list of rows"),
        "value.too_few_rows": ("{where}至少 {min} 行", "{where} needs at least {min} rows"),
        "value.too_many_rows": ("{where}最多 {max} 行", "{where} allows at most {max} rows"),
        "value.unknown_field": ("表单中没有字段「{key}」", "The form has no field “{key}”"),
        "value.duplicate": (
            "{where}的值已被其他提交使用",
            "{where} must be unique; this value is already used",
        ),
    }
)

DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MAX_TEXT = 10_000


@dataclass
class Refs:
    """Ids the service must check: (path, label where, id)."""

    people: list[tuple[str, str, int]] = field(default_factory=list)
    departments: list[tuple[str, str, int]] = field(default_factory=list)
    files: list[tuple[str, str, list[str], list[str]]] = field(default_factory=list)  # ids, accepted types


@dataclass
class Validated:
    values: dict[str, Any]
    errors: list[FieldError]
    refs: Refs


def where_text(f: FormField, table: FormField | None = None, row: int | None = None) -> str:
    if table is None or row is None:
        return i18n.t("value.where", label=f.label.text())
    return i18n.t("value.where_row", table=table.label.text(), row=row + 1, label=f.label.text())


def validate_submission(
    schema: FormSchema, values: Any, *, defaults: dict[str, Any] | None = None
) -> Validated:
    """Cleaned values and every problem; `defaults` resolves tokens such as "$my_department"."""
    errors: list[FieldError] = []
    refs = Refs()
    if not isinstance(values, dict):
        errors.append(FieldError("values", "not_rows", i18n.t("field.dict_type")))
        return Validated({}, errors, refs)
    clean = _level(schema.fields, values, "values", errors, refs, defaults or {}, table=None, row=None)
    return Validated(clean, errors, refs)


def _level(
    fields: list[FormField],
    values: dict[str, Any],
    path: str,
    errors: list[FieldError],
    refs: Refs,
    defaults: dict[str, Any],
    *,
    table: FormField | None,
    row: int | None,
) -> dict[str, Any]:
    known = {f.key for f in fields}
    for key in values:
        if key not in known:
            errors.append(
                FieldError(f"{path}.{key}", "unknown_field", i18n.t("value.unknown_field", key=key))
            )
    raw = dict(values)
    for f in fields:
        if raw.get(f.key) in (None, "", []) and f.default is not None and f.type != "formula":
            default = defaults.get(f.default, f.default) if isinstance(f.default, str) else f.default
            if default is not None and not (isinstance(default, str) and default.startswith("$")):
                raw[f.key] = default
    clean: dict[str, Any] = {}
    tables: dict[str, list[dict[str, Any]]] = {}
    for f in fields:
        if f.type in NO_VALUE_TYPES or f.type == "formula":
            continue
        if f.show_if is not None and not f.show_if.holds(raw):
            continue  # hidden: its answer, if any, is not kept, and it is never required
        at = f"{path}.{f.key}"
        where = where_text(f, table, row)
        value = raw.get(f.key)
        if value is None or value == "" or value == []:
            if f.required:
                errors.append(FieldError(at, "required", i18n.t("value.required", where=where)))
            continue
        if f.type == "subtable":
            rows = _subtable(f, value, at, where, errors, refs, defaults)
            if rows is not None:
                clean[f.key] = rows
                tables[f.key] = rows
            continue
        checked = _value(f, value, at, where, errors, refs)
        if checked is not None:
            clean[f.key] = checked
    for f, tree in formula_order(fields):
        if f.show_if is not None and not f.show_if.holds(raw):
            continue
        result = formula.evaluate(tree, clean, tables)
        if result is not None:
            clean[f.key] = round(result, f.precision if f.precision is not None else 2)
    return clean


def _subtable(
    f: FormField,
    value: Any,
    at: str,
    where: str,
    errors: list[FieldError],
    refs: Refs,
    defaults: dict[str, Any],
) -> list[dict[str, Any]] | None:
    if not isinstance(value, list) or not all(isinstance(r, dict) for r in value):
        errors.append(FieldError(at, "not_rows", i18n.t("value.not_rows", where=where)))
        return None
    if f.min_rows is not None and len(value) < f.min_rows:
        errors.append(
            FieldError(at, "too_few_rows", i18n.t("value.too_few_rows", where=where, min=f.min_rows))
        )
    limit = f.max_rows or 500
    if len(value) > limit:
        errors.append(FieldError(at, "too_many_rows", i18n.t("value.too_many_rows", where=where, max=limit)))
        return None
    return [
        _level(f.fields, r, f"{at}.{i}", errors, refs, defaults, table=f, row=i) for i, r in enumerate(value)
    ]


def _fmt(number: float) -> str:
    return f"{number:g}"


def _value(f: FormField, value: Any, at: str, where: str, errors: list[FieldError], refs: Refs) -> Any:
    def fail(code: str, **params: Any) -> None:
        errors.append(FieldError(at, code, i18n.t(f"value.{code}", where=where, **params)))

    kind = f.type
    if kind in ("text", "textarea"):
        if not isinstance(value, str):
            return fail("not_text")
        text = value.strip()
        if f.min_length is not None and len(text) < f.min_length:
            return fail("too_short", min=f.min_length)
        if len(text) > (f.max_length or MAX_TEXT):
            return fail("too_long", max=f.max_length or MAX_TEXT)
        if f.pattern and not re.fullmatch(f.pattern, text):
            return fail("pattern")
        return text
    if kind in ("number", "money", "percent"):
        if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
            return fail("not_number")
        if f.min is not None and value < f.min:
            return fail("too_small", min=_fmt(f.min))
        if f.max is not None and value > f.max:
            return fail("too_large", max=_fmt(f.max))
        if f.precision is not None and round(value, f.precision) != value:
            return fail("precision", digits=f.precision)
        return value
    if kind == "select":
        if not isinstance(value, str) or value not in f.option_values():
            return fail("not_option", value=str(value)[:50])
        return value
    if kind == "multiselect":
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return fail("not_options")
        bad = [v for v in value if v not in f.option_values()]
        if bad:
            return fail("not_option", value=bad[0][:50])
        chosen = list(dict.fromkeys(value))
        if f.min_length is not None and len(chosen) < f.min_length:
            return fail("too_few_items", min=f.min_length)
        if f.max_length is not None and len(chosen) > f.max_length:
            return fail("too_many_items", max=f.max_length)
        return chosen
    if kind == "boolean":
        if not isinstance(value, bool):
            return fail("not_bool")
        return value
    if kind == "date":
        if not _is_date(value):
            return fail("not_date")
        return value
    if kind == "datetime":
        if not isinstance(value, str):
            return fail("not_datetime")
        try:
            dt.datetime.fromisoformat(value)
        except ValueError:
            return fail("not_datetime")
        return value
    if kind == "daterange":
        if not (isinstance(value, list) and len(value) == 2 and all(_is_date(v) for v in value)):
            return fail("bad_range")
        if value[0] > value[1]:
            return fail("bad_range")
        return value
    if kind in ("member", "department"):
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            return fail("not_person" if kind == "member" else "not_department")
        (refs.people if kind == "member" else refs.departments).append((at, where, value))
        return value
    if kind == "location":
        if not isinstance(value, dict):
            return fail("bad_location")
        lat, lng, address = value.get("lat"), value.get("lng"), value.get("address")
        has_point = all(isinstance(v, int | float) and not isinstance(v, bool) for v in (lat, lng))
        if has_point and not (-90 <= lat <= 90 and -180 <= lng <= 180):  # type: ignore[operator]
            return fail("bad_location")
        if not has_point and not (isinstance(address, str) and address.strip()):
            return fail("bad_location")
        if set(value) - {"lat", "lng", "address"} or (address is not None and not isinstance(address, str)):
            return fail("bad_location")
        return {k: v for k, v in value.items() if v is not None}
    if kind in FILE_TYPES:
        ids = [value] if kind == "signature" and isinstance(value, str) else value
        if not isinstance(ids, list) or not all(isinstance(v, str) and 0 < len(v) <= 64 for v in ids):
            return fail("not_files")
        if f.max_length is not None and len(ids) > f.max_length:
            return fail("too_many_items", max=f.max_length)
        accept = f.accept or (["image/*"] if kind in ("image", "signature") else [])
        refs.files.append((at, where, list(ids), accept))
        return value
    return fail("unknown_field", key=f.key)


def _is_date(value: Any) -> bool:
    if not isinstance(value, str) or not DATE.match(value):
        return False
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def accepts(accept: list[str], content_type: str) -> bool:
    """Whether an attachment rule ("image/*", "application/pdf") admits a content type."""
    if not accept:
        return True
    for rule in accept:
        if rule.endswith("/*") and content_type.startswith(rule[:-1]):
            return True
        if rule == content_type:
            return True
    return False
