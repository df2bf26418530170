"""QR check-in (扫码签到): the signed codes, the rules, and checking a person in exactly once.

A code is `<slot>.<mac>`: the MAC is an HMAC of the meeting id and the slot under the meeting's
secret, so a code cannot be made without the server and changing the secret voids them all.
The printable code has slot `s` and lasts as long as the secret. A meeting with
`rotate_seconds` = N shows on its display a code whose slot is the current N-second period;
the current and the previous period are accepted (a phone scanning at the turn still gets in),
so a photo of the screen stops working within 2N seconds and a printed code never works.

Checking in is one INSERT … ON CONFLICT DO NOTHING on (meeting, person): two scans racing from
two phones cannot both succeed, and the second one is told when the first one happened.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import math
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from tongban.core import i18n
from tongban.core.db import utcnow
from tongban.core.errors import AppError, Forbidden, Invalid, NotFound
from tongban.core.events import publish
from tongban.core.permissions import Actor
from tongban.meetings.events import MeetingCheckedIn
from tongban.meetings.models import CheckIn, Invitee, Meeting
from tongban.meetings.schemas import MeetingCheckinIn, MeetingCheckinIntro, MeetingCheckinResult
from tongban.meetings.service import checked_in_count, managers_of, window_of, zone
from tongban.org import service as org

i18n.register(
    {
        "meetings_code_invalid": (
            "签到码无效，请扫描会场的签到二维码",
            "This check-in code is not valid: scan the code shown at the meeting",
        ),
        "meetings_code_expired": (
            "签到码已过期，请重新扫描屏幕上的二维码",
            "This check-in code has expired: scan the code on the screen again",
        ),
        "meetings_checkin_not_open": ("签到将于 {time} 开始", "Check-in opens at {time}"),
        "meetings_checkin_closed": ("签到已于 {time} 截止", "Check-in closed at {time}"),
        "meetings_cancelled": ("会议已取消", "The meeting was cancelled"),
        "meetings_not_invited": (
            "你不在这次会议的受邀名单中，请联系会议组织者",
            "You are not on the invitation list of this meeting: ask the organiser",
        ),
        "meetings_location_required": (
            "这次会议签到需要你的位置，请允许浏览器获取位置后重试",
            "This meeting's check-in needs your location: allow the browser to share it and try again",
        ),
        "meetings_outside_fence": (
            "你不在会场范围内（距会场约 {distance} 米，需在 {radius} 米以内）",
            "You are not at the meeting place (about {distance} m away; it must be within {radius} m)",
        ),
        "meetings_checkin_manual_unknown": ("人员不存在或已停用", "No such active person"),
        "meetings.checked_in": ("签到成功，签到时间 {time}", "Checked in at {time}"),
        "meetings.already": ("你已于 {time} 签到，无需重复签到", "Already checked in at {time}"),
    }
)

STATIC_SLOT = "s"


@dataclass(frozen=True)
class Placed:
    distance_m: float | None
    flagged: bool


def _mac(meeting: Meeting, slot: str) -> str:
    digest = hmac.new(meeting.secret.encode(), f"{meeting.id}:{slot}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:16]).decode().rstrip("=")


def current_slot(meeting: Meeting, now: dt.datetime) -> int:
    return int(now.timestamp()) // meeting.rotate_seconds


def make_token(meeting: Meeting, now: dt.datetime | None = None) -> str:
    """The code to show now: the printable one, or the current rotating one."""
    if meeting.rotate_seconds <= 0:
        return f"{STATIC_SLOT}.{_mac(meeting, STATIC_SLOT)}"
    slot = str(current_slot(meeting, now or utcnow()))
    return f"{slot}.{_mac(meeting, slot)}"


def token_expires_at(meeting: Meeting, now: dt.datetime) -> dt.datetime | None:
    """When the display should fetch the next code (the code itself stays valid one more period)."""
    if meeting.rotate_seconds <= 0:
        return None
    end = (current_slot(meeting, now) + 1) * meeting.rotate_seconds
    return dt.datetime.fromtimestamp(end, dt.UTC)


def check_token(meeting: Meeting, token: str, now: dt.datetime) -> None:
    """Refuse a forged code (403 meetings_code_invalid) or a stale one (meetings_code_expired)."""
    slot, _, mac = token.partition(".")
    if not mac or not hmac.compare_digest(mac, _mac(meeting, slot)):
        raise Forbidden("meetings_code_invalid")
    if meeting.rotate_seconds <= 0:
        if slot != STATIC_SLOT:
            raise Forbidden("meetings_code_expired")
        return
    if slot == STATIC_SLOT or not slot.isdigit():
        raise Forbidden("meetings_code_expired")
    if int(slot) not in (current_slot(meeting, now), current_slot(meeting, now) - 1):
        raise Forbidden("meetings_code_expired")


def local_time(meeting: Meeting, moment: dt.datetime, *, with_date: bool = False) -> str:
    local = moment.astimezone(zone(meeting.tz))
    return f"{local:%Y-%m-%d %H:%M}" if with_date else f"{local:%H:%M}"


def check_window(meeting: Meeting, now: dt.datetime) -> None:
    if meeting.status == "cancelled":
        raise AppError("meetings_cancelled", status_code=409)
    opens, closes = window_of(meeting)
    if now < opens:
        raise AppError(
            "meetings_checkin_not_open", status_code=409, time=local_time(meeting, opens, with_date=True)
        )
    if now > closes:
        raise AppError(
            "meetings_checkin_closed", status_code=409, time=local_time(meeting, closes, with_date=True)
        )


def distance_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance (haversine), in metres."""
    r = 6_371_000.0
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


