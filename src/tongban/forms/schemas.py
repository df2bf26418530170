"""Request and response models of /api/forms, and the events forms put on the stream."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from tongban.forms.schema import FormSchema

Role = Literal["manage", "view_all", "view_dept", "submit"]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class GrantIn(BaseModel):
    """A role for one person, one department (with its sub-departments), or everyone."""

    model_config = ConfigDict(extra="forbid")
    role: Role
    person_id: int | None = None
    department_id: int | None = None
    everyone: bool = False


class GrantRead(GrantIn):
    name: str = ""


class AppCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Name
    name_en: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] = ""
    description: Annotated[str, StringConstraints(max_length=2000)] = ""
    icon: Annotated[str, StringConstraints(max_length=40)] = "form"


class AppUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Name | None = None
    name_en: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] | None = None
    description: Annotated[str, StringConstraints(max_length=2000)] | None = None
    archived: bool | None = None


class GrantsUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    grants: Annotated[list[GrantIn], Field(max_length=200)]


class FormSummary(BaseModel):
    id: int
    app_id: int
    name: str
    name_en: str
    status: str
    version_number: int | None


class AppRead(BaseModel):
    id: int
    name: str
    name_en: str
    description: str
    icon: str
    template: str | None
    owner_id: int
    archived: bool
    created_at: dt.datetime
    my_roles: list[Role]
    forms: list[FormSummary] = []


class AppDetail(AppRead):
    grants: list[GrantRead] = []


class FormCreate(BaseModel):
    name: Name
    name_en: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] = ""
    description: Annotated[str, StringConstraints(max_length=2000)] = ""
    schema_: Annotated[FormSchema, Field(alias="schema")] = FormSchema()
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class DraftUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    name: Name | None = None
    name_en: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] | None = None
    description: Annotated[str, StringConstraints(max_length=2000)] | None = None
    schema_: Annotated[FormSchema, Field(alias="schema")]


class StatField(BaseModel):
    """A field statistics can group on (`dimension`) or aggregate (`measure`)."""

    key: str  # "township" or "crops.crop"
    label: str
    kind: Literal["dimension", "measure"]
    table: str  # "" for top-level fields, else the sub-table's key
    type: str


class FormRead(BaseModel):
    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)
    id: int
    app_id: int
    app_name: str
    name: str
    name_en: str
    description: str
    status: str
    version_id: int | None
    version_number: int | None
    # The published schema (what fill-in uses); managers also get the designer's draft.
    schema_: Annotated[FormSchema | None, Field(alias="schema")]
    draft: FormSchema | None = None
    stat_fields: list[StatField] = []
    my_roles: list[Role]
    updated_at: dt.datetime


class SubmissionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    values: dict[str, Any]
    task_id: int | None = None


class SubmissionUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    values: dict[str, Any]


class SubmissionRead(BaseModel):
    id: int
    form_id: int
    version_id: int
    version_number: int
    task_id: int | None
    submitter_id: int
    submitter_name: str
    department_id: int | None
    department_name: str | None
    values: dict[str, Any]
    late: bool
    created_at: dt.datetime
    updated_at: dt.datetime


class SubmissionPage(BaseModel):
    items: list[SubmissionRead]
    total: int
    offset: int
    limit: int


class VersionRead(BaseModel):
    id: int
    number: int
    published_at: dt.datetime
    schema_: Annotated[FormSchema, Field(alias="schema")]
    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)


class TemplateRead(BaseModel):
    key: str
    name: str
    name_en: str
    description: str
    icon: str
    field_count: int


class TemplateInstall(BaseModel):
    model_config = ConfigDict(extra="forbid")
    template: Annotated[str, StringConstraints(max_length=40)]


# ---- collection tasks ------------------------------------------------------------------------


class TaskCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    deadline: dt.datetime
    person_ids: Annotated[list[int], Field(max_length=2000)] = []
    department_ids: Annotated[list[int], Field(max_length=500)] = []
    # "reporter": each department's designated reporter (its head); "members": everyone in it.
    department_mode: Literal["reporter", "members"] = "reporter"
    allow_late: bool = True
    remind_before_minutes: Annotated[int, Field(ge=0, le=7 * 24 * 60)] = 30


class AssigneeRead(BaseModel):
    person_id: int
    name: str
    department_id: int | None
    department_name: str | None
    submission_id: int | None
    submitted_at: dt.datetime | None
    late: bool
    reminders: int
    last_reminded_at: dt.datetime | None


class DepartmentProgress(BaseModel):
    department_id: int | None
    department_name: str | None
    submitted: int
    missing: int


class TaskRead(BaseModel):
    id: int
    form_id: int
    form_name: str
    app_id: int
    title: str
    deadline: dt.datetime
    allow_late: bool
    remind_before_minutes: int
    created_by: int
    created_at: dt.datetime
    total: int
    submitted: int
    overdue: bool
    # For an assignee: their own state; for the owner: everyone's.
    my_submission_id: int | None = None
    my_submitted_at: dt.datetime | None = None


class TaskDetail(TaskRead):
    assignees: list[AssigneeRead]
    by_department: list[DepartmentProgress]


class RemindResult(BaseModel):
    reminded: int


# ---- statistics -------------------------------------------------------------------------------

Aggregate = Literal["count", "sum", "avg", "min", "max"]


class StatGroup(BaseModel):
    keys: list[str | None]
    labels: list[str]
    values: list[float | None]


class StatsRead(BaseModel):
    group_by: list[str]
    measures: list[str]  # "sum:crops.area"
    table: str
    groups: list[StatGroup]
    totals: list[float | None]
    rows: int  # the rows counted (submissions, or sub-table rows when grouping within one)


# ---- events -----------------------------------------------------------------------------------


class FormSubmitted(BaseModel):
    """A new or changed submission; dashboards and data views refetch what they show."""

    type: Literal["forms.submitted"] = "forms.submitted"
    form_id: int
    submission_id: int
    task_id: int | None = None


class TaskChanged(BaseModel):
    """A collection task was created, reminded, or someone in it submitted: the to-do list and
    the owner's progress view refetch."""

    type: Literal["forms.task_changed"] = "forms.task_changed"
    task_id: int
    form_id: int
