"""Who may see and do what in a conversation. Every im read goes through `readable_conversations`.

A non-member asking about a conversation gets the same 403 whether it exists or not, so ids
leak nothing.
"""

from __future__ import annotations

from sqlalchemy import Select, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from tongban.core import i18n
from tongban.core.errors import Forbidden
from tongban.core.permissions import Actor
from tongban.im.models import Conversation, Member

i18n.register(
    {
        "im_not_member": ("你不在这个会话中", "You are not a member of this conversation"),
        "im_not_admin": ("只有群主或群管理员可以这样做", "Only the group owner or admins can do this"),
        "im_message_not_found": ("消息不存在或已不可见", "The message does not exist or is not visible"),
        "im_recall_window_passed": (
            "超过 {minutes} 分钟的消息不能撤回",
            "Messages older than {minutes} minutes cannot be recalled",
        ),
        "im_not_yours": ("只能修改自己发送的消息", "You can only change your own messages"),
        "im_recalled": ("消息已撤回", "The message was recalled"),
        "im_direct_fixed": ("单聊的成员不能更改", "A one-to-one chat's members cannot change"),
        "im_group_full": ("群成员不能超过 {limit} 人", "A group cannot have more than {limit} members"),
        "field.im_empty_message": ("消息不能为空", "must not be empty"),
        "field.im_not_member": ("不在会话中", "is not a member of the conversation"),
        "field.im_bad_reply": ("引用的消息不在本会话中", "is not a message of this conversation"),
        "field.im_bad_file": ("文件不存在或无权访问", "no such file, or not yours to share"),
        "field.im_bad_card": (
            "卡片对象不存在或无权分享",
            "no such object to show as a card, or not yours to share",
        ),
        "field.im_mention_all": ("大群中只有管理员可以 @所有人", "only admins may @all in a large group"),
        "field.im_self_chat": ("不能和自己单聊", "cannot start a chat with yourself"),
        "field.im_unknown_person": ("成员不存在", "no such person"),
    }
)

MAX_MEMBERS = 1000
BIG_GROUP = 50  # @all is for admins only above this size


def readable_conversations(actor: Actor) -> Select[Conversation, Member]:
    """The conversations `actor` is in, with their own membership row."""
    return (
        select(Conversation, Member)
        .join(Member, Member.conversation_id == Conversation.id)
        .where(Member.person_id == actor.person_id)
    )


# Built once, for every message sent and read: readable_conversations with both ids bound.
_ONE_READABLE = (
    select(Conversation, Member)
    .join(Member, Member.conversation_id == Conversation.id)
    .where(Member.person_id == bindparam("person_id"), Conversation.id == bindparam("conversation_id"))
)
_MEMBER_IDS = select(Member.person_id).where(Member.conversation_id == bindparam("conversation_id"))


async def access_conversation(
    session: AsyncSession, actor: Actor, conversation_id: int
) -> tuple[Conversation, Member]:
    row = (
        await session.execute(
            _ONE_READABLE, {"person_id": actor.person_id, "conversation_id": conversation_id}
        )
    ).first()
    if row is None:
        raise Forbidden("im_not_member")
    conversation, member = row
    return conversation, member


def require_admin(member: Member) -> None:
    if member.role not in ("owner", "admin"):
        raise Forbidden("im_not_admin")


async def member_ids(session: AsyncSession, conversation_id: int) -> list[int]:
    rows = await session.execute(_MEMBER_IDS, {"conversation_id": conversation_id})
    return list(rows.scalars())
