"""The flow of an approval template: a DingTalk-style vertical chain of nodes with branch blocks.

    [approver: 部门负责人] → [condition: cost > 5000 ? [approver 会签: 财务总监, 副主任] : []]
                          → [cc: 办公室主任]

A flow is a tree: a condition block holds branches evaluated in order (the last one is the
default), a parallel block holds branches that all run and join when every one is done. Nothing
jumps, so "every branch joins" holds by construction; `check_flow` refuses what cannot run
(a node after nothing, a condition block without a default or with branches after it, a
condition over a field the form does not have, duplicate node ids) when the template is saved.

At submission the conditions are decided once over the submitted values and the submitter, so a
request runs a *plan*: the same tree with condition blocks replaced by the branch taken. The
plan's progress is a set of finished node ids; `frontier(plan, done)` is what runs next.
Conditions reuse the forms formula language for numbers (`days * 1`, `SUM(items.amount)`), so
a designer writes the same expressions in both places and the same evaluator decides them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from tongban.core import i18n
from tongban.core.errors import AppError, FieldError
from tongban.forms import formula as formula_lang
from tongban.forms.schema import FormSchema, Label

NodeId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_\-]{1,40}$")]
Mode = Literal["sequence", "all", "any"]  # 依次审批 / 会签 / 或签
OnEmpty = Literal["skip", "admin", "refuse"]
SUBMITTER_ATTRS = frozenset({"$submitter.department", "$submitter.title", "$submitter.id"})


class Who(BaseModel):
    """Who a node reaches. Several kinds on one node add up (named people plus a role)."""

    model_config = ConfigDict(extra="forbid")
    kind: Literal["people", "title", "manager", "dept_head", "field", "submitter_picks"]
    people: list[int] = []  # people
    titles: list[Annotated[str, StringConstraints(min_length=1, max_length=100)]] = []  # title (职务)
    level: Annotated[int, Field(ge=1, le=10)] = 1  # manager / dept_head: how many levels up
    field: str | None = None  # field: a member field of the form


class Condition(BaseModel):
    """`left op value`; left is a field key, a submitter attribute or a number formula."""

    model_config = ConfigDict(extra="forbid")
    left: Annotated[str, StringConstraints(min_length=1, max_length=formula_lang.MAX_LENGTH)]
    op: Literal["eq", "ne", "gt", "gte", "lt", "lte", "in", "not_in", "filled", "empty"]
    value: Any = None


class Approver(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: Literal["approver"]
    id: NodeId
    name: Label
    who: Annotated[list[Who], Field(min_length=1, max_length=10)]
    mode: Mode = "sequence"
    on_empty: OnEmpty = "admin"
    time_limit_hours: Annotated[int, Field(ge=1, le=24 * 90)] | None = None


class Handler(BaseModel):
    """Circulation (传阅/办理): each person reads and signs, in order; nobody can reject."""

    model_config = ConfigDict(extra="forbid")
    type: Literal["handler"]
    id: NodeId
    name: Label
    who: Annotated[list[Who], Field(min_length=1, max_length=10)]
    on_empty: OnEmpty = "skip"


class Cc(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: Literal["cc"]
    id: NodeId
    name: Label
    who: Annotated[list[Who], Field(min_length=1, max_length=10)]


class Branch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Label
    # condition blocks: every condition must hold; none at all marks the default branch
    when: Annotated[list[Condition], Field(max_length=20)] = []
    nodes: list[Node] = []


class ConditionBlock(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: Literal["condition"]
    id: NodeId
    branches: Annotated[list[Branch], Field(min_length=2, max_length=20)]


class Parallel(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: Literal["parallel"]
    id: NodeId
    branches: Annotated[list[Branch], Field(min_length=2, max_length=10)]


Node = Annotated[Approver | Handler | Cc | ConditionBlock | Parallel, Field(discriminator="type")]
Task = Approver | Handler | Cc  # nodes that reach people


class Flow(BaseModel):
    model_config = ConfigDict(extra="forbid")
    nodes: Annotated[list[Node], Field(min_length=1, max_length=200)]


Branch.model_rebuild()


i18n.register(
    {
        "flow_invalid": (
            "流程设计有误，请检查标出的节点",
            "The flow design has problems; see the marked nodes",
        ),
        "flow.duplicate_id": ("节点标识「{id}」重复", "Node id “{id}” is used twice"),
        "flow.no_default": (
            "条件分支「{id}」需要一个默认分支（最后一个分支不设条件）",
            "Condition block “{id}” needs a default branch (the last one, without conditions)",
        ),
        "flow.unreachable": (
            "分支「{name}」在默认分支之后，永远不会走到",
            "Branch “{name}” comes after the default branch and can never be reached",
        ),
        "flow.condition_missing_field": (
            "条件引用了表单中不存在的字段「{ref}」",
            "A condition refers to a field “{ref}” that the form does not have",
        ),
        "flow.condition_bad": ("条件「{left}」写法有误", "The condition “{left}” cannot be read"),
        "flow.who_field": (
            "节点「{name}」引用的「{ref}」不是表单中的成员字段",
            "Node “{name}” uses “{ref}”, which is not a member field of the form",
        ),
        "flow.who_people": ("节点「{name}」需要至少一位成员", "Node “{name}” needs at least one person"),
        "flow.who_titles": ("节点「{name}」需要至少一个职务", "Node “{name}” needs at least one title"),
        "flow.no_approver": (
            "流程至少需要一个审批或办理节点",
            "The flow needs at least one approver or handler node",
        ),
    }
)


class FlowInvalid(AppError):
    status_code = 422

    def __init__(self, fields: list[FieldError]) -> None:
        super().__init__("flow_invalid", fields=fields)


def _err(path: str, code: str, **params: Any) -> FieldError:
    return FieldError(path, code, i18n.t(code, **params))


# ---- design time ------------------------------------------------------------------------------


def check_flow(flow: Flow, schema: FormSchema, *, path: str = "flow") -> None:
    """Raise FlowInvalid naming every problem; a flow that passes can run on this form."""
    errors: list[FieldError] = []
    seen: set[str] = set()
    _check_nodes(flow.nodes, schema, f"{path}.nodes", errors, seen)
    if not any(isinstance(n, Approver | Handler) for n in walk(flow.nodes)):
        errors.append(_err(f"{path}.nodes", "flow.no_approver"))
    if errors:
        raise FlowInvalid(errors)


def _check_nodes(
    nodes: list[Any], schema: FormSchema, path: str, errors: list[FieldError], seen: set[str]
) -> None:
    for index, node in enumerate(nodes):
        at = f"{path}.{index}"
        if node.id in seen:
            errors.append(_err(f"{at}.id", "flow.duplicate_id", id=node.id))
        seen.add(node.id)
        if isinstance(node, ConditionBlock):
            defaults = [i for i, b in enumerate(node.branches) if not b.when]
            if not defaults:
                errors.append(_err(f"{at}.branches", "flow.no_default", id=node.id))
            else:
                for b in node.branches[defaults[0] + 1 :]:
                    errors.append(_err(f"{at}.branches", "flow.unreachable", name=b.name.text()))
            for bi, branch in enumerate(node.branches):
                for ci, cond in enumerate(branch.when):
                    _check_condition(cond, schema, f"{at}.branches.{bi}.when.{ci}", errors)
        if isinstance(node, ConditionBlock | Parallel):
            for bi, branch in enumerate(node.branches):
                _check_nodes(branch.nodes, schema, f"{at}.branches.{bi}.nodes", errors, seen)
        else:
            for wi, who in enumerate(node.who):
                _check_who(node, who, schema, f"{at}.who.{wi}", errors)


def _check_condition(cond: Condition, schema: FormSchema, at: str, errors: list[FieldError]) -> None:
    if cond.left in SUBMITTER_ATTRS or schema.field(cond.left) is not None:
        return
    try:
        tree = formula_lang.parse(cond.left)
    except formula_lang.FormulaError:
        errors.append(_err(f"{at}.left", "flow.condition_bad", left=cond.left))
        return
    for ref in formula_lang.references(tree):
        if schema.field(ref.key) is None:
            errors.append(_err(f"{at}.left", "flow.condition_missing_field", ref=ref.key))


def _check_who(node: Any, who: Who, schema: FormSchema, at: str, errors: list[FieldError]) -> None:
    name = node.name.text()
    if who.kind == "people" and not who.people:
        errors.append(_err(f"{at}.people", "flow.who_people", name=name))
    if who.kind == "title" and not who.titles:
        errors.append(_err(f"{at}.titles", "flow.who_titles", name=name))
    if who.kind == "field":
        target = schema.field(who.field or "")
        if target is None or target.type != "member":
            errors.append(_err(f"{at}.field", "flow.who_field", name=name, ref=who.field or ""))


def walk(nodes: list[Any]) -> Iterator[Any]:
    """Every node, depth first, in the order they appear."""
    for node in nodes:
        yield node
        if isinstance(node, ConditionBlock | Parallel):
            for branch in node.branches:
                yield from walk(branch.nodes)


# ---- submission time: deciding conditions -----------------------------------------------------


@dataclass(frozen=True)
class Submitter:
    id: int
    title: str
    department_ids: frozenset[int]  # the submitter's departments and every one above them


def _left_value(left: str, schema: FormSchema, values: dict[str, Any], who: Submitter) -> Any:
    if left == "$submitter.department":
        return sorted(who.department_ids)
    if left == "$submitter.title":
        return who.title
    if left == "$submitter.id":
        return who.id
    if schema.field(left) is not None:
        return values.get(left)
    tables = {k: v for k, v in values.items() if isinstance(v, list) and v and isinstance(v[0], dict)}
    return formula_lang.evaluate(formula_lang.parse(left), values, tables)


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def holds(cond: Condition, schema: FormSchema, values: dict[str, Any], who: Submitter) -> bool:
    actual = _left_value(cond.left, schema, values, who)
    op, expected = cond.op, cond.value
    if op == "filled":
        return actual not in (None, "", [])
    if op == "empty":
        return actual in (None, "", [])
    if op in ("in", "not_in", "eq", "ne"):
        choices = expected if isinstance(expected, list) else [expected]
        actual_items = actual if isinstance(actual, list) else [actual]
        if op in ("eq", "ne") and not isinstance(actual, list):
            same = actual == expected or (
                _number(actual) is not None and _number(actual) == _number(expected)
            )
            return same if op == "eq" else not same
        hit = any(a in choices for a in actual_items)
        return hit if op in ("in", "eq") else not hit
    left, right = _number(actual), _number(expected)
    if left is None or right is None:
        return False
    return {"gt": left > right, "gte": left >= right, "lt": left < right, "lte": left <= right}[op]


# ---- the plan ---------------------------------------------------------------------------------
# A plan is plain JSON so a request stores it: [{"node": {...}}, {"parallel": id, "branches": [[...]]}]

Plan = list[dict[str, Any]]


def plan_for(flow: Flow, schema: FormSchema, values: dict[str, Any], who: Submitter) -> Plan:
    return _plan(flow.nodes, schema, values, who)


def _plan(nodes: list[Any], schema: FormSchema, values: dict[str, Any], who: Submitter) -> Plan:
    plan: Plan = []
    for node in nodes:
        if isinstance(node, ConditionBlock):
            taken = next(
                (b for b in node.branches if all(holds(c, schema, values, who) for c in b.when)),
                node.branches[-1],
            )
            plan.extend(_plan(taken.nodes, schema, values, who))
        elif isinstance(node, Parallel):
            branches = [_plan(b.nodes, schema, values, who) for b in node.branches]
            if any(branches):
                plan.append({"parallel": node.id, "branches": branches})
        else:
            plan.append({"node": node.model_dump(mode="json")})
    return plan


def plan_nodes(plan: Plan) -> Iterator[dict[str, Any]]:
    """The plan's people nodes in order (parallel branches one after the other)."""
    for step in plan:
        if "node" in step:
            yield step["node"]
        else:
            for branch in step["branches"]:
                yield from plan_nodes(branch)


