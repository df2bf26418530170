"""The form schema: what a form asks for, shared by forms and (next) approvals.

A schema is a list of fields; a sub-table field holds columns (fields of its own, one level
deep). Everything a designer can set is here — type, labels in both languages, rules, options,
show-if, formula — so the designer, the fill-in page, the server's validation and statistics
read one description. `check_schema` refuses a schema that cannot work (duplicate keys, a formula
naming a missing field or forming a cycle, a show-if on an unknown field) when it is saved, so a
published form never fails at fill-in time; `validation.validate_submission` checks values.
"""

from __future__ import annotations

import ast
import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from tongban.core import i18n
from tongban.core.errors import AppError, FieldError
from tongban.forms import formula as formula_lang

FieldType = Literal[
    "text",
    "textarea",
    "number",
    "money",
    "percent",
    "date",
    "datetime",
    "daterange",
    "select",
    "multiselect",
    "boolean",
    "member",
    "department",
    "location",
    "attachment",
    "image",
    "signature",
    "subtable",
    "formula",
    "description",
]
NUMERIC_TYPES = frozenset({"number", "money", "percent", "formula"})
# Values grouped on in statistics (stored in text slots of the flattened rows).
DIMENSION_TYPES = frozenset({"text", "select", "boolean", "member", "department", "date"})
NO_VALUE_TYPES = frozenset({"description"})
FILE_TYPES = frozenset({"attachment", "image", "signature"})

Key = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,39}$")]
# Defaults the server resolves for the person filling in, e.g. their primary department.
DEFAULT_TOKENS = frozenset({"$me", "$my_department", "$today", "$now"})


class Label(BaseModel):
    model_config = ConfigDict(extra="forbid")
    zh: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    en: Annotated[str, StringConstraints(max_length=200)] = ""

    def text(self, locale: i18n.Locale | None = None) -> str:
        locale = locale or i18n.current_locale.get()
        return self.en if locale == "en-US" and self.en else self.zh


class Option(BaseModel):
    model_config = ConfigDict(extra="forbid")
    value: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    label: Label
    color: Annotated[str, StringConstraints(pattern=r"^#[0-9a-fA-F]{6}$")] | None = None


class ShowIf(BaseModel):
    """Show the field only when another (earlier or later, same level) field matches."""

    model_config = ConfigDict(extra="forbid")
    field: Key
    op: Literal["eq", "ne", "in", "filled", "empty", "gt", "lt"] = "eq"
    value: Any = None

    def holds(self, values: dict[str, Any]) -> bool:
        actual = values.get(self.field)
        if self.op == "filled":
            return actual not in (None, "", [])
        if self.op == "empty":
            return actual in (None, "", [])
        if self.op == "eq":
            return bool(actual == self.value)
        if self.op == "ne":
            return bool(actual != self.value)
        if self.op == "in":
            choices = self.value if isinstance(self.value, list) else [self.value]
            if isinstance(actual, list):
                return any(a in choices for a in actual)
            return actual in choices
        if not isinstance(actual, int | float) or not isinstance(self.value, int | float):
            return False
        return actual > self.value if self.op == "gt" else actual < self.value


