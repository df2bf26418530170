from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status

from tongban.auth.deps import CurrentActor
from tongban.core.deps import AppSettings, DbSession
from tongban.im import conversations, groups, messages, reading
from tongban.im.models import Message
from tongban.im.render import read_cursors, render
from tongban.im.schemas import (
    ConversationCreate,
    ConversationDetail,
    ConversationRead,
    ConversationUpdate,
    DepartmentGroupCreate,
    Forward,
    JoinPreview,
    MemberRead,
    MemberRoleUpdate,
    MembersAdd,
    MessageCreate,
    MessageEdit,
    MessagePage,
    MessageRead,
    MySettings,
    OwnerTransfer,
    ReactionToggle,
    ReadMarker,
    ReadState,
    Receipts,
    Thread,
)

router = APIRouter(prefix="/api/im", tags=["im"])


async def _one(session: DbSession, actor: CurrentActor, message: Message) -> MessageRead:
    rendered: MessageRead | None = session.info.get("im_rendered", {}).get(message.id)
    if rendered is not None and message.sender_id == actor.person_id:
        return rendered
    cursors = await read_cursors(session, message.conversation_id)
    (read,) = await render(session, actor.person_id, [message], cursors)
    return read


@router.get("/conversations", response_model=list[ConversationRead])
async def list_conversations(session: DbSession, actor: CurrentActor) -> list[ConversationRead]:
    """My conversations: pinned first, then by last activity, with unread and @ counts."""
    return await conversations.list_conversations(session, actor)


@router.post("/conversations", response_model=ConversationDetail)
async def create_conversation(
    body: ConversationCreate, session: DbSession, actor: CurrentActor
) -> ConversationDetail:
    """A 1:1 chat (returned if it already exists) or a group."""
    conversation = await conversations.do_create(session, actor, body)
    return await conversations.get_detail(session, actor, conversation.id)


@router.post("/conversations/department", response_model=ConversationDetail)
async def create_department_group(
    body: DepartmentGroupCreate, session: DbSession, actor: CurrentActor
) -> ConversationDetail:
    """A department group (department admins): its members follow the org chart from now on."""
    conversation = await conversations.do_create_department_group(session, actor, body.department_id)
    return await conversations.get_detail(session, actor, conversation.id)


@router.get("/conversations/{conversation_id}", response_model=ConversationDetail)
async def get_conversation(
    conversation_id: int, session: DbSession, actor: CurrentActor
) -> ConversationDetail:
    return await conversations.get_detail(session, actor, conversation_id)


@router.patch("/conversations/{conversation_id}", response_model=ConversationDetail)
async def update_conversation(
    conversation_id: int, body: ConversationUpdate, session: DbSession, actor: CurrentActor
) -> ConversationDetail:
    await conversations.do_update(session, actor, conversation_id, body)
    return await conversations.get_detail(session, actor, conversation_id)


@router.patch("/conversations/{conversation_id}/me", response_model=ConversationDetail)
async def update_my_settings(
    conversation_id: int, body: MySettings, session: DbSession, actor: CurrentActor
) -> ConversationDetail:
    """Mute, pin or archive the conversation for myself."""
    await conversations.do_update_mine(session, actor, conversation_id, body)
    return await conversations.get_detail(session, actor, conversation_id)


@router.get("/join/{token}", response_model=JoinPreview)
async def preview_join_link(token: str, session: DbSession, actor: CurrentActor) -> JoinPreview:
    """What a join link leads to (name, size), for whoever holds the link while it is on."""
    return await groups.join_preview(session, actor, token)


@router.post("/conversations/{conversation_id}/link", response_model=ConversationDetail)
async def reset_join_link(
    conversation_id: int, session: DbSession, actor: CurrentActor
) -> ConversationDetail:
    """A fresh join link valid for 7 days; the previous one stops working."""
    await groups.do_reset_link(session, actor, conversation_id)
    return await conversations.get_detail(session, actor, conversation_id)


@router.post("/conversations/{conversation_id}/owner", response_model=ConversationDetail)
async def transfer_owner(
    conversation_id: int, body: OwnerTransfer, session: DbSession, actor: CurrentActor
) -> ConversationDetail:
    """The owner hands the group to another member and stays on as an admin."""
    await groups.do_transfer_owner(session, actor, conversation_id, body.person_id)
    return await conversations.get_detail(session, actor, conversation_id)


@router.post("/join/{token}", response_model=ConversationDetail)
async def join_by_link(token: str, session: DbSession, actor: CurrentActor) -> ConversationDetail:
    conversation = await conversations.do_join_by_link(session, actor, token)
    return await conversations.get_detail(session, actor, conversation.id)


@router.get("/conversations/{conversation_id}/members", response_model=list[MemberRead])
async def list_members(conversation_id: int, session: DbSession, actor: CurrentActor) -> list[MemberRead]:
    return await conversations.list_members(session, actor, conversation_id)


@router.post("/conversations/{conversation_id}/members", status_code=status.HTTP_204_NO_CONTENT)
async def add_members(
    conversation_id: int, body: MembersAdd, session: DbSession, actor: CurrentActor
) -> None:
    await conversations.do_add_members(session, actor, conversation_id, body.person_ids)


