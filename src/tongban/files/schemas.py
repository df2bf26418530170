from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict


class FileRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    name: str
    size: int
    content_type: str
    sha256: str
    has_thumbnail: bool
    created_at: dt.datetime
