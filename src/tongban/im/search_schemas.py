"""Responses of message search (the request is query parameters, see `search_api`)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from tongban.im.schemas import MessageRead


class ConversationRef(BaseModel):
    id: int
    name: str  # a 1:1 chat is named after the other person


class SearchHit(BaseModel):
    message: MessageRead
    conversation: ConversationRef
    snippet: str = Field(
        description="At most 160 characters of the body around the first match; each match is "
        "wrapped in U+0002 … U+0003."
    )