def check_place(meeting: Meeting, lat: float | None, lng: float | None) -> Placed:
    """Apply the geofence: refuse or flag a check-in from outside it (or with no location)."""
    if meeting.geofence_lat is None or meeting.geofence_lng is None or not meeting.geofence_radius_m:
        return Placed(None, False)
    flag = meeting.geofence_mode == "flag"
    if lat is None or lng is None:
        if flag:
            return Placed(None, True)
        raise Invalid("body.lat", "meetings_location_required")
    distance = distance_m(meeting.geofence_lat, meeting.geofence_lng, lat, lng)
    if distance > meeting.geofence_radius_m:
        if flag:
            return Placed(distance, True)
        raise AppError(
            "meetings_outside_fence",
            status_code=403,
            distance=round(distance),
            radius=meeting.geofence_radius_m,
        )
    return Placed(distance, False)


async def _meeting(session: AsyncSession, meeting_id: int) -> Meeting:
    meeting = await session.get(Meeting, meeting_id)
    if meeting is None or meeting.kind != "in_person":
        # The same answer as a forged code: scanning a made-up id learns nothing.
        raise NotFound("meetings_code_invalid")
    return meeting


async def _is_invited(session: AsyncSession, meeting: Meeting, person_id: int) -> bool:
    if person_id == meeting.organizer_id:
        return True
    row = await session.execute(
        select(Invitee.id).where(Invitee.meeting_id == meeting.id, Invitee.person_id == person_id)
    )
    return row.first() is not None


async def _existing(session: AsyncSession, meeting_id: int, person_id: int) -> CheckIn | None:
    return (
        await session.execute(
            select(CheckIn).where(CheckIn.meeting_id == meeting_id, CheckIn.person_id == person_id)
        )
    ).scalar_one_or_none()


async def checkin_intro(
    session: AsyncSession, actor: Actor, meeting_id: int, token: str
) -> MeetingCheckinIntro:
    """What the phone shows after the scan, before it asks for location and checks in."""
    meeting = await _meeting(session, meeting_id)
    check_token(meeting, token, utcnow())
    existing = await _existing(session, meeting.id, actor.person_id)
    return MeetingCheckinIntro(
        meeting_id=meeting.id,
        title=meeting.title,
        location=meeting.location,
        tz=meeting.tz,
        start_utc=meeting.start_utc,
        end_utc=meeting.end_utc,
        needs_location=meeting.geofence_radius_m is not None,
        invited=await _is_invited(session, meeting, actor.person_id),
        checked_in_at=existing.checked_in_at if existing else None,
    )


