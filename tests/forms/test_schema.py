"""The form schema: design-time checks, formulas, and submission validation (with generated cases)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tongban.core import i18n
from tongban.forms import formula
from tongban.forms.schema import FormSchema, SchemaInvalid, check_schema
from tongban.forms.validation import validate_submission


def schema(*fields: dict[str, Any]) -> FormSchema:
    return FormSchema.model_validate({"fields": list(fields)})


def f(key: str, type_: str, zh: str = "", **extra: Any) -> dict[str, Any]:
    return {"key": key, "type": type_, "label": {"zh": zh or key, "en": key.title()}, **extra}


CROPS = [
    {"value": v, "label": {"zh": zh, "en": en}}
    for v, zh, en in [("rice", "水稻", "Rice"), ("wheat", "小麦", "Wheat")]
]
DISASTER = schema(
    f("township", "text", "乡镇", required=True),
    f(
        "crops",
        "subtable",
        "作物明细",
        min_rows=1,
        fields=[
            f("crop", "select", "作物", required=True, options=CROPS),
            f("area", "number", "受灾面积", required=True, min=0, unit="亩"),
            f("price", "money", "单价", min=0),
            f("loss", "formula", "损失", formula="area * price"),
        ],
    ),
    f("total_area", "formula", "合计面积", formula="SUM(crops.area)"),
    f("rows", "formula", "行数", formula="COUNT(crops)"),
)


def problems(exc: SchemaInvalid) -> dict[str, str]:
    return {fe.field: fe.message for fe in exc.fields}


# ---- design time ----------------------------------------------------------------------------


def test_the_disaster_form_passes_and_computes() -> None:
    check_schema(DISASTER)
    result = validate_submission(
        DISASTER,
        {
            "township": "海口镇",
            "crops": [{"crop": "rice", "area": 12.5, "price": 800}, {"crop": "wheat", "area": 3}],
        },
    )
    assert result.errors == []
    assert result.values["crops"][0]["loss"] == 10000
    assert "loss" not in result.values["crops"][1]  # no price: blank, not zero
    assert result.values["total_area"] == 15.5
    assert result.values["rows"] == 2


def test_formula_with_a_missing_field_is_refused_naming_it() -> None:
    bad = schema(f("a", "number"), f("total", "formula", "合计", formula="a + b"))
    with pytest.raises(SchemaInvalid) as info:
        check_schema(bad)
    assert problems(info.value) == {"schema.fields.1.formula": "「合计」的公式引用了不存在的字段「b」"}


def test_formula_cycle_is_refused_naming_the_fields() -> None:
    bad = schema(f("a", "formula", "甲", formula="b + 1"), f("b", "formula", "乙", formula="a * 2"))
    token = i18n.current_locale.set("en-US")
    try:
        with pytest.raises(SchemaInvalid) as info:
            check_schema(bad)
    finally:
        i18n.current_locale.reset(token)
    (message,) = problems(info.value).values()
    assert "cycle" in message and "A → B → A" in message


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("__import__('os').system('x')", "formula.unknown_function"),
        ("a ** 2", "formula.not_allowed"),
        ("'x' + 1", "formula.not_allowed"),
        ("crops.area", "formula.column_outside_aggregate"),
        ("a if a else 1", "formula.not_allowed"),
        ("(lambda: 1)()", "formula.unknown_function"),
        ("a +", "formula.syntax"),
    ],
)
def test_formula_language_refuses_everything_but_arithmetic(text: str, code: str) -> None:
    with pytest.raises(formula.FormulaError) as info:
        formula.parse(text)
    assert info.value.code == code


def test_division_by_zero_is_blank() -> None:
    assert formula.evaluate(formula.parse("a / b"), {"a": 1, "b": 0}) is None
    assert formula.evaluate(formula.parse("ROUND(a / 3, 2)"), {"a": 1}) == 0.33


def test_other_design_problems() -> None:
    bad = schema(
        f("a", "select", "甲"),
        f("a", "text", "重复"),
        f("n", "number", "数", min=5, max=1),
        f("p", "text", "正则", pattern="("),
        f("s", "text", "条件", show_if={"field": "zz", "op": "eq", "value": 1}),
        f("t", "subtable", "空子表"),
    )
    with pytest.raises(SchemaInvalid) as info:
        check_schema(bad)
    assert set(problems(info.value)) == {
        "schema.fields.0.options",
        "schema.fields.1.key",
        "schema.fields.2.min",
        "schema.fields.3.pattern",
        "schema.fields.4.show_if",
        "schema.fields.5.fields",
    }


# ---- submissions ----------------------------------------------------------------------------


def test_every_problem_is_named_with_its_row_in_both_languages() -> None:
    values = {"crops": [{"crop": "rice", "area": 1}, {"crop": "corn", "area": -2}], "extra": 1}
    result = validate_submission(DISASTER, values)
    assert {e.field: e.message for e in result.errors} == {
        "values.extra": "表单中没有字段「extra」",
        "values.township": "「乡镇」必填",
        "values.crops.1.crop": "「作物明细」第 2 行「作物」的「corn」不是可选项",
        "values.crops.1.area": "「作物明细」第 2 行「受灾面积」应不小于 0",
    }
    token = i18n.current_locale.set("en-US")
    try:
        result = validate_submission(DISASTER, values)
    finally:
        i18n.current_locale.reset(token)
    messages = {e.field: e.message for e in result.errors}
    assert messages["values.crops.1.area"] == "“Crops” row 2 “Area” must be at least 0"


def test_show_if_hides_and_unrequires() -> None:
    s = schema(
        f("kind", "select", "类型", options=CROPS),
        f("why", "text", "原因", required=True, show_if={"field": "kind", "op": "eq", "value": "wheat"}),
    )
    assert validate_submission(s, {"kind": "rice", "why": "dropped"}).values == {"kind": "rice"}
    assert [e.field for e in validate_submission(s, {"kind": "wheat"}).errors] == ["values.why"]


def test_defaults_resolve_tokens() -> None:
    s = schema(f("dept", "department", "部门", required=True, default="$my_department"))
    result = validate_submission(s, {}, defaults={"$my_department": 7})
    assert result.values == {"dept": 7} and result.refs.departments[0][2] == 7


# ---- generated forms and submissions ----------------------------------------------------------

SIMPLE_TYPES = ["text", "number", "money", "select", "multiselect", "boolean", "date", "daterange"]


@st.composite
def field_def(draw: st.DrawFn, key: str) -> dict[str, Any]:
    kind = draw(st.sampled_from(SIMPLE_TYPES))
    out = f(key, kind, required=draw(st.booleans()))
    if kind in ("number", "money"):
        low = draw(st.integers(-1000, 1000))
        out.update(min=low, max=low + draw(st.integers(0, 1000)))
    if kind in ("select", "multiselect"):
        n = draw(st.integers(1, 4))
        out["options"] = [{"value": f"o{i}", "label": {"zh": f"选项{i}"}} for i in range(n)]
    if kind == "text":
        out["max_length"] = draw(st.integers(1, 20))
    return out


@st.composite
def form_and_values(draw: st.DrawFn) -> tuple[FormSchema, dict[str, Any]]:
    n = draw(st.integers(1, 5))
    top = [draw(field_def(f"f{i}")) for i in range(n)]
    if draw(st.booleans()):
        cols = [draw(field_def(f"c{i}")) for i in range(draw(st.integers(1, 3)))]
        top.append(f("tab", "subtable", "明细", fields=cols, min_rows=0, max_rows=5))
    s = schema(*top)
    values: dict[str, Any] = {}
    for fd in top:
        if fd["type"] == "subtable":
            rows = draw(st.integers(0, 3))
            values["tab"] = [{c["key"]: draw(valid_value(c)) for c in fd["fields"]} for _ in range(rows)]
        elif fd["required"] or draw(st.booleans()):
            values[fd["key"]] = draw(valid_value(fd))
    return s, values


@st.composite
def valid_value(draw: st.DrawFn, fd: dict[str, Any]) -> Any:
    kind = fd["type"]
    if kind == "text":
        return draw(st.text(alphabet="甲乙丙abc123", min_size=1, max_size=fd["max_length"]))
    if kind in ("number", "money"):
        return draw(st.integers(int(fd["min"]), int(fd["max"])))
    if kind == "select":
        return draw(st.sampled_from([o["value"] for o in fd["options"]]))
    if kind == "multiselect":
        return draw(st.lists(st.sampled_from([o["value"] for o in fd["options"]]), min_size=1, unique=True))
    if kind == "boolean":
        return draw(st.booleans())
    if kind == "date":
        return draw(st.dates()).isoformat()
    days = sorted([draw(st.dates()), draw(st.dates())])
    return [d.isoformat() for d in days]


def invalid_value(fd: dict[str, Any]) -> Any:
    kind = fd["type"]
    if kind == "text":
        return "x" * (fd["max_length"] + 1)
    if kind in ("number", "money"):
        return fd["max"] + 1
    if kind == "select":
        return "not-an-option"
    if kind == "multiselect":
        return ["not-an-option"]
    if kind == "boolean":
        return "yes"
    if kind == "date":
        return "2026-13-40"
    return ["2026-02-02", "2026-01-01"]


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(form_and_values())
def test_every_valid_submission_is_accepted(case: tuple[FormSchema, dict[str, Any]]) -> None:
    s, values = case
    check_schema(s)
    result = validate_submission(s, values)
    assert result.errors == []


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(form_and_values(), st.data())
def test_every_mutated_submission_is_refused_at_its_field(
    case: tuple[FormSchema, dict[str, Any]], data: st.DataObject
) -> None:
    s, values = case
    top = s.model_dump()["fields"]
    target = data.draw(st.sampled_from(top))
    mutated = {k: v for k, v in values.items()}
    if target["type"] == "subtable":
        col = data.draw(st.sampled_from(target["fields"]))
        row = {c["key"]: None for c in target["fields"]}
        row[col["key"]] = invalid_value(col)
        mutated["tab"] = [*values.get("tab", []), row]
        expected = f"values.tab.{len(mutated['tab']) - 1}.{col['key']}"
    elif target["required"] and data.draw(st.booleans()):
        mutated.pop(target["key"], None)
        expected = f"values.{target['key']}"
    else:
        mutated[target["key"]] = invalid_value(target)
        expected = f"values.{target['key']}"
    result = validate_submission(s, mutated)
    assert expected in {e.field for e in result.errors}
