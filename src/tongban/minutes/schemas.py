"""Minutes API shapes. Names carry the Minutes prefix (Pydantic names are unique app-wide)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

MinutesLanguage = Literal["zh", "en", "auto"]
MinutesStatus = Literal["queued", "running", "done", "failed", "cancelled"]


class MinutesCreate(BaseModel):
    file_id: str = Field(max_length=36)
    title: str = Field(default="", max_length=200)
    language: MinutesLanguage = "zh"


class MinutesKeyword(BaseModel):
    word: str
    weight: float
    # Start times (seconds) of the segments the keyword occurs in.
    times: list[float]


class MinutesKeyPoint(BaseModel):
    text: str
    start: float
    segment: int


class MinutesRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    title: str
    owner_id: int
    owner_name: str = ""
    file_id: str
    content_type: str = ""
    language: MinutesLanguage
    status: MinutesStatus
    progress: float
    error: str = ""
    error_code: str = ""
    duration: float | None
    detected_language: str
    engine: str
    keywords: list[MinutesKeyword] = []
    key_points: list[MinutesKeyPoint] = []
    speaker_names: dict[str, str] = {}
    can_edit: bool = False
    created_at: dt.datetime
    finished_at: dt.datetime | None


class MinutesWord(BaseModel):
    start: float
    end: float
    text: str


class MinutesSegmentRead(BaseModel):
    id: int
    position: int
    start: float
    end: float
    text: str
    original_text: str
    edited: bool
    speaker: str | None
    words: list[MinutesWord]


class MinutesTranscriptOut(BaseModel):
    minutes_id: int
    status: MinutesStatus
    segments: list[MinutesSegmentRead]


class MinutesSegmentUpdate(BaseModel):
    text: str = Field(min_length=1, max_length=5000)


class MinutesSpeakerRename(BaseModel):
    label: str = Field(min_length=1, max_length=40)
    name: str = Field(min_length=1, max_length=40)


class MinutesHit(BaseModel):
    segment_id: int
    position: int
    start: float
    end: float
    text: str
    # The hit's own time: the recognised word's start when the match is inside one, else the segment's.
    time: float


class MinutesSearchOut(BaseModel):
    query: str
    hits: list[MinutesHit]


class MinutesShareIn(BaseModel):
    person_ids: list[int] = Field(default_factory=list, max_length=500)
    department_ids: list[int] = Field(default_factory=list, max_length=200)


class MinutesEngineStatus(BaseModel):
    engine: str
    model_dir: str
    problem: str


class MinutesProgressEvent(BaseModel):
    """Streamed to the owner while a transcription runs: progress, and each new segment."""

    type: Literal["minutes.progress"] = "minutes.progress"
    minutes_id: int
    status: MinutesStatus
    progress: float
    error: str = ""
    error_code: str = ""
    segment: MinutesSegmentRead | None = None


class MinutesUploadBegin(BaseModel):
    name: str = Field(min_length=1, max_length=255)
    size: int = Field(gt=0)


class MinutesUploadState(BaseModel):
    upload_id: str
    chunk_bytes: int
    chunks: int
    received: list[int]


class MinutesUploadComplete(BaseModel):
    title: str = Field(default="", max_length=200)
    language: MinutesLanguage = "zh"
