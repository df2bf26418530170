from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

MAX_BODY = 10_000


class PersonRef(BaseModel):
    id: int
    name: str


class FileRef(BaseModel):
    id: str
    name: str
    size: int
    content_type: str
    has_thumbnail: bool


class CardRef(BaseModel):
    """Names an object of another capability to show as a card; its owner describes it (im/cards.py)."""

    model_config = ConfigDict(extra="forbid")

    type: str = Field(min_length=1, max_length=32, pattern=r"^[a-z_]+$")
    ref: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")


class CardField(BaseModel):
    label: str
    value: str


class Card(BaseModel):
    """An internal object shown in a chat, as its owning capability described it to the sender."""

    type: str
    ref: str
    title: str
    summary: str = ""
    link: str = Field(pattern=r"^/([^/\s][^\s]*)?$")  # in-app paths only, never //host
    fields: list[CardField] = Field(default_factory=list)
    status: str = ""


class ReplyRef(BaseModel):
    id: int
    seq: int
    sender_name: str
    excerpt: str


class ReactionCount(BaseModel):
    emoji: str
    count: int
    mine: bool  # for the reader of a REST answer; events carry person_ids instead
    person_ids: list[int]  # the first 50 who reacted


class MessageRead(BaseModel):
    id: int
    conversation_id: int
    seq: int
    sender: PersonRef | None
    bot_name: str | None
    kind: Literal["text", "image", "file", "card", "system"]
    body: str
    files: list[FileRef]
    card: Card | None
    reply_to: ReplyRef | None
    thread_root_id: int | None
    thread_reply_count: int
    mentions: list[int]
    mentions_all: bool
    reactions: list[ReactionCount]
    edited_at: dt.datetime | None
    recalled: bool
    recalled_by_name: str | None
    pinned: bool
    client_msg_id: str | None
    created_at: dt.datetime
    # Only on the caller's own messages: members who have not read it yet.
    unread_count: int | None = None
    # Only in answers to one reader, on a thread's first message: replies by others that reader
    # has not had open yet (threads keep their own unread state). Events leave it out.
    thread_unread: int | None = None


class MessagePage(BaseModel):
    items: list[MessageRead]
    has_more_before: bool
    has_more_after: bool


class MessageCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    client_msg_id: str | None = Field(default=None, min_length=8, max_length=64)
    body: str = Field(default="", max_length=MAX_BODY)
    file_ids: list[str] = Field(default_factory=list, max_length=20)
    reply_to_id: int | None = None
    thread_root_id: int | None = None
    # A card the sender shares: 422 when its owner does not know it or the sender may not read it.
    card: CardRef | None = None
    # A link to an in-app page found in the body: unfurled into a card when it can be, else ignored.
    link_card: CardRef | None = None

    @field_validator("body")
    @classmethod
    def _strip(cls, value: str) -> str:
        return value.strip()


class MessageEdit(BaseModel):
    model_config = ConfigDict(extra="forbid")

    body: str = Field(min_length=1, max_length=MAX_BODY)


class ConversationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["direct", "group"]
    person_id: int | None = None
    name: str = Field(default="", max_length=100)
    member_ids: list[int] = Field(default_factory=list, max_length=1000)


class DepartmentGroupCreate(BaseModel):
    department_id: int


class ConversationUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=100)
    announcement: str | None = Field(default=None, max_length=5000)
    join_by_link: bool | None = None
    # An image of one's own upload; an explicit null takes the picture away.
    avatar_file_id: str | None = Field(default=None, max_length=36)


class MySettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    muted: bool | None = None
    pinned: bool | None = None
    archived: bool | None = None


class ConversationRead(BaseModel):
    id: int
    kind: Literal["direct", "group", "department"]
    name: str
    avatar_file_id: str | None
    peer: PersonRef | None
    last_message: MessageRead | None
    last_seq: int
    read_seq: int
    unread_count: int
    mention_count: int
    muted: bool
    pinned: bool
    archived: bool
    member_count: int
    my_role: Literal["owner", "admin", "member"]
    updated_at: dt.datetime


class ConversationDetail(ConversationRead):
    announcement: str
    join_by_link: bool
    link_token: str | None
    link_expires_at: dt.datetime | None


class JoinPreview(BaseModel):
    """What a join link shows before one joins: enough to decide, nothing of the conversation."""

    conversation_id: int
    name: str
    avatar_file_id: str | None
    member_count: int
    already_member: bool


class OwnerTransfer(BaseModel):
    model_config = ConfigDict(extra="forbid")

    person_id: int


class MemberRead(BaseModel):
    person_id: int
    name: str
    role: Literal["owner", "admin", "member"]
    read_seq: int


class MembersAdd(BaseModel):
    person_ids: list[int] = Field(min_length=1, max_length=1000)


class MemberRoleUpdate(BaseModel):
    role: Literal["admin", "member"]


class ReadMarker(BaseModel):
    seq: int = Field(ge=0)


class ReadState(BaseModel):
    read_seq: int
    unread_count: int


class Receipts(BaseModel):
    read: list[PersonRef]
    unread: list[PersonRef]


class ReactionToggle(BaseModel):
    emoji: str = Field(min_length=1, max_length=32)


class Forward(BaseModel):
    conversation_ids: list[int] = Field(min_length=1, max_length=20)


class Thread(BaseModel):
    root: MessageRead
    items: list[MessageRead]


# ---- events ------------------------------------------------------------------------------


class MessageEvent(BaseModel):
    type: Literal["im.message"] = "im.message"
    message: MessageRead


class MessageUpdatedEvent(BaseModel):
    type: Literal["im.message_updated"] = "im.message_updated"
    message: MessageRead


class ReadEvent(BaseModel):
    type: Literal["im.read"] = "im.read"
    conversation_id: int
    person_id: int
    read_seq: int


class ConversationEvent(BaseModel):
    type: Literal["im.conversation"] = "im.conversation"
    conversation_id: int


class TypingEvent(BaseModel):
    type: Literal["im.typing"] = "im.typing"
    conversation_id: int
    person_id: int
    name: str
