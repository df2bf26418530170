"""The meetings API: thin routes over meetings/service.py, checkin.py, attendance.py and qr.py."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Query, Request, Response, status

from tongban.auth.deps import CurrentActor
from tongban.core import i18n
from tongban.core.db import utcnow
from tongban.core.deps import DbSession
from tongban.core.errors import AppError
from tongban.meetings import attendance, checkin, media, qr, service
from tongban.meetings.access import access_meeting
from tongban.meetings.models import Meeting
from tongban.meetings.schemas import (
    MeetingAttendance,
    MeetingCheckinIn,
    MeetingCheckinIntro,
    MeetingCheckinResult,
    MeetingCreate,
    MeetingDisplayCode,
    MeetingJoinInfo,
    MeetingManualCheckin,
    MeetingMediaServer,
    MeetingRead,
    MeetingUpdate,
)

i18n.register(
    {
        "meetings_qr_rotating": (
            "这次会议使用动态签到码，请用全屏展示模式显示，不能打印",
            "This meeting uses a rotating code: show it in display mode; it cannot be printed",
        ),
        "meetings_not_in_person": ("只有线下会议可以扫码签到", "Only in-person meetings have QR check-in"),
    }
)

router = APIRouter(prefix="/api/meetings", tags=["meetings"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Token = Annotated[str, Query(min_length=1, max_length=200, alias="t")]


def _base_url(request: Request) -> str:
    origins = request.app.state.settings.allowed_origins
    return str(origins[0]) if origins else str(request.base_url)


def _printable(meeting: Meeting) -> None:
    if meeting.kind != "in_person":
        raise AppError("meetings_not_in_person", status_code=409)
    if meeting.rotate_seconds > 0:
        raise AppError("meetings_qr_rotating", status_code=409)


def _download(name: str, ext: str) -> dict[str, str]:
    return {
        "Content-Disposition": f"attachment; filename=meeting.{ext}; filename*=UTF-8''{quote(name)}.{ext}"
    }


@router.get("", response_model=list[MeetingRead])
async def list_meetings(session: DbSession, actor: CurrentActor) -> list[MeetingRead]:
    """Meetings I organise or am invited to, the latest first."""
    return await service.list_meetings(session, actor)


@router.post("", response_model=MeetingRead, status_code=status.HTTP_201_CREATED)
async def create_meeting(body: MeetingCreate, session: DbSession, actor: CurrentActor) -> MeetingRead:
    """An in-person or video meeting, optionally from a calendar event I can see."""
    meeting = await service.do_create_meeting(session, actor, body)
    return await service.meeting_read(session, actor, meeting, "organizer")


@router.get("/media-server", response_model=MeetingMediaServer)
async def media_server(request: Request, actor: CurrentActor) -> MeetingMediaServer:
    """For organisation admins: is the SFU (Janus) configured and answering, and if not, why."""
    actor.require_org_admin()
    state = request.app.state
    return MeetingMediaServer(**await media.media_server_status(state.settings, media.sfu_rooms_of(state)))


@router.get("/{meeting_id}", response_model=MeetingRead)
async def get_meeting(meeting_id: int, session: DbSession, actor: CurrentActor) -> MeetingRead:
    return await service.get_meeting(session, actor, meeting_id)


@router.patch("/{meeting_id}", response_model=MeetingRead)
async def update_meeting(
    meeting_id: int, body: MeetingUpdate, session: DbSession, actor: CurrentActor
) -> MeetingRead:
    meeting = await service.do_update_meeting(session, actor, meeting_id, body)
    return await service.meeting_read(session, actor, meeting)


@router.delete("/{meeting_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_meeting(meeting_id: int, session: DbSession, actor: CurrentActor) -> Response:
    await service.do_delete_meeting(session, actor, meeting_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/{meeting_id}/secret", status_code=status.HTTP_204_NO_CONTENT)
async def rotate_secret(meeting_id: int, session: DbSession, actor: CurrentActor) -> Response:
    """Void every check-in code printed or photographed so far."""
    await service.do_rotate_secret(session, actor, meeting_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/{meeting_id}/qr.png", response_class=Response)
async def qr_png(meeting_id: int, request: Request, session: DbSession, actor: CurrentActor) -> Response:
    """The printable check-in code as a PNG."""
    meeting, _role = await access_meeting(session, actor, meeting_id, manage=True)
    _printable(meeting)
    url = qr.checkin_url(_base_url(request), meeting.id, checkin.make_token(meeting))
    return Response(qr.png(url), media_type="image/png", headers=_download(meeting.title, "png"))


@router.get("/{meeting_id}/qr.pdf", response_class=Response)
async def qr_pdf(meeting_id: int, request: Request, session: DbSession, actor: CurrentActor) -> Response:
    """An A4 poster with the title, time, place and the check-in code."""
    meeting, _role = await access_meeting(session, actor, meeting_id, manage=True)
    _printable(meeting)
    url = qr.checkin_url(_base_url(request), meeting.id, checkin.make_token(meeting))
    when = f"{checkin.local_time(meeting, meeting.start_utc, with_date=True)} – "
    when += checkin.local_time(meeting, meeting.end_utc)
    body = qr.pdf(url, meeting.title, when, meeting.location)
    return Response(body, media_type="application/pdf", headers=_download(meeting.title, "pdf"))


@router.get("/{meeting_id}/display", response_model=MeetingDisplayCode)
async def display_code(
    meeting_id: int, request: Request, session: DbSession, actor: CurrentActor
) -> MeetingDisplayCode:
    """The code for the full-screen display now (a rotating meeting: until `expires_at`)."""
    meeting, _role = await access_meeting(session, actor, meeting_id, manage=True)
    if meeting.kind != "in_person":
        raise AppError("meetings_not_in_person", status_code=409)
    now = utcnow()
    token = checkin.make_token(meeting, now)
    url = qr.checkin_url(_base_url(request), meeting.id, token)
    read = await service.meeting_read(session, actor, meeting)
    return MeetingDisplayCode(
        token=token,
        url=url,
        svg=qr.svg(url),
        expires_at=checkin.token_expires_at(meeting, now),
        checked_in=read.checked_in_count,
        invited=read.invited_count,
    )


@router.get("/{meeting_id}/checkin", response_model=MeetingCheckinIntro)
async def checkin_intro(
    meeting_id: int, token: Token, session: DbSession, actor: CurrentActor
) -> MeetingCheckinIntro:
    """What the scanned code is for; the code is the credential (walk-ins are not invited)."""
    return await checkin.checkin_intro(session, actor, meeting_id, token)


@router.post("/{meeting_id}/checkin", response_model=MeetingCheckinResult)
async def do_checkin(
    meeting_id: int, body: MeetingCheckinIn, session: DbSession, actor: CurrentActor
) -> MeetingCheckinResult:
    """Check in with a scanned code: once; a repeat says when the first one was."""
    return await checkin.do_checkin(session, actor, meeting_id, body)


@router.get("/{meeting_id}/attendance", response_model=MeetingAttendance)
async def get_attendance(meeting_id: int, session: DbSession, actor: CurrentActor) -> MeetingAttendance:
    """Everyone invited or present, and who is missing by department."""
    meeting, _role = await access_meeting(session, actor, meeting_id, manage=True)
    return await attendance.attendance(session, meeting)


@router.get("/{meeting_id}/attendance.xlsx", response_class=Response)
async def export_attendance(meeting_id: int, session: DbSession, actor: CurrentActor) -> Response:
    meeting, _role = await access_meeting(session, actor, meeting_id, manage=True)
    data = await attendance.attendance(session, meeting)
    body = attendance.export_xlsx(meeting, data)
    return Response(body, media_type=XLSX, headers=_download(meeting.title, "xlsx"))


@router.post("/{meeting_id}/attendance", response_model=MeetingCheckinResult)
async def manual_checkin(
    meeting_id: int, body: MeetingManualCheckin, session: DbSession, actor: CurrentActor
) -> MeetingCheckinResult:
    """Check someone in by hand (organiser and hosts)."""
    meeting, _role = await access_meeting(session, actor, meeting_id, manage=True)
    return await checkin.do_manual_checkin(session, actor, meeting, body.person_id)


@router.delete("/{meeting_id}/attendance/{person_id}", status_code=status.HTTP_204_NO_CONTENT)
async def undo_checkin(meeting_id: int, person_id: int, session: DbSession, actor: CurrentActor) -> Response:
    """Take back a check-in made by mistake."""
    meeting, _role = await access_meeting(session, actor, meeting_id, manage=True)
    await checkin.do_undo_checkin(session, meeting, person_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/by-number/{number}", response_model=MeetingJoinInfo)
async def find_by_number(number: str, session: DbSession, actor: CurrentActor) -> MeetingJoinInfo:
    """Join by meeting number (会议号): the number is what people are given, like a link."""
    return await service.find_by_number(session, actor, number)