@router.delete("/conversations/{conversation_id}/members/{person_id}", status_code=status.HTTP_204_NO_CONTENT)
async def remove_member(
    conversation_id: int, person_id: int, session: DbSession, actor: CurrentActor
) -> None:
    await conversations.do_remove_member(session, actor, conversation_id, person_id)


@router.patch("/conversations/{conversation_id}/members/{person_id}", status_code=status.HTTP_204_NO_CONTENT)
async def set_member_role(
    conversation_id: int, person_id: int, body: MemberRoleUpdate, session: DbSession, actor: CurrentActor
) -> None:
    await conversations.do_set_role(session, actor, conversation_id, person_id, body.role)


@router.get("/conversations/{conversation_id}/messages", response_model=MessagePage)
async def history(
    conversation_id: int,
    session: DbSession,
    actor: CurrentActor,
    before_seq: int | None = None,
    after_seq: int | None = None,
    around_seq: int | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> MessagePage:
    """History of the main timeline, oldest first; page back with `before_seq`."""
    return await reading.history(
        session,
        actor,
        conversation_id,
        before_seq=before_seq,
        after_seq=after_seq,
        around_seq=around_seq,
        limit=limit,
    )


@router.post("/conversations/{conversation_id}/messages", response_model=MessageRead)
async def send_message(
    conversation_id: int, body: MessageCreate, response: Response, session: DbSession, actor: CurrentActor
) -> MessageRead:
    """Send. The same `client_msg_id` sent twice gives the same message (200 instead of 201)."""
    message, created = await messages.do_send(session, actor, conversation_id, body)
    response.status_code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    return await _one(session, actor, message)


@router.get("/conversations/{conversation_id}/pins", response_model=list[MessageRead])
async def pins(conversation_id: int, session: DbSession, actor: CurrentActor) -> list[MessageRead]:
    return await reading.pinned(session, actor, conversation_id)


@router.post("/conversations/{conversation_id}/read", response_model=ReadState)
async def mark_read(
    conversation_id: int, body: ReadMarker, session: DbSession, actor: CurrentActor
) -> ReadState:
    """Everything up to `seq` has been shown on my screen (send the highest, batched)."""
    return await reading.do_mark_read(session, actor, conversation_id, body.seq)


@router.post("/conversations/{conversation_id}/typing", status_code=status.HTTP_204_NO_CONTENT)
async def typing(conversation_id: int, request: Request, session: DbSession, actor: CurrentActor) -> None:
    await reading.do_typing(session, request.app.state.broker, actor, conversation_id)


@router.patch("/messages/{message_id}", response_model=MessageRead)
async def edit_message(
    message_id: int, body: MessageEdit, session: DbSession, actor: CurrentActor
) -> MessageRead:
    return await _one(session, actor, await messages.do_edit(session, actor, message_id, body.body))


@router.post("/messages/{message_id}/recall", response_model=MessageRead)
async def recall_message(
    message_id: int, session: DbSession, actor: CurrentActor, settings: AppSettings
) -> MessageRead:
    """Recall for everyone: your own within the organisation's window, or any as a group admin."""
    return await _one(session, actor, await messages.do_recall(session, settings, actor, message_id))


@router.post("/messages/{message_id}/reactions", response_model=MessageRead)
async def toggle_reaction(
    message_id: int, body: ReactionToggle, session: DbSession, actor: CurrentActor
) -> MessageRead:
    return await _one(
        session, actor, await messages.do_toggle_reaction(session, actor, message_id, body.emoji)
    )


@router.post("/messages/{message_id}/pin", response_model=MessageRead)
async def pin_message(message_id: int, session: DbSession, actor: CurrentActor) -> MessageRead:
    return await _one(session, actor, await messages.do_pin(session, actor, message_id, True))


@router.delete("/messages/{message_id}/pin", response_model=MessageRead)
async def unpin_message(message_id: int, session: DbSession, actor: CurrentActor) -> MessageRead:
    return await _one(session, actor, await messages.do_pin(session, actor, message_id, False))


@router.post("/messages/{message_id}/forward", response_model=list[MessageRead])
async def forward_message(
    message_id: int, body: Forward, session: DbSession, actor: CurrentActor
) -> list[MessageRead]:
    sent = await messages.do_forward(session, actor, message_id, body.conversation_ids)
    return [await _one(session, actor, m) for m in sent]


@router.get("/messages/{message_id}/thread", response_model=Thread)
async def get_thread(message_id: int, session: DbSession, actor: CurrentActor) -> Thread:
    return await reading.thread(session, actor, message_id)


@router.post("/messages/{message_id}/thread/read", status_code=status.HTTP_204_NO_CONTENT)
async def mark_thread_read(
    message_id: int, body: ReadMarker, session: DbSession, actor: CurrentActor
) -> None:
    await reading.do_mark_thread_read(session, actor, message_id, body.seq)


@router.get("/messages/{message_id}/receipts", response_model=Receipts)
async def message_receipts(message_id: int, session: DbSession, actor: CurrentActor) -> Receipts:
    """Who has read the message and who has not."""
    return await reading.receipts(session, actor, message_id)
