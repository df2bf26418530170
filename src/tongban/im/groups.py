"""Running a group: its join link, picture and owner. Members and their roles are in conversations."""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tongban.core import i18n
from tongban.core.db import utcnow
from tongban.core.errors import AppError, Conflict, Forbidden, Invalid, NotFound
from tongban.core.events import publish
from tongban.core.permissions import Actor
from tongban.files import service as files
from tongban.im.access import access_conversation, member_ids, require_admin
from tongban.im.models import Conversation, Member
from tongban.im.schemas import ConversationEvent, JoinPreview

i18n.register(
    {
        "im_link_invalid": (
            "群链接已关闭或无效，请向群管理员索取新的链接",
            "This group link has been turned off or is not valid; ask a group admin for a new one",
        ),
        "im_link_expired": (
            "群链接已过期，请向群管理员索取新的链接",
            "This group link has expired; ask a group admin for a new one",
        ),
        "im_not_owner": ("只有群主可以这样做", "Only the group owner can do this"),
        "im_owner_must_transfer": (
            "群主需要先把群主转让给其他成员，才能退出群聊",
            "As the owner, hand the group over to another member before leaving it",
        ),
        "field.im_is_owner": ("是群主", "is the group owner"),
        "field.im_not_image": ("必须是自己上传的图片", "must be a picture you uploaded"),
    }
)

LINK_LIFETIME = dt.timedelta(days=7)


def _group(conversation: Conversation) -> None:
    if conversation.kind == "direct":
        raise Conflict("im_direct_fixed")


def new_link(conversation: Conversation) -> None:
    """A fresh token valid for a week; the previous link, if any, stops working."""
    conversation.link_token = secrets.token_urlsafe(16)
    conversation.link_expires_at = utcnow() + LINK_LIFETIME


def set_join_by_link(conversation: Conversation, on: bool) -> None:
    if on and not conversation.join_by_link:
        new_link(conversation)
    if not on:
        conversation.link_token = None  # turning it off invalidates the old link for good
        conversation.link_expires_at = None
    conversation.join_by_link = on


async def do_reset_link(session: AsyncSession, actor: Actor, conversation_id: int) -> Conversation:
    conversation, member = await access_conversation(session, actor, conversation_id)
    _group(conversation)
    require_admin(member)
    if not conversation.join_by_link:
        raise NotFound("im_link_invalid")
    new_link(conversation)
    await _announce(session, conversation)
    return conversation


async def _announce(session: AsyncSession, conversation: Conversation) -> None:
    await publish(
        session,
        await member_ids(session, conversation.id),
        ConversationEvent(conversation_id=conversation.id),
    )


async def set_avatar(
    session: AsyncSession, actor: Actor, conversation: Conversation, file_id: str | None
) -> None:
    if file_id is not None:
        f = (await files.files_by_id(session, [file_id])).get(file_id)
        if f is None or f.owner_id != actor.person_id or not f.content_type.startswith("image/"):
            raise Invalid("body.avatar_file_id", "field.im_not_image")
        # Every member reads the picture; later members are granted it when they join.
        await files.grant_read(session, f.id, await member_ids(session, conversation.id))
    conversation.avatar_file_id = file_id


async def grant_avatar(session: AsyncSession, conversation: Conversation, person_ids: list[int]) -> None:
    if conversation.avatar_file_id and person_ids:
        await files.grant_read(session, conversation.avatar_file_id, person_ids)


async def linked_conversation(session: AsyncSession, token: str) -> Conversation:
    conversation = (
        await session.execute(
            select(Conversation).where(Conversation.link_token == token, Conversation.join_by_link.is_(True))
        )
    ).scalar()
    if conversation is None:
        raise NotFound("im_link_invalid")
    if conversation.link_expires_at is not None and conversation.link_expires_at <= utcnow():
        raise AppError("im_link_expired", status_code=410)
    return conversation


async def join_preview(session: AsyncSession, actor: Actor, token: str) -> JoinPreview:
    conversation = await linked_conversation(session, token)
    count = (
        await session.execute(
            select(func.count()).select_from(Member).where(Member.conversation_id == conversation.id)
        )
    ).scalar_one()
    mine = (
        await session.execute(
            select(Member.id).where(
                Member.conversation_id == conversation.id, Member.person_id == actor.person_id
            )
        )
    ).scalar()
    return JoinPreview(
        conversation_id=conversation.id,
        name=conversation.name,
        avatar_file_id=conversation.avatar_file_id,
        member_count=int(count),
        already_member=mine is not None,
    )


async def do_transfer_owner(
    session: AsyncSession, actor: Actor, conversation_id: int, person_id: int
) -> None:
    """The owner hands the group over; they stay on as an admin."""
    conversation, member = await access_conversation(session, actor, conversation_id)
    _group(conversation)
    if member.role != "owner":
        raise Forbidden("im_not_owner")
    if person_id == actor.person_id:
        raise Invalid("body.person_id", "field.im_is_owner")
    heir = (
        await session.execute(
            select(Member).where(Member.conversation_id == conversation.id, Member.person_id == person_id)
        )
    ).scalar()
    if heir is None:
        raise Invalid("body.person_id", "field.im_not_member")
    heir.role = "owner"
    member.role = "admin"
    conversation.owner_id = person_id
    await _announce(session, conversation)
