"""Who may see and run which meeting. Every meeting read goes through `readable` or `access_meeting`.

The organiser and the hosts (co-organisers) manage a meeting; invitees see it; nobody else
does, organisation admins included (running the organisation gives no right to another
person's meeting list). Scanning a valid check-in code is the one way a person who was not
invited reaches a meeting: the code is the invitation a walk-in holds (see checkin.py).
"""

from __future__ import annotations

from sqlalchemy import Select, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from tongban.core import i18n
from tongban.core.errors import Forbidden, NotFound
from tongban.core.permissions import Actor
from tongban.meetings.models import Invitee, Meeting

i18n.register(
    {
        "meetings_not_found": ("会议不存在或不可见", "The meeting does not exist or is not visible"),
        "meetings_forbidden": (
            "只有会议组织者和主持人可以这样做",
            "Only the organiser and hosts may do this",
        ),
    }
)


def readable(actor: Actor) -> Select[Meeting]:
    """The meetings `actor` organises or is invited to."""
    invited = select(Invitee.meeting_id).where(Invitee.person_id == actor.person_id)
    return select(Meeting).where(or_(Meeting.organizer_id == actor.person_id, Meeting.id.in_(invited)))


async def role_of(session: AsyncSession, actor: Actor, meeting: Meeting) -> str | None:
    if meeting.organizer_id == actor.person_id:
        return "organizer"
    role = (
        await session.execute(
            select(Invitee.role).where(Invitee.meeting_id == meeting.id, Invitee.person_id == actor.person_id)
        )
    ).scalar_one_or_none()
    return role


async def access_meeting(
    session: AsyncSession, actor: Actor, meeting_id: int, *, manage: bool = False
) -> tuple[Meeting, str]:
    """The meeting and the actor's role in it; 404 when they may not see it at all (an id tells
    a stranger nothing), 403 when they see it but may not manage it."""
    meeting = await session.get(Meeting, meeting_id)
    role = await role_of(session, actor, meeting) if meeting is not None else None
    if meeting is None or role is None:
        raise NotFound("meetings_not_found")
    if manage and role not in ("organizer", "host"):
        raise Forbidden("meetings_forbidden")
    return meeting, role
