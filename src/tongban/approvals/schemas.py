"""Request and response bodies of /api/approvals, and the stream event."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from tongban.approvals.flow import Flow
from tongban.forms.schema import FormSchema

Comment = Annotated[str, StringConstraints(max_length=2000)]
FileId = Annotated[str, StringConstraints(min_length=1, max_length=36)]
Status = Literal["pending", "approved", "rejected", "withdrawn", "returned"]


class ApprovalTemplateWrite(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Annotated[str, StringConstraints(min_length=1, max_length=100, strip_whitespace=True)]
    name_en: Annotated[str, StringConstraints(max_length=100)] = ""
    description: Annotated[str, StringConstraints(max_length=2000)] = ""
    icon: Annotated[str, StringConstraints(max_length=40)] = "audit"
    admin_ids: Annotated[list[int], Field(max_length=20)] = []
    schema_: FormSchema = Field(alias="schema")
    flow: Flow


class ApprovalTemplateSummary(BaseModel):
    id: int
    name: str
    name_en: str
    description: str
    icon: str
    builtin: str | None
    archived: bool
    version_number: int
    can_manage: bool


class ApprovalTemplateRead(ApprovalTemplateSummary):
    admin_ids: list[int]
    version_id: int
    schema_: dict[str, Any] = Field(serialization_alias="schema")
    flow: dict[str, Any]


class BuiltinRead(BaseModel):
    key: str
    name: str
    name_en: str
    description: str
    icon: str


class BuiltinInstall(BaseModel):
    model_config = ConfigDict(extra="forbid")
    key: Annotated[str, StringConstraints(min_length=1, max_length=40)]


class RequestCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    template_id: int
    values: dict[str, Any]
    # "the submitter picks" nodes: node id -> people
    picks: dict[
        Annotated[str, StringConstraints(max_length=40)], Annotated[list[int], Field(max_length=20)]
    ] = {}


class Resubmit(BaseModel):
    model_config = ConfigDict(extra="forbid")
    values: dict[str, Any]
    picks: dict[
        Annotated[str, StringConstraints(max_length=40)], Annotated[list[int], Field(max_length=20)]
    ] = {}


class RouteNode(BaseModel):
    id: str
    type: str
    name: str
    mode: str
    people: list[PersonName]
    skipped: bool
    parallel: str | None = None  # the parallel block it runs in, if any


class PersonName(BaseModel):
    id: int
    name: str


class ApprovalActionBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    comment: Comment = ""
    signature_file_id: FileId | None = None
    attachments: Annotated[list[FileId], Field(max_length=20)] = []


class ReturnBody(ApprovalActionBody):
    # None: back to the submitter; otherwise an earlier node, which runs again
    node_id: Annotated[str, StringConstraints(max_length=40)] | None = None


class TransferBody(ApprovalActionBody):
    person_id: int


class AddSignerBody(ApprovalActionBody):
    person_id: int
    position: Literal["before", "after"] = "after"


class ApprovalTaskRead(BaseModel):
    id: int
    node_id: str
    node_name: str
    kind: str
    mode: str
    assignee: PersonName
    on_behalf_of: PersonName | None
    status: str
    opened_at: dt.datetime | None
    decided_at: dt.datetime | None


class ActionRead(BaseModel):
    seq: int
    kind: str
    actor: PersonName | None
    on_behalf_of: PersonName | None
    node_id: str | None
    node_name: str
    comment: str
    signature_file_id: str | None
    attachments: list[str]
    data: dict[str, Any]
    created_at: dt.datetime


class RequestSummary(BaseModel):
    id: int
    template_id: int
    template_name: str
    title: str
    submitter: PersonName
    status: Status
    created_at: dt.datetime
    updated_at: dt.datetime
    finished_at: dt.datetime | None
    current: list[str]  # names of the people it waits for
    my_task_id: int | None = None  # the open task I hold on it, in the to-do list


class RequestPage(BaseModel):
    items: list[RequestSummary]
    next_cursor: int | None


class RequestRead(RequestSummary):
    version_id: int
    department_name: str | None
    schema_: dict[str, Any] = Field(serialization_alias="schema")
    values: dict[str, Any]
    route: list[RouteNode]
    done: list[str]
    tasks: list[ApprovalTaskRead]
    timeline: list[ActionRead]
    cc: list[PersonName]
    can_withdraw: bool
    can_urge: bool
    can_resubmit: bool
    returnable_nodes: list[RouteNode]


class ApprovalCounts(BaseModel):
    pending: int
    cc_unread: int


class DelegationWrite(BaseModel):
    model_config = ConfigDict(extra="forbid")
    delegate_id: int
    starts_on: dt.date
    ends_on: dt.date


class DelegationRead(BaseModel):
    delegate: PersonName
    starts_on: dt.date
    ends_on: dt.date


class ApprovalChanged(BaseModel):
    """A request changed (a decision, a new task, CC): lists and the detail page refetch."""

    type: Literal["approvals.changed"] = "approvals.changed"
    request_id: int


RouteNode.model_rebuild()
