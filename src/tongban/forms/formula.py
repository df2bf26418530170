"""Formula fields: a small arithmetic language, parsed and evaluated without `eval`.

    area * price                    a row's loss, inside a sub-table
    SUM(crops.loss)                 a sub-table column, at the top level
    ROUND(total / COUNT(crops), 2)

Python's `ast` parses the text (it only builds a tree; nothing runs) and a whitelist walk
refuses every node that is not a number, a field name, + - * / %, a unary sign, or one of the
functions below. Evaluation walks the same tree over plain numbers, so a formula can neither
call code nor loop. The front end has its own evaluator of the same language
(web/src/features/forms/formula.ts) for the live preview; the server's value is the one stored.
"""

from __future__ import annotations

import ast
import functools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

MAX_LENGTH = 500
AGGREGATES = frozenset({"SUM", "AVG", "MIN", "MAX", "COUNT"})
SCALARS = frozenset({"ROUND", "ABS"})
FUNCTIONS = AGGREGATES | SCALARS


class FormulaError(ValueError):
    """A formula that cannot be used; `code` names a registered message, `params` fill it."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code, self.params = code, params


@dataclass(frozen=True)
class Reference:
    """A field the formula reads: `key`, or `table.column` inside an aggregate."""

    key: str
    column: str | None = None


def parse(text: str) -> ast.expr:
    """The checked tree of a formula; raises FormulaError. Trees are only read, so they are cached."""
    return _parse(text)


@functools.lru_cache(maxsize=2048)
def _parse(text: str) -> ast.expr:
    if not text.strip():
        raise FormulaError("formula.empty")
    if len(text) > MAX_LENGTH:
        raise FormulaError("formula.too_long", max=MAX_LENGTH)
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError:
        raise FormulaError("formula.syntax") from None
    _check(tree.body, inside_aggregate=False)
    return tree.body


def _check(node: ast.expr, *, inside_aggregate: bool) -> None:
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, int | float):
            raise FormulaError("formula.not_allowed", what=repr(node.value))
    elif isinstance(node, ast.Name):
        if node.id in FUNCTIONS:
            raise FormulaError("formula.not_allowed", what=node.id)
    elif isinstance(node, ast.Attribute):
        if not (inside_aggregate and isinstance(node.value, ast.Name)):
            raise FormulaError("formula.column_outside_aggregate", what=ast.unparse(node))
    elif isinstance(node, ast.BinOp):
        if not isinstance(node.op, ast.Add | ast.Sub | ast.Mult | ast.Div | ast.Mod):
            raise FormulaError("formula.not_allowed", what=type(node.op).__name__)
        _check(node.left, inside_aggregate=inside_aggregate)
        _check(node.right, inside_aggregate=inside_aggregate)
    elif isinstance(node, ast.UnaryOp):
        if not isinstance(node.op, ast.USub | ast.UAdd):
            raise FormulaError("formula.not_allowed", what=type(node.op).__name__)
        _check(node.operand, inside_aggregate=inside_aggregate)
    elif isinstance(node, ast.Call):
        name = node.func.id if isinstance(node.func, ast.Name) else None
        if name not in FUNCTIONS or node.keywords:
            raise FormulaError("formula.unknown_function", what=ast.unparse(node.func))
        if name in AGGREGATES:
            if len(node.args) != 1 or not isinstance(node.args[0], ast.Attribute | ast.Name):
                raise FormulaError("formula.aggregate_argument", what=name)
            _check(node.args[0], inside_aggregate=True)
        else:
            if not 1 <= len(node.args) <= (2 if name == "ROUND" else 1):
                raise FormulaError("formula.arguments", what=name)
            for arg in node.args:
                _check(arg, inside_aggregate=inside_aggregate)
    else:
        raise FormulaError("formula.not_allowed", what=type(node).__name__)


def references(tree: ast.expr) -> list[Reference]:
    """The fields a parsed formula reads, in order of appearance."""
    found: list[Reference] = []

    def walk(node: ast.expr) -> None:
        if isinstance(node, ast.Name):
            found.append(Reference(node.id))
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            found.append(Reference(node.value.id, node.attr))
        elif isinstance(node, ast.BinOp):
            walk(node.left)
            walk(node.right)
        elif isinstance(node, ast.UnaryOp):
            walk(node.operand)
        elif isinstance(node, ast.Call):
            for arg in node.args:
                walk(arg)

    walk(tree)
    return found


Number = float | int


def evaluate(
    tree: ast.expr, values: Mapping[str, Any], tables: Mapping[str, Sequence[Mapping[str, Any]]] | None = None
) -> float | None:
    """The formula's value; None when an input is empty or it divides by zero (shown as blank)."""
    try:
        result = _eval(tree, values, tables or {})
    except (_Blank, ZeroDivisionError, OverflowError):
        return None
    if result is None or math.isnan(result) or math.isinf(result):
        return None
    return float(result)


class _Blank(Exception):
    pass


def _number(value: Any) -> Number:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _Blank
    return value


def _eval(
    node: ast.expr, values: Mapping[str, Any], tables: Mapping[str, Sequence[Mapping[str, Any]]]
) -> Number:
    if isinstance(node, ast.Constant):
        return _number(node.value)
    if isinstance(node, ast.Name):
        return _number(values.get(node.id))
    if isinstance(node, ast.UnaryOp):
        operand = _eval(node.operand, values, tables)
        return -operand if isinstance(node.op, ast.USub) else operand
    if isinstance(node, ast.BinOp):
        left, right = _eval(node.left, values, tables), _eval(node.right, values, tables)
        if isinstance(node.op, ast.Add):
            return left + right
        if isinstance(node.op, ast.Sub):
            return left - right
        if isinstance(node.op, ast.Mult):
            return left * right
        if isinstance(node.op, ast.Div):
            return left / right
        return left % right
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        name = node.func.id
        if name in AGGREGATES:
            arg = node.args[0]
            if isinstance(arg, ast.Name):
                rows = tables.get(arg.id, [])
                if name != "COUNT":
                    raise _Blank
                return len(rows)
            assert isinstance(arg, ast.Attribute) and isinstance(arg.value, ast.Name)
            column = arg.attr
            nums: list[float] = [
                r[column]
                for r in tables.get(arg.value.id, [])
                if isinstance(r.get(column), int | float) and not isinstance(r.get(column), bool)
            ]
            if name == "COUNT":
                return len(nums)
            if name == "SUM":
                return sum(nums)
            if not nums:
                raise _Blank
            if name == "AVG":
                return sum(nums) / len(nums)
            return min(nums) if name == "MIN" else max(nums)
        args = [_eval(a, values, tables) for a in node.args]
        if name == "ABS":
            return abs(args[0])
        digits = int(args[1]) if len(args) > 1 else 0
        return round(args[0], max(0, min(digits, 10)))
    raise _Blank
