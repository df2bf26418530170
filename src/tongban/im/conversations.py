"""Conversations and their members: 1:1 chats, groups, department groups that follow the org chart."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import and_, case, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tongban.core import i18n
from tongban.core.errors import Conflict, Forbidden, Invalid
from tongban.core.events import domain, publish
from tongban.core.permissions import Actor
from tongban.im import groups
from tongban.im.access import (
    MAX_MEMBERS,
    access_conversation,
    member_ids,
    readable_conversations,
    require_admin,
)
from tongban.im.models import Conversation, Member, Mention, Message
from tongban.im.render import render
from tongban.im.schemas import (
    ConversationCreate,
    ConversationDetail,
    ConversationEvent,
    ConversationRead,
    ConversationUpdate,
    MemberRead,
    MySettings,
    PersonRef,
)
from tongban.org import service as org
from tongban.org.schemas import OrgChanged

i18n.register(
    {
        "im_department_members_fixed": (
            "部门群的成员随组织架构变化，不能手动增减",
            "A department group's members follow the org chart and cannot be changed by hand",
        ),
        "im_department_group_exists": (
            "该部门已有部门群，请让群主把你加入",
            "This department already has a group; ask its owner to add you",
        ),
    }
)


async def _check_people(session: AsyncSession, person_ids: Iterable[int], field: str) -> set[int]:
    wanted = set(person_ids)
    active = await org.active_ids(session, wanted)
    if active != wanted:
        raise Invalid(field, "field.im_unknown_person")
    return active


async def _add_members(
    session: AsyncSession, conversation: Conversation, person_ids: Iterable[int], role: str = "member"
) -> list[int]:
    """Add people who are not members yet; they see messages from now on."""
    have = set(await member_ids(session, conversation.id))
    new = sorted(set(person_ids) - have)
    if len(have) + len(new) > MAX_MEMBERS:
        raise Conflict("im_group_full", limit=MAX_MEMBERS)
    for pid in new:
        session.add(
            Member(
                conversation_id=conversation.id,
                person_id=pid,
                role=role,
                read_seq=conversation.last_seq,
                joined_seq=conversation.last_seq,
            )
        )
    await session.flush()
    await groups.grant_avatar(session, conversation, new)
    return new


async def _announce(session: AsyncSession, conversation_id: int, extra: Iterable[int] = ()) -> None:
    recipients = set(await member_ids(session, conversation_id)) | set(extra)
    await publish(session, recipients, ConversationEvent(conversation_id=conversation_id))


async def do_create(session: AsyncSession, actor: Actor, data: ConversationCreate) -> Conversation:
    if data.kind == "direct":
        if data.person_id is None:
            raise Invalid("body.person_id", "field.missing")
        if data.person_id == actor.person_id:
            raise Invalid("body.person_id", "field.im_self_chat")
        await _check_people(session, [data.person_id], "body.person_id")
        low, high = sorted((actor.person_id, data.person_id))
        key = f"{low}:{high}"
        existing = (
            await session.execute(select(Conversation).where(Conversation.direct_key == key))
        ).scalar()
        if existing is not None:
            return existing
        conversation = Conversation(kind="direct", direct_key=key)
        session.add(conversation)
        await session.flush()
        await _add_members(session, conversation, [low, high])
    else:
        if not data.name.strip():
            raise Invalid("body.name", "field.missing")
        others = await _check_people(session, data.member_ids, "body.member_ids")
        conversation = Conversation(kind="group", name=data.name.strip(), owner_id=actor.person_id)
        session.add(conversation)
        await session.flush()
        await _add_members(session, conversation, [actor.person_id], role="owner")
        await _add_members(session, conversation, others - {actor.person_id})
    await _announce(session, conversation.id)
    return conversation


async def do_create_department_group(session: AsyncSession, actor: Actor, department_id: int) -> Conversation:
    """A group whose members follow the department (and its sub-departments) from now on."""
    actor.require_department_admin(department_id)
    existing = (
        await session.execute(select(Conversation).where(Conversation.department_id == department_id))
    ).scalar()
    if existing is not None:
        if actor.person_id not in await member_ids(session, existing.id):
            raise Conflict("im_department_group_exists")
        return existing
    name = await org.department_name(session, department_id)
    if name is None:
        raise Invalid("body.department_id", "field.unknown_department")
    conversation = Conversation(
        kind="department", name=name, department_id=department_id, owner_id=actor.person_id
    )
    session.add(conversation)
    await session.flush()
    await _sync_department_group(session, conversation)
    creator = (
        await session.execute(
            select(Member).where(
                Member.conversation_id == conversation.id, Member.person_id == actor.person_id
            )
        )
    ).scalar()
    if creator is not None:
        creator.role = "owner"
    await _announce(session, conversation.id)
    return conversation


async def _sync_department_group(session: AsyncSession, conversation: Conversation) -> bool:
    assert conversation.department_id is not None
    wanted = set(await org.department_member_ids(session, conversation.department_id))
    # Its owner stays even when outside the department: an org admin who set the group up for a
    # township still runs it (admins, the announcement, the webhooks).
    if conversation.owner_id is not None:
        wanted.add(conversation.owner_id)
    have = set(await member_ids(session, conversation.id))
    leaving = have - wanted
    if leaving:
        await session.execute(
            delete(Member).where(Member.conversation_id == conversation.id, Member.person_id.in_(leaving))
        )
    joined = await _add_members(session, conversation, wanted - have)
    if leaving or joined:
        await _announce(session, conversation.id, extra=leaving)
    return bool(leaving or joined)


@domain.on("org.changed")
async def follow_org_chart(session: AsyncSession, _event: OrgChanged) -> None:
    """Keep every department group in step with the org chart, in the org change's transaction."""
    groups = (await session.execute(select(Conversation).where(Conversation.kind == "department"))).scalars()
    for conversation in list(groups):
        if conversation.department_id is None:
            continue  # the department was deleted: the group stays as it was
        await _sync_department_group(session, conversation)