def _insert(session: AsyncSession, values: dict[str, object]) -> object:
    dialect = postgresql if session.bind is not None and session.bind.dialect.name == "postgresql" else sqlite
    return (
        dialect.insert(CheckIn)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["meeting_id", "person_id"])
        .returning(CheckIn.id)
    )


async def _record(
    session: AsyncSession,
    meeting: Meeting,
    person_id: int,
    *,
    method: str,
    walk_in: bool,
    placed: Placed,
    by: int | None,
    now: dt.datetime,
) -> tuple[CheckIn, bool]:
    """Insert the check-in unless there is one; (the row, whether it was already there)."""
    values: dict[str, object] = {
        "meeting_id": meeting.id,
        "person_id": person_id,
        "checked_in_at": now,
        "method": method,
        "walk_in": walk_in,
        "distance_m": placed.distance_m,
        "flagged": placed.flagged,
        "by_person_id": by,
    }
    inserted = (await session.execute(_insert(session, values))).first()  # type: ignore[call-overload]
    row = await _existing(session, meeting.id, person_id)
    assert row is not None
    if inserted is not None:
        names = await org.names_of(session, [person_id])
        await publish(
            session,
            await managers_of(session, meeting),
            MeetingCheckedIn(
                meeting_id=meeting.id,
                person_id=person_id,
                name=names.get(person_id, ""),
                checked_in_at=row.checked_in_at,
                walk_in=walk_in,
                flagged=placed.flagged,
                method=method,
                checked_in=await checked_in_count(session, meeting.id),
            ),
        )
    return row, inserted is None


def _result(meeting: Meeting, row: CheckIn, already: bool) -> MeetingCheckinResult:
    code = "meetings.already" if already else "meetings.checked_in"
    return MeetingCheckinResult(
        meeting_id=meeting.id,
        title=meeting.title,
        already=already,
        checked_in_at=row.checked_in_at,
        walk_in=row.walk_in,
        flagged=row.flagged,
        message=i18n.t(code, time=local_time(meeting, row.checked_in_at)),
    )


async def do_checkin(
    session: AsyncSession,
    actor: Actor,
    meeting_id: int,
    data: MeetingCheckinIn,
    now: dt.datetime | None = None,
) -> MeetingCheckinResult:
    """Check the caller in with a scanned code, once; a repeat scan answers when it happened."""
    now = now or utcnow()
    meeting = await _meeting(session, meeting_id)
    check_token(meeting, data.token, now)
    existing = await _existing(session, meeting.id, actor.person_id)
    if existing is not None:  # a second scan is an answer, not an error, whatever the rules now
        return _result(meeting, existing, True)
    check_window(meeting, now)
    invited = await _is_invited(session, meeting, actor.person_id)
    if not invited and not meeting.allow_walk_ins:
        raise Forbidden("meetings_not_invited")
    placed = check_place(meeting, data.lat, data.lng)
    row, already = await _record(
        session, meeting, actor.person_id, method="qr", walk_in=not invited, placed=placed, by=None, now=now
    )
    return _result(meeting, row, already)


async def do_manual_checkin(
    session: AsyncSession, actor: Actor, meeting: Meeting, person_id: int
) -> MeetingCheckinResult:
    """The organiser checks someone in by hand (no phone, flat battery); no window or fence."""
    if not await org.active_ids(session, [person_id]):
        raise Invalid("body.person_id", "meetings_checkin_manual_unknown")
    invited = await _is_invited(session, meeting, person_id)
    row, already = await _record(
        session,
        meeting,
        person_id,
        method="manual",
        walk_in=not invited,
        placed=Placed(None, False),
        by=actor.person_id,
        now=utcnow(),
    )
    return _result(meeting, row, already)


async def do_undo_checkin(session: AsyncSession, meeting: Meeting, person_id: int) -> None:
    row = await _existing(session, meeting.id, person_id)
    if row is not None:
        await session.delete(row)
        await session.flush()