def frontier(plan: Plan, done: set[str]) -> list[str]:
    """The node ids that run now: the first unfinished node of each running sequence. Empty
    when the whole plan is done. A parallel block joins: what follows it waits for all its
    branches."""
    for step in plan:
        if "node" in step:
            if step["node"]["id"] not in done:
                return [step["node"]["id"]]
            continue
        running = [nid for branch in step["branches"] for nid in frontier(branch, done)]
        if running:
            return running
    return []


def before(plan: Plan, target: str) -> set[str]:
    """Ids of the nodes that come before `target` on the way to it (for "return to node X":
    these stay done, X and everything after it runs again)."""
    found: set[str] = set()

    def visit(steps: Plan) -> bool:
        for step in steps:
            if "node" in step:
                if step["node"]["id"] == target:
                    return True
                found.add(step["node"]["id"])
                continue
            snapshot = set(found)
            for branch in step["branches"]:
                branch_ids = {n["id"] for n in plan_nodes(branch)}
                if target in branch_ids:
                    found.clear()
                    found.update(snapshot)
                    # the other branches of this block stay as they were: only X's branch reruns
                    for other in step["branches"]:
                        if other is not branch:
                            found.update(n["id"] for n in plan_nodes(other))
                    return visit(branch)
            found.update(n["id"] for branch in step["branches"] for n in plan_nodes(branch))
        return False

    return found if visit(plan) else set()