# ---- reading ------------------------------------------------------------------------------


async def list_conversations(session: AsyncSession, actor: Actor) -> list[ConversationRead]:
    rows = (
        await session.execute(
            readable_conversations(actor)
            .order_by(Member.pinned.desc(), Conversation.last_message_at.desc())
            .limit(500)
        )
    ).all()
    return await _reads(session, actor, [(c, m) for c, m in rows])


async def _reads(
    session: AsyncSession, actor: Actor, pairs: list[tuple[Conversation, Member]]
) -> list[ConversationRead]:
    if not pairs:
        return []
    ids = [c.id for c, _ in pairs]
    me = actor.person_id
    unread_rows = await session.execute(
        select(Message.conversation_id, func.count())
        .join(Member, and_(Member.conversation_id == Message.conversation_id, Member.person_id == me))
        .where(
            Message.conversation_id.in_(ids),
            Message.seq > Member.read_seq,
            Message.thread_root_id.is_(None),
            Message.recalled_at.is_(None),
            or_(Message.sender_id.is_(None), Message.sender_id != me),
        )
        .group_by(Message.conversation_id)
    )
    unread = dict(unread_rows.all())
    mention_rows = await session.execute(
        select(Mention.conversation_id, func.count())
        .join(Member, and_(Member.conversation_id == Mention.conversation_id, Member.person_id == me))
        .where(
            Mention.conversation_id.in_(ids), Mention.seq > Member.read_seq, Mention.person_id.in_([me, 0])
        )
        .group_by(Mention.conversation_id)
    )
    mentions = dict(mention_rows.all())
    counts = dict(
        (
            await session.execute(
                select(Member.conversation_id, func.count())
                .where(Member.conversation_id.in_(ids))
                .group_by(Member.conversation_id)
            )
        ).all()
    )
    last_rows = await session.execute(
        select(Message)
        .where(
            Message.conversation_id.in_(ids),
            Message.thread_root_id.is_(None),
            Message.seq
            == select(func.max(Message.seq))
            .where(Message.conversation_id == Conversation.id, Message.thread_root_id.is_(None))
            .correlate(Conversation)
            .scalar_subquery(),
        )
        .join(Conversation, Conversation.id == Message.conversation_id)
    )
    last_messages = {m.conversation_id: m for m in last_rows.scalars()}
    rendered = {m.conversation_id: m for m in await render(session, me, list(last_messages.values()))}
    peers = await _peers(session, me, [c for c, _ in pairs if c.kind == "direct"])
    out = []
    for c, m in pairs:
        peer = peers.get(c.id)
        out.append(
            ConversationRead(
                id=c.id,
                kind=c.kind,
                name=peer.name if peer else c.name,
                avatar_file_id=c.avatar_file_id,
                peer=peer,
                last_message=rendered.get(c.id),
                last_seq=c.last_seq,
                read_seq=m.read_seq,
                unread_count=int(unread.get(c.id, 0)),
                mention_count=int(mentions.get(c.id, 0)),
                muted=m.muted,
                pinned=m.pinned,
                archived=m.archived,
                member_count=int(counts.get(c.id, 0)),
                my_role=m.role,
                updated_at=c.last_message_at,
            )
        )
    return out


async def _peers(session: AsyncSession, me: int, directs: list[Conversation]) -> dict[int, PersonRef]:
    if not directs:
        return {}
    rows = await session.execute(
        select(Member.conversation_id, Member.person_id).where(
            Member.conversation_id.in_([c.id for c in directs]), Member.person_id != me
        )
    )
    pairs = rows.all()
    names = await org.names_of(session, [pid for _, pid in pairs])
    return {cid: PersonRef(id=pid, name=names.get(pid, "")) for cid, pid in pairs}


