"""Events as cards in chats (im/cards.py): a pasted /calendar/events/{id} link, or "share to chat".

A card shows what is the same for every reader: title, time in the event's own zone, place,
organiser, whether it repeats, and whether it was cancelled. Reading the event page (and
answering) is still decided by the calendar when someone follows the link, so sharing can also
invite the conversation's members: the invitation card then leads each of them to their RSVP.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from tongban.calendar import checks, invites
from tongban.calendar.models import Event
from tongban.core import i18n
from tongban.core.errors import AppError
from tongban.core.permissions import Actor
from tongban.im import conversations as im_conversations
from tongban.im.cards import CardData, register_card_type, share_card, update_cards
from tongban.org import service as org

i18n.register(
    {
        "calendar.card.when": ("时间", "When"),
        "calendar.card.where": ("地点", "Where"),
        "calendar.card.organizer": ("组织者", "Organiser"),
        "calendar.card.repeats": ("重复", "Repeats"),
        "calendar.card.all_day": ("全天", "all day"),
        "calendar.card.cancelled": ("已取消", "Cancelled"),
        "calendar.card.invitation": ("邀请", "Invitation"),
    }
)

CARD_TYPE = "calendar_event"


async def describe(session: AsyncSession, event: Event, *, cancelled: bool = False) -> CardData:
    names = await org.names_of(session, [event.organizer_id or 0])
    if event.all_day:
        when = f"{event.start_local:%Y-%m-%d} {i18n.t('calendar.card.all_day')}"
    else:
        when = f"{event.start_local:%Y-%m-%d %H:%M}–{event.end_local:%H:%M} ({event.tz})"
    fields = [(i18n.t("calendar.card.when"), when)]
    if event.rrule:
        fields.append((i18n.t("calendar.card.repeats"), event.rrule))
    if event.location:
        fields.append((i18n.t("calendar.card.where"), event.location))
    if event.organizer_id:
        fields.append((i18n.t("calendar.card.organizer"), names.get(event.organizer_id, "")))
    gone = cancelled or event.status == "cancelled"
    return CardData(
        title=event.title,
        link=f"/calendar/events/{event.id}",
        summary=event.description[:200],
        fields=fields,
        status=i18n.t("calendar.card.cancelled") if gone else i18n.t("calendar.card.invitation"),
    )


async def event_card(session: AsyncSession, actor: Actor, ref: str) -> CardData | None:
    from tongban.calendar.events import access_event

    if not ref.isdigit():
        return None
    try:
        event = await access_event(session, actor, int(ref))
    except AppError:
        return None
    series = event if event.parent_id is None else await session.get(Event, event.parent_id)
    return await describe(session, series or event)


async def refresh(session: AsyncSession, event: Event, *, cancelled: bool = False) -> None:
    """Changed or cancelled: every chat showing the series' card follows."""
    series_id = event.parent_id or event.id
    series = event if event.id == series_id else await session.get(Event, series_id)
    if series is not None:
        await update_cards(
            session, CARD_TYPE, str(series.id), await describe(session, series, cancelled=cancelled)
        )


async def do_share_to_chat(
    session: AsyncSession, actor: Actor, event_id: int, conversation_id: int, note: str, invite: bool
) -> tuple[int, int]:
    """Post the event's card into a conversation of the actor's; with `invite`, its members
    become attendees (and are notified) first. Returns (message id, people newly invited)."""
    from tongban.calendar.events import _set_attendees, access_event, attendee_ids

    event = await access_event(session, actor, event_id, edit=invite)
    series = event if event.parent_id is None else await session.get(Event, event.parent_id)
    assert series is not None
    added: list[int] = []
    if invite:
        members = await im_conversations.list_members(session, actor, conversation_id)
        current = await attendee_ids(session, series.id)
        active = await org.active_ids(session, [m.person_id for m in members])
        wanted = current + [
            m.person_id for m in members if m.person_id not in current and m.person_id in active
        ]
        people = await checks.check_attendees(session, series.organizer_id or actor.person_id, wanted, [])
        added = await _set_attendees(session, series, people)
        await invites.invited(session, actor, series, [p for p in added if p != actor.person_id])
    message = await share_card(session, actor, conversation_id, CARD_TYPE, str(series.id), note)
    return message.id, len([p for p in added if p != actor.person_id])


register_card_type(CARD_TYPE, event_card)
