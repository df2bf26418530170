"""Typed stream events meetings sends: organisers and hosts watch check-ins arrive live."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel


class MeetingCheckedIn(BaseModel):
    """Someone checked in (by scanning or by hand); `checked_in` is the new total."""

    type: Literal["meetings.checked_in"] = "meetings.checked_in"
    meeting_id: int
    person_id: int
    name: str
    checked_in_at: dt.datetime
    walk_in: bool
    flagged: bool
    method: str
    checked_in: int


class MeetingChanged(BaseModel):
    """The meeting's details, rules or invitees changed: refetch it."""

    type: Literal["meetings.changed"] = "meetings.changed"
    meeting_id: int