async def get_detail(session: AsyncSession, actor: Actor, conversation_id: int) -> ConversationDetail:
    conversation, member = await access_conversation(session, actor, conversation_id)
    (read,) = await _reads(session, actor, [(conversation, member)])
    admin = member.role in ("owner", "admin")
    return ConversationDetail(
        **read.model_dump(),
        announcement=conversation.announcement,
        join_by_link=conversation.join_by_link,
        link_token=conversation.link_token if admin else None,
        link_expires_at=conversation.link_expires_at if admin else None,
    )


async def list_members(session: AsyncSession, actor: Actor, conversation_id: int) -> list[MemberRead]:
    await access_conversation(session, actor, conversation_id)
    rows = (
        await session.execute(
            select(Member)
            .where(Member.conversation_id == conversation_id)
            .order_by(case((Member.role == "owner", 0), (Member.role == "admin", 1), else_=2), Member.id)
        )
    ).scalars()
    members = list(rows)
    names = await org.names_of(session, [m.person_id for m in members])
    return [
        MemberRead(person_id=m.person_id, name=names.get(m.person_id, ""), role=m.role, read_seq=m.read_seq)
        for m in members
    ]


# ---- changing -----------------------------------------------------------------------------


async def do_update(
    session: AsyncSession, actor: Actor, conversation_id: int, data: ConversationUpdate
) -> Conversation:
    conversation, member = await access_conversation(session, actor, conversation_id)
    if conversation.kind == "direct":
        raise Conflict("im_direct_fixed")
    require_admin(member)
    if data.name is not None:
        conversation.name = data.name.strip()
    if data.announcement is not None:
        conversation.announcement = data.announcement
    if data.join_by_link is not None:
        if data.join_by_link and conversation.kind == "department":
            raise Conflict("im_department_members_fixed")
        groups.set_join_by_link(conversation, data.join_by_link)
    if "avatar_file_id" in data.model_fields_set:
        await groups.set_avatar(session, actor, conversation, data.avatar_file_id)
    await _announce(session, conversation.id)
    return conversation


async def do_update_mine(session: AsyncSession, actor: Actor, conversation_id: int, data: MySettings) -> None:
    _, member = await access_conversation(session, actor, conversation_id)
    for key, value in data.model_dump(exclude_none=True).items():
        setattr(member, key, value)
    await publish(session, [actor.person_id], ConversationEvent(conversation_id=conversation_id))


async def do_add_members(
    session: AsyncSession, actor: Actor, conversation_id: int, person_ids: list[int]
) -> None:
    conversation, _member = await access_conversation(session, actor, conversation_id)
    _changeable_members(conversation)
    await _check_people(session, person_ids, "body.person_ids")
    await _add_members(session, conversation, person_ids)
    await _announce(session, conversation.id)


async def do_remove_member(session: AsyncSession, actor: Actor, conversation_id: int, person_id: int) -> None:
    """Admins remove others; anyone may leave. The owner cannot be removed."""
    conversation, member = await access_conversation(session, actor, conversation_id)
    _changeable_members(conversation)
    if person_id != actor.person_id:
        require_admin(member)
    if person_id == conversation.owner_id:
        if person_id == actor.person_id:
            raise Conflict("im_owner_must_transfer")
        raise Invalid("path.person_id", "field.im_is_owner")
    await session.execute(
        delete(Member).where(Member.conversation_id == conversation.id, Member.person_id == person_id)
    )
    await _announce(session, conversation.id, extra=[person_id])


async def do_set_role(
    session: AsyncSession, actor: Actor, conversation_id: int, person_id: int, role: str
) -> None:
    conversation, member = await access_conversation(session, actor, conversation_id)
    if member.role != "owner":
        require_admin(member)
        if role == "admin":
            raise Forbidden()  # admins are made by the owner alone
    if person_id == conversation.owner_id:
        raise Invalid("path.person_id", "field.im_is_owner")
    result = await session.execute(
        update(Member)
        .where(Member.conversation_id == conversation.id, Member.person_id == person_id)
        .values(role=role)
    )
    if not getattr(result, "rowcount", 0):
        raise Invalid("path.person_id", "field.im_not_member")
    await _announce(session, conversation.id)


def _changeable_members(conversation: Conversation) -> None:
    if conversation.kind == "direct":
        raise Conflict("im_direct_fixed")
    if conversation.kind == "department":
        raise Conflict("im_department_members_fixed")


async def do_join_by_link(session: AsyncSession, actor: Actor, token: str) -> Conversation:
    conversation = await groups.linked_conversation(session, token)
    await _add_members(session, conversation, [actor.person_id])
    await _announce(session, conversation.id)
    return conversation
