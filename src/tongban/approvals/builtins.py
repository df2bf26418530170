"""Built-in approval templates. Leave, trip and vehicle take their forms from the forms
capability's templates (one description of those forms in the product); the flows are ours.

Roles are people's titles (职务) in the directory: a flow that asks for 财务总监 reaches whoever
holds that title, and a node nobody holds goes to the template's admins."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tongban.forms.templates import TEMPLATES as FORM_TEMPLATES


def _f(key: str, type_: str, zh: str, en: str, **extra: Any) -> dict[str, Any]:
    return {"key": key, "type": type_, "label": {"zh": zh, "en": en}, **extra}


def _l(zh: str, en: str) -> dict[str, str]:
    return {"zh": zh, "en": en}


def _approver(id_: str, zh: str, en: str, who: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {"type": "approver", "id": id_, "name": _l(zh, en), "who": who, **extra}


def _cc(id_: str, zh: str, en: str, who: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "cc", "id": id_, "name": _l(zh, en), "who": who}


HEAD = {"kind": "dept_head", "level": 1}
MANAGER = {"kind": "manager", "level": 1}


def _title(*titles: str) -> dict[str, Any]:
    return {"kind": "title", "titles": list(titles)}


@dataclass(frozen=True)
class Builtin:
    key: str
    name: str
    name_en: str
    description: str
    icon: str
    fields: list[dict[str, Any]]
    flow: list[dict[str, Any]]


BUILTINS: dict[str, Builtin] = {
    b.key: b
    for b in [
        Builtin(
            "leave",
            "请假",
            "Leave",
            "请假类型、日期与天数；3 天及以上由分管领导审批",
            "calendar",
            FORM_TEMPLATES["leave"].fields,
            [
                _approver("head", "部门负责人", "Department head", [HEAD]),
                {
                    "type": "condition",
                    "id": "long",
                    "branches": [
                        {
                            "name": _l("3 天及以上", "3 days or more"),
                            "when": [{"left": "days", "op": "gte", "value": 3}],
                            "nodes": [_approver("leader", "分管领导", "Deputy director", [_title("副主任")])],
                        },
                        {"name": _l("其他", "Otherwise"), "nodes": []},
                    ],
                },
                _cc("hr", "人事", "HR", [_title("人事专员")]),
            ],
        ),
        Builtin(
            "trip",
            "出差",
            "Business trip",
            "出差地点、日期、事由与预估费用；超过 5,000 元由财务总监和副主任会签",
            "car",
            FORM_TEMPLATES["trip"].fields,
            [
                _approver("head", "部门负责人", "Department head", [HEAD]),
                {
                    "type": "condition",
                    "id": "cost",
                    "branches": [
                        {
                            "name": _l("预算超过 5,000 元", "Budget over 5,000"),
                            "when": [{"left": "budget", "op": "gt", "value": 5000}],
                            "nodes": [
                                _approver(
                                    "finance",
                                    "财务总监与副主任会签",
                                    "Finance director and deputy director (all)",
                                    [_title("财务总监", "副主任")],
                                    mode="all",
                                )
                            ],
                        },
                        {"name": _l("其他", "Otherwise"), "nodes": []},
                    ],
                },
                _cc("office", "办公室主任", "Office manager", [_title("办公室主任")]),
            ],
        ),
        Builtin(
            "vehicle",
            "用车",
            "Vehicle",
            "用车时间、地点、人数与事由",
            "car",
            FORM_TEMPLATES["vehicle"].fields,
            [
                _approver("head", "部门负责人", "Department head", [HEAD]),
                _approver(
                    "fleet",
                    "车队调度（任一人）",
                    "Fleet dispatcher (any one)",
                    [_title("车队调度")],
                    mode="any",
                ),
            ],
        ),
        Builtin(
            "seal",
            "用印",
            "Seal use",
            "用印文件、份数与事由",
            "seal",
            [
                _f("document", "text", "文件名称", "Document", required=True, max_length=200),
                _f("copies", "number", "份数", "Copies", required=True, min=1, max=100, precision=0),
                _f(
                    "seal",
                    "select",
                    "印章",
                    "Seal",
                    required=True,
                    options=[
                        {"value": "official", "label": _l("公章", "Official seal")},
                        {"value": "contract", "label": _l("合同章", "Contract seal")},
                    ],
                ),
                _f("purpose", "textarea", "用印事由", "Purpose", required=True, max_length=500),
                _f("files", "attachment", "用印文件", "Files", max_length=5),
            ],
            [
                _approver("head", "部门负责人", "Department head", [HEAD]),
                _approver("office", "办公室主任", "Office manager", [_title("办公室主任")]),
            ],
        ),
        Builtin(
            "circulation",
            "文件流转",
            "Document circulation",
            "文件依次送阅、签批，每位收件人的状态可见",
            "file",
            [
                _f("title", "text", "文件标题", "Title", required=True, max_length=200),
                _f("files", "attachment", "文件", "Files", required=True, max_length=10),
                _f("note", "textarea", "拟办意见", "Note", max_length=1000),
            ],
            [
                {
                    "type": "handler",
                    "id": "read",
                    "name": _l("依次阅办", "Read and sign in order"),
                    "who": [{"kind": "submitter_picks"}],
                    "on_empty": "refuse",
                },
                _cc("archive", "办公室归档", "Office archive", [_title("办公室主任")]),
            ],
        ),
        Builtin(
            "supervision",
            "督办",
            "Supervision",
            "交办事项、承办人与期限；承办人办结后由督办人确认",
            "flag",
            [
                _f("task", "text", "督办事项", "Task", required=True, max_length=200),
                _f("detail", "textarea", "要求", "Requirements", max_length=2000),
                _f("assignee", "member", "承办人", "Assignee", required=True),
                _f("deadline", "date", "办结期限", "Deadline", required=True),
            ],
            [
                {
                    "type": "handler",
                    "id": "do",
                    "name": _l("承办", "Carry out"),
                    "who": [{"kind": "field", "field": "assignee"}],
                },
                _approver("confirm", "督办人确认", "Supervisor confirms", [{"kind": "submitter_picks"}]),
            ],
        ),
    ]
}