class FormField(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: Key
    type: FieldType
    label: Label
    help: Label | None = None
    required: bool = False
    # number, money, percent: the value's bounds; multiselect, attachments: how many.
    min: float | None = None
    max: float | None = None
    min_length: Annotated[int, Field(ge=0)] | None = None
    max_length: Annotated[int, Field(ge=1)] | None = None
    pattern: Annotated[str, StringConstraints(max_length=200)] | None = None
    options: list[Option] = []
    unique: bool = False
    default: Any = None
    show_if: ShowIf | None = None
    unit: Annotated[str, StringConstraints(max_length=20)] | None = None
    precision: Annotated[int, Field(ge=0, le=6)] | None = None
    formula: Annotated[str, StringConstraints(max_length=formula_lang.MAX_LENGTH)] | None = None
    # sub-table columns (one level deep) and its number of rows
    fields: list[FormField] = []
    min_rows: Annotated[int, Field(ge=0)] | None = None
    max_rows: Annotated[int, Field(ge=1, le=500)] | None = None
    # attachments: allowed content types ("image/*", "application/pdf")
    accept: list[Annotated[str, StringConstraints(max_length=100)]] = []

    def option_values(self) -> list[str]:
        return [o.value for o in self.options]


class FormSchema(BaseModel):
    model_config = ConfigDict(extra="forbid")
    fields: Annotated[list[FormField], Field(max_length=200)] = []

    def field(self, key: str) -> FormField | None:
        return next((f for f in self.fields if f.key == key), None)


i18n.register(
    {
        "schema_invalid": (
            "表单设计有误，请检查标出的字段",
            "The form design has problems; see the marked fields",
        ),
        "schema.duplicate_key": ("字段标识「{key}」重复", "Field key “{key}” is used twice"),
        "schema.options_required": ("「{label}」需要至少一个选项", "“{label}” needs at least one option"),
        "schema.duplicate_option": (
            "「{label}」的选项「{value}」重复",
            "“{label}” lists option “{value}” twice",
        ),
        "schema.min_over_max": ("「{label}」的最小值大于最大值", "“{label}” has a minimum above its maximum"),
        "schema.bad_pattern": (
            "「{label}」的格式规则不是有效的正则表达式",
            "“{label}” has an invalid pattern",
        ),
        "schema.columns_required": (
            "子表「{label}」需要至少一列",
            "Sub-table “{label}” needs at least one column",
        ),
        "schema.nested_subtable": (
            "子表「{label}」里不能再放子表",
            "Sub-table “{label}” cannot hold a sub-table",
        ),
        "schema.columns_only_in_subtable": (
            "只有子表才能包含列（「{label}」）",
            "Only a sub-table can have columns (“{label}”)",
        ),
        "schema.formula_required": (
            "公式字段「{label}」需要填写公式",
            "Formula field “{label}” needs a formula",
        ),
        "schema.formula_missing_ref": (
            "「{label}」的公式引用了不存在的字段「{ref}」",
            "The formula of “{label}” refers to a field “{ref}” that does not exist",
        ),
        "schema.formula_not_number": (
            "「{label}」的公式引用的「{ref}」不是数字字段",
            "The formula of “{label}” uses “{ref}”, which is not a number field",
        ),
        "schema.formula_cycle": (
            "公式之间形成了循环引用：{cycle}",
            "These formulas refer to each other in a cycle: {cycle}",
        ),
        "schema.show_if_missing_ref": (
            "「{label}」的显示条件引用了不存在的字段「{ref}」",
            "The show-if condition of “{label}” refers to a missing field “{ref}”",
        ),
        "schema.show_if_self": (
            "「{label}」的显示条件不能引用自身",
            "The show-if of “{label}” cannot refer to itself",
        ),
        "schema.bad_default": (
            "「{label}」的默认值不适用于该字段",
            "The default of “{label}” does not fit the field",
        ),
        "formula.empty": ("公式为空", "The formula is empty"),
        "formula.too_long": ("公式最多 {max} 个字符", "A formula has at most {max} characters"),
        "formula.syntax": ("公式写法有误", "The formula cannot be read"),
        "formula.not_allowed": ("公式中不能使用 {what}", "{what} is not allowed in a formula"),
        "formula.unknown_function": ("未知的函数 {what}", "Unknown function {what}"),
        "formula.arguments": ("函数 {what} 的参数个数不对", "Wrong number of arguments to {what}"),
        "formula.aggregate_argument": (
            "{what} 的参数应为子表的一列，如 {what}(明细.金额)",
            "{what} takes one sub-table column, e.g. {what}(items.amount)",
        ),
        "formula.column_outside_aggregate": (
            "子表的列 {what} 只能放在 SUM/AVG/MIN/MAX/COUNT 里",
            "The sub-table column {what} can only be used inside SUM/AVG/MIN/MAX/COUNT",
        ),
    }
)


class SchemaInvalid(AppError):
    status_code = 422

    def __init__(self, fields: list[FieldError]) -> None:
        super().__init__("schema_invalid", fields=fields)


def _err(path: str, code: str, **params: Any) -> FieldError:
    return FieldError(path, code, i18n.t(code, **params))


def check_schema(schema: FormSchema, *, path: str = "schema") -> None:
    """Raise SchemaInvalid naming every problem; a schema that passes can be published."""
    errors: list[FieldError] = []
    _check_level(schema.fields, f"{path}.fields", errors, parent=None)
    if errors:
        raise SchemaInvalid(errors)


def _check_level(
    fields: list[FormField], path: str, errors: list[FieldError], parent: FormField | None
) -> None:
    seen: set[str] = set()
    by_key = {f.key: f for f in fields}
    for index, f in enumerate(fields):
        at = f"{path}.{index}"
        label = f.label.text()
        if f.key in seen:
            errors.append(_err(f"{at}.key", "schema.duplicate_key", key=f.key))
        seen.add(f.key)
        if f.type in ("select", "multiselect"):
            if not f.options:
                errors.append(_err(f"{at}.options", "schema.options_required", label=label))
            values = f.option_values()
            for value in {v for v in values if values.count(v) > 1}:
                errors.append(_err(f"{at}.options", "schema.duplicate_option", label=label, value=value))
        if f.min is not None and f.max is not None and f.min > f.max:
            errors.append(_err(f"{at}.min", "schema.min_over_max", label=label))
        if f.min_length is not None and f.max_length is not None and f.min_length > f.max_length:
            errors.append(_err(f"{at}.min_length", "schema.min_over_max", label=label))
        if f.pattern is not None:
            try:
                re.compile(f.pattern)
            except re.error:
                errors.append(_err(f"{at}.pattern", "schema.bad_pattern", label=label))
        if f.type == "subtable":
            if parent is not None:
                errors.append(_err(f"{at}.type", "schema.nested_subtable", label=parent.label.text()))
            elif not f.fields:
                errors.append(_err(f"{at}.fields", "schema.columns_required", label=label))
            else:
                _check_level(f.fields, f"{at}.fields", errors, parent=f)
        elif f.fields:
            errors.append(_err(f"{at}.fields", "schema.columns_only_in_subtable", label=label))
        if f.show_if is not None:
            if f.show_if.field == f.key:
                errors.append(_err(f"{at}.show_if", "schema.show_if_self", label=label))
            elif f.show_if.field not in by_key:
                errors.append(
                    _err(f"{at}.show_if", "schema.show_if_missing_ref", label=label, ref=f.show_if.field)
                )
        if isinstance(f.default, str) and f.default.startswith("$") and f.default not in DEFAULT_TOKENS:
            errors.append(_err(f"{at}.default", "schema.bad_default", label=label))
    _check_formulas(fields, path, errors)


def _check_formulas(fields: list[FormField], path: str, errors: list[FieldError]) -> None:
    by_key = {f.key: f for f in fields}
    depends: dict[str, list[str]] = {}
    for index, f in enumerate(fields):
        if f.type != "formula":
            continue
        at = f"{path}.{index}.formula"
        label = f.label.text()
        if not f.formula:
            errors.append(_err(at, "schema.formula_required", label=label))
            continue
        try:
            tree = formula_lang.parse(f.formula)
        except formula_lang.FormulaError as exc:
            errors.append(_err(at, exc.code, **exc.params))
            continue
        deps: list[str] = []
        for ref in formula_lang.references(tree):
            target = by_key.get(ref.key)
            shown = f"{ref.key}.{ref.column}" if ref.column else ref.key
            if target is None:
                errors.append(_err(at, "schema.formula_missing_ref", label=label, ref=shown))
                continue
            if ref.column is not None:
                column = next((c for c in target.fields if c.key == ref.column), None)
                if target.type != "subtable" or column is None:
                    errors.append(_err(at, "schema.formula_missing_ref", label=label, ref=shown))
                elif column.type not in NUMERIC_TYPES:
                    errors.append(_err(at, "schema.formula_not_number", label=label, ref=shown))
            elif target.type == "subtable":
                if not _is_count_of(tree, ref.key):
                    errors.append(_err(at, "schema.formula_not_number", label=label, ref=shown))
            elif target.type not in NUMERIC_TYPES:
                errors.append(_err(at, "schema.formula_not_number", label=label, ref=shown))
            else:
                deps.append(ref.key)
        depends[f.key] = deps
    cycle = _find_cycle(depends)
    if cycle:
        index = next(i for i, f in enumerate(fields) if f.key == cycle[0])
        names = " → ".join(by_key[k].label.text() for k in cycle)
        errors.append(_err(f"{path}.{index}.formula", "schema.formula_cycle", cycle=names))


def _is_count_of(tree: ast.expr, key: str) -> bool:
    return any(
        isinstance(n, ast.Call)
        and isinstance(n.func, ast.Name)
        and n.func.id == "COUNT"
        and isinstance(n.args[0], ast.Name)
        and n.args[0].id == key
        for n in ast.walk(tree)
    )


def _find_cycle(depends: dict[str, list[str]]) -> list[str]:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(key: str) -> list[str]:
        state[key] = 1
        stack.append(key)
        for dep in depends.get(key, []):
            if dep not in depends:
                continue
            if state.get(dep) == 1:
                return [*stack[stack.index(dep) :], dep]
            if state.get(dep) is None:
                found = visit(dep)
                if found:
                    return found
        stack.pop()
        state[key] = 2
        return []

    for key in depends:
        if key not in state:
            found = visit(key)
            if found:
                return found
    return []


def formula_order(fields: list[FormField]) -> list[tuple[FormField, ast.expr]]:
    """Formula fields of one level in an order where each comes after those it reads."""
    parsed = {f.key: (f, formula_lang.parse(f.formula or "")) for f in fields if f.type == "formula"}
    done: list[tuple[FormField, ast.expr]] = []
    placed: set[str] = set()

    def place(key: str) -> None:
        if key in placed:
            return
        placed.add(key)
        f, tree = parsed[key]
        for ref in formula_lang.references(tree):
            if ref.column is None and ref.key in parsed:
                place(ref.key)
        done.append((f, tree))

    for key in parsed:
        place(key)
    return done
