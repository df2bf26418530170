from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Role = Literal["owner", "editor", "commenter", "viewer"]
GrantRole = Literal["editor", "commenter", "viewer"]
Scope = Literal["mine", "shared", "recent", "starred"]


class PersonRef(BaseModel):
    id: int
    name: str


class DocumentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(default="", max_length=200)
    parent_id: int | None = None


class DocumentUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str | None = Field(default=None, max_length=200)
    parent_id: int | None = None
    # Explicit "none" turns link sharing off (null means "leave it as it is").
    link_role: GrantRole | Literal["none"] | None = None
    move: bool = False  # parent_id given (even null) moves the page when true


class DocumentRead(BaseModel):
    id: int
    title: str
    owner: PersonRef
    parent_id: int | None
    link_role: GrantRole | None
    my_role: Role
    starred: bool
    excerpt: str
    created_at: dt.datetime
    updated_at: dt.datetime


class DocSearchHit(BaseModel):
    document: DocumentRead
    snippet: str  # around the first match; matches wrapped in \u0002…\u0003 (as message search)


class GrantCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    person_id: int | None = None
    department_id: int | None = None
    role: GrantRole

    @model_validator(mode="after")
    def _one_target(self) -> GrantCreate:
        if (self.person_id is None) == (self.department_id is None):
            raise ValueError("exactly one of person_id and department_id")
        return self


class DocGrantRead(BaseModel):
    id: int
    person: PersonRef | None
    department: PersonRef | None
    role: GrantRole


class VersionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100)


class VersionRead(BaseModel):
    id: int
    name: str
    created_by: PersonRef | None
    created_at: dt.datetime
    excerpt: str


class CommentAnchor(BaseModel):
    """Yjs relative positions (base64 of Y.encodeRelativePosition) of the range's two ends."""

    model_config = ConfigDict(extra="forbid")

    start: str = Field(min_length=1, max_length=2000)
    end: str = Field(min_length=1, max_length=2000)


class CommentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    body: str = Field(min_length=1, max_length=5000)
    parent_id: int | None = None
    anchor: CommentAnchor | None = None
    quote: str = Field(default="", max_length=500)
    mention_ids: list[int] = Field(default_factory=list, max_length=50)


class CommentUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    resolved: bool


class CommentRead(BaseModel):
    id: int
    parent_id: int | None
    author: PersonRef | None
    body: str
    anchor: CommentAnchor | None
    quote: str
    mention_ids: list[int]
    resolved: bool
    resolved_by: PersonRef | None
    created_at: dt.datetime


class ExportFormat(BaseModel):
    format: Literal["markdown", "html", "text"]


class DiffLine(BaseModel):
    op: Literal["same", "added", "removed"]
    text: str
