from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from tongban.org.schemas import DepartmentRef, TimeZoneName


class LoginRequest(BaseModel):
    login: str = Field(min_length=1, max_length=254)
    password: str = Field(min_length=1, max_length=200)


class PasswordChange(BaseModel):
    current_password: str = Field(min_length=1, max_length=200)
    new_password: str = Field(min_length=1, max_length=200)


class Me(BaseModel):
    id: int
    name: str
    username: str
    title: str
    avatar_file_id: str | None
    locale: Literal["zh-CN", "en-US"]
    timezone: str
    roles: list[str]
    admin_department_ids: list[int]
    departments: list[DepartmentRef]
    csrf_token: str | None


class MeUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    locale: Literal["zh-CN", "en-US"] | None = None
    timezone: TimeZoneName | None = None


class TokenCreate(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    expires_days: int | None = Field(default=None, ge=1, le=3650)


class TokenRead(BaseModel):
    id: int
    name: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    expires_at: dt.datetime | None


class TokenCreated(TokenRead):
    token: str
