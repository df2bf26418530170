"""The calendar API: thin routes over calendar/service.py, events.py, freebusy.py and ics.py."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query, Response, UploadFile, status

from tongban.auth.deps import CurrentActor
from tongban.calendar import cards, events, freebusy, ics, service
from tongban.calendar.access import access_calendar
from tongban.calendar.schemas import (
    AssistantIn,
    AssistantRead,
    CalendarChatShareIn,
    CalendarChatShareRead,
    CalendarCreate,
    CalendarImportReport,
    CalendarPrefUpdate,
    CalendarRead,
    CalendarUpdate,
    EventCreate,
    EventRead,
    EventUpdate,
    FeedRead,
    FreeBusyIn,
    OccurrenceRead,
    PersonBusy,
    RoomCreate,
    RoomRead,
    RoomUpdate,
    RsvpIn,
    Scope,
    SharesReplace,
    SubscriptionCreate,
)
from tongban.core.deps import DbSession

router = APIRouter(prefix="/api/calendar", tags=["calendar"])
ICS = "text/calendar; charset=utf-8"


# ---- calendars ------------------------------------------------------------------------------


@router.get("/calendars", response_model=list[CalendarRead])
async def list_calendars(session: DbSession, actor: CurrentActor) -> list[CalendarRead]:
    """My calendar, the calendars I made, and those shared with me (or my departments)."""
    return await service.list_calendars(session, actor)


@router.post("/calendars", response_model=CalendarRead, status_code=status.HTTP_201_CREATED)
async def create_calendar(body: CalendarCreate, session: DbSession, actor: CurrentActor) -> CalendarRead:
    """A shared calendar (a department's, a project's), shared with people and departments."""
    calendar = await service.do_create_calendar(session, actor, body)
    return await service.get_calendar(session, actor, calendar.id)


@router.patch("/calendars/{calendar_id}", response_model=CalendarRead)
async def update_calendar(
    calendar_id: int, body: CalendarUpdate, session: DbSession, actor: CurrentActor
) -> CalendarRead:
    await service.do_update_calendar(session, actor, calendar_id, body)
    return await service.get_calendar(session, actor, calendar_id)


@router.delete("/calendars/{calendar_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_calendar(calendar_id: int, session: DbSession, actor: CurrentActor) -> Response:
    await service.do_delete_calendar(session, actor, calendar_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.put("/calendars/{calendar_id}/shares", response_model=CalendarRead)
async def replace_shares(
    calendar_id: int, body: SharesReplace, session: DbSession, actor: CurrentActor
) -> CalendarRead:
    """Who else may see (busy times or details) or edit the calendar; replaces the list."""
    await service.do_replace_shares(session, actor, calendar_id, body.shares)
    return await service.get_calendar(session, actor, calendar_id)


@router.patch("/calendars/{calendar_id}/me", response_model=CalendarRead)
async def set_my_pref(
    calendar_id: int, body: CalendarPrefUpdate, session: DbSession, actor: CurrentActor
) -> CalendarRead:
    """Show or hide a calendar, or give it my own colour."""
    await service.do_set_pref(session, actor, calendar_id, body)
    return await service.get_calendar(session, actor, calendar_id)


@router.delete("/calendars/{calendar_id}/me", status_code=status.HTTP_204_NO_CONTENT)
async def unsubscribe(calendar_id: int, session: DbSession, actor: CurrentActor) -> Response:
    """Take a subscribed colleague's calendar off my list."""
    await service.do_unsubscribe(session, actor, calendar_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/subscriptions", response_model=CalendarRead, status_code=status.HTTP_201_CREATED)
async def subscribe(body: SubscriptionCreate, session: DbSession, actor: CurrentActor) -> CalendarRead:
    """Subscribe to a colleague's calendar: busy times only or details, as they allow."""
    calendar_id = await service.do_subscribe(session, actor, body.person_id)
    return await service.get_calendar(session, actor, calendar_id)


@router.post("/calendars/{calendar_id}/feed", response_model=FeedRead)
async def rotate_feed(calendar_id: int, session: DbSession, actor: CurrentActor) -> FeedRead:
    """A private subscription URL (webcal) with a new secret; the previous one stops working."""
    return FeedRead(url=await service.do_rotate_feed(session, actor, calendar_id))


@router.delete("/calendars/{calendar_id}/feed", status_code=status.HTTP_204_NO_CONTENT)
async def revoke_feed(calendar_id: int, session: DbSession, actor: CurrentActor) -> Response:
    await service.do_revoke_feed(session, actor, calendar_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/calendars/{calendar_id}/export.ics", response_class=Response)
async def export_calendar(calendar_id: int, session: DbSession, actor: CurrentActor) -> Response:
    """The calendar as iCalendar (RFC 5545): series with their exceptions, in their own zones."""
    calendar = await access_calendar(session, actor, calendar_id, "read")
    body = await ics.export_calendar(session, calendar)
    return Response(
        body,
        media_type=ICS,
        headers={"Content-Disposition": f'attachment; filename="calendar-{calendar.id}.ics"'},
    )


@router.post("/calendars/{calendar_id}/import", response_model=CalendarImportReport)
async def import_calendar(
    calendar_id: int,
    file: UploadFile,
    session: DbSession,
    actor: CurrentActor,
    confirm: Annotated[bool, Query()] = False,
) -> CalendarImportReport:
    """Read an .ics file into the calendar. With problems in it, nothing is written unless
    `confirm=true` (the report lists what could not be read and what would be imported)."""
    data = await file.read(ics.MAX_IMPORT + 1)
    return await ics.do_import(session, actor, calendar_id, data, confirm=confirm)


@router.get("/feeds/{token}.ics", response_class=Response)
async def feed(token: str, session: DbSession) -> Response:
    """The private subscription feed: the secret in the URL is the credential."""
    body = await ics.feed(session, token)
    return Response(body, media_type=ICS)


# ---- events ---------------------------------------------------------------------------------


@router.get("/events", response_model=list[OccurrenceRead])
async def list_occurrences(
    session: DbSession,
    actor: CurrentActor,
    start: Annotated[dt.datetime, Query()],
    end: Annotated[dt.datetime, Query()],
    calendar_id: Annotated[list[int] | None, Query()] = None,
) -> list[OccurrenceRead]:
    """Occurrences between `start` and `end` (with offsets) in my visible calendars and invitations."""
    return await service.list_occurrences(session, actor, start, end, calendar_id)


@router.post("/events", response_model=EventRead, status_code=status.HTTP_201_CREATED)
async def create_event(body: EventCreate, session: DbSession, actor: CurrentActor) -> EventRead:
    """An event or a recurring series; invitees are notified, a room is booked or refused (409)."""
    event = await events.do_create_event(session, actor, body)
    return await events.event_read(session, actor, event)


@router.get("/events/{event_id}", response_model=EventRead)
async def get_event(event_id: int, session: DbSession, actor: CurrentActor) -> EventRead:
    event = await events.access_event(session, actor, event_id)
    return await events.event_read(session, actor, event)


@router.patch("/events/{event_id}", response_model=EventRead)
async def update_event(
    event_id: int,
    body: EventUpdate,
    session: DbSession,
    actor: CurrentActor,
    scope: Annotated[Scope, Query()] = "all",
    occurrence: Annotated[str | None, Query(max_length=32)] = None,
) -> EventRead:
    """Change an event; for a series: `scope=this|following` with `occurrence` (its original start)."""
    events.check_scope_args(scope, occurrence)
    event = await events.do_update_event(session, actor, event_id, body, scope, occurrence)
    return await events.event_read(session, actor, event)


@router.delete("/events/{event_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_event(
    event_id: int,
    session: DbSession,
    actor: CurrentActor,
    scope: Annotated[Scope, Query()] = "all",
    occurrence: Annotated[str | None, Query(max_length=32)] = None,
) -> Response:
    events.check_scope_args(scope, occurrence)
    await events.do_delete_event(session, actor, event_id, scope, occurrence)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/events/{event_id}/rsvp", response_model=EventRead)
async def rsvp(event_id: int, body: RsvpIn, session: DbSession, actor: CurrentActor) -> EventRead:
    """Accept, tentatively accept or decline (with a note); the organiser is told."""
    event = await events.do_rsvp(session, actor, event_id, body)
    return await events.event_read(session, actor, event)


@router.post("/events/{event_id}/share", response_model=CalendarChatShareRead)
async def share_to_chat(
    event_id: int, body: CalendarChatShareIn, session: DbSession, actor: CurrentActor
) -> CalendarChatShareRead:
    """Post the event as a card into one of my chats; with `invite`, its members are invited."""
    message_id, invited = await cards.do_share_to_chat(
        session, actor, event_id, body.conversation_id, body.note, body.invite
    )
    return CalendarChatShareRead(message_id=message_id, invited=invited)


@router.get("/events/{event_id}/export.ics", response_class=Response)
async def export_event(event_id: int, session: DbSession, actor: CurrentActor) -> Response:
    event = await events.access_event(session, actor, event_id)
    body = await ics.export_events(session, [event.parent_id or event.id])
    return Response(
        body, media_type=ICS, headers={"Content-Disposition": f'attachment; filename="event-{event.id}.ics"'}
    )


# ---- free/busy, the assistant, rooms --------------------------------------------------------


@router.post("/freebusy", response_model=list[PersonBusy])
async def free_busy(body: FreeBusyIn, session: DbSession, actor: CurrentActor) -> list[PersonBusy]:
    """Colleagues' busy times side by side (titles only where I may read the event)."""
    return await freebusy.free_busy(session, actor, body)


@router.post("/assistant", response_model=AssistantRead)
async def assistant(body: AssistantIn, session: DbSession, actor: CurrentActor) -> AssistantRead:
    """Slots where all are free and inside each one's working hours, in their own zones."""
    return await freebusy.suggest(session, actor, body)


@router.get("/rooms", response_model=list[RoomRead])
async def list_rooms(session: DbSession, actor: CurrentActor) -> list[RoomRead]:
    return await service.list_rooms(session)


@router.post("/rooms", response_model=RoomRead, status_code=status.HTTP_201_CREATED)
async def create_room(body: RoomCreate, session: DbSession, actor: CurrentActor) -> RoomRead:
    return RoomRead.model_validate(await service.do_create_room(session, actor, body))


@router.patch("/rooms/{room_id}", response_model=RoomRead)
async def update_room(room_id: int, body: RoomUpdate, session: DbSession, actor: CurrentActor) -> RoomRead:
    return RoomRead.model_validate(await service.do_update_room(session, actor, room_id, body))


@router.get("/rooms/{room_id}/schedule", response_model=list[OccurrenceRead])
async def room_schedule(
    room_id: int,
    session: DbSession,
    actor: CurrentActor,
    start: Annotated[dt.datetime, Query()],
    end: Annotated[dt.datetime, Query()],
) -> list[OccurrenceRead]:
    return await service.room_schedule(session, actor, room_id, start, end)
