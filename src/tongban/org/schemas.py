from __future__ import annotations

import re
import zoneinfo
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

TIME_RE = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


def _valid_timezone(value: str) -> str:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError("unknown time zone") from exc
    return value


TimeZoneName = Annotated[str, AfterValidator(_valid_timezone)]
Name = Annotated[str, Field(min_length=1, max_length=100)]
# Usernames and e-mails are stored lower-case so sign-in compares them on their unique index.
Username = Annotated[
    str, Field(min_length=2, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$"), AfterValidator(str.lower)
]
Mobile = Annotated[str, Field(min_length=5, max_length=32, pattern=r"^\+?[0-9\- ]+$")]
Email = Annotated[
    str, Field(min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$"), AfterValidator(str.lower)
]


class WorkingHours(BaseModel):
    start: str = "09:00"
    end: str = "18:00"
    days: list[Annotated[int, Field(ge=1, le=7)]] = Field(default_factory=lambda: [1, 2, 3, 4, 5])

    @field_validator("start", "end")
    @classmethod
    def _hhmm(cls, value: str) -> str:
        if not TIME_RE.match(value):
            raise ValueError("HH:MM")
        return value


class DepartmentRef(BaseModel):
    id: int
    name: str
    is_primary: bool


class DepartmentPathRef(DepartmentRef):
    path: list[str]


class PersonRef(BaseModel):
    id: int
    name: str


class PersonSummary(BaseModel):
    id: int
    name: str
    title: str
    avatar_file_id: str | None
    active: bool
    departments: list[DepartmentRef]


class PersonRead(BaseModel):
    id: int
    name: str
    username: str
    employee_no: str | None
    title: str
    mobile: str | None
    email: str | None
    avatar_file_id: str | None
    timezone: str
    working_hours: WorkingHours
    active: bool
    manager: PersonRef | None
    departments: list[DepartmentPathRef]
    presence: Literal["online", "away", "offline"]
    roles: list[str]


class PersonCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    username: Username
    mobile: Mobile | None = None
    email: Email | None = None
    title: str = Field(default="", max_length=100)
    employee_no: str | None = Field(default=None, max_length=64)
    department_ids: list[int] = Field(min_length=1)
    primary_department_id: int | None = None
    manager_id: int | None = None
    timezone: TimeZoneName = "Asia/Shanghai"
    working_hours: WorkingHours | None = None
    password: str | None = Field(default=None, min_length=8, max_length=200)


class PersonUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    mobile: Mobile | None = None
    email: Email | None = None
    title: str | None = Field(default=None, max_length=100)
    employee_no: str | None = Field(default=None, max_length=64)
    department_ids: list[int] | None = Field(default=None, min_length=1)
    primary_department_id: int | None = None
    manager_id: int | None = None
    timezone: TimeZoneName | None = None
    working_hours: WorkingHours | None = None
    avatar_file_id: str | None = None


class DepartmentRead(BaseModel):
    id: int
    name: str
    parent_id: int | None
    sort_order: int
    member_count: int
    head_id: int | None


class DepartmentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    parent_id: int | None = None
    sort_order: int = 0
    head_id: int | None = None


class DepartmentUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    parent_id: int | None = None
    sort_order: int | None = None
    head_id: int | None = None


class ImportRowError(BaseModel):
    row: int
    column: str
    message: str


class ImportReport(BaseModel):
    ok: bool
    dry_run: bool
    total_rows: int
    created: int
    updated: int
    departments_created: int
    errors: list[ImportRowError]


class OrgChanged(BaseModel):
    """Event: the directory changed; clients refetch what they show of it."""

    type: Literal["org.changed"] = "org.changed"
    person_ids: list[int] = Field(default_factory=list)
    department_ids: list[int] = Field(default_factory=list)
