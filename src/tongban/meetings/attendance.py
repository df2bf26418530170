"""Who came: the attendance list, the missing by department, and the Excel export.

The organiser is not counted as invited (they run the door). A person counts under their
primary department (the first of org's `memberships_of`); walk-ins are listed too but do not
count as "invited". Online stays (video meetings) are summed per person from
`meetings_participations`.
"""

from __future__ import annotations

import datetime as dt
import io

from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tongban.core import i18n
from tongban.core.db import utcnow
from tongban.meetings.models import CheckIn, Invitee, Meeting, Participation
from tongban.meetings.schemas import (
    MeetingAttendance,
    MeetingAttendee,
    MeetingDepartmentCount,
    MeetingPerson,
)
from tongban.meetings.service import zone
from tongban.org import service as org

i18n.register(
    {
        "meetings.xlsx.sheet": ("签到", "Check-in"),
        "meetings.xlsx.name": ("姓名", "Name"),
        "meetings.xlsx.department": ("部门", "Department"),
        "meetings.xlsx.status": ("状态", "Status"),
        "meetings.xlsx.time": ("签到时间", "Checked in at"),
        "meetings.xlsx.method": ("方式", "Method"),
        "meetings.xlsx.note": ("备注", "Note"),
        "meetings.xlsx.online": ("在线时长（分钟）", "Online (minutes)"),
        "meetings.status.present": ("已签到", "Checked in"),
        "meetings.status.missing": ("未签到", "Not checked in"),
        "meetings.status.walk_in": ("未受邀到场", "Walk-in (not invited)"),
        "meetings.method.qr": ("扫码", "QR code"),
        "meetings.method.manual": ("手动", "By hand"),
        "meetings.note.flagged": ("位置在会场范围外", "Location outside the meeting place"),
        "meetings.no_department": ("无部门", "No department"),
    }
)


async def _online_seconds(session: AsyncSession, meeting_id: int) -> dict[int, int]:
    now = utcnow()
    totals: dict[int, int] = {}
    rows = await session.execute(
        select(Participation.person_id, Participation.joined_at, Participation.left_at).where(
            Participation.meeting_id == meeting_id
        )
    )
    for pid, joined, left in rows:
        totals[pid] = totals.get(pid, 0) + int(((left or now) - joined).total_seconds())
    return totals


async def attendance(session: AsyncSession, meeting: Meeting) -> MeetingAttendance:
    invitees = {
        pid: role
        for pid, role in await session.execute(
            select(Invitee.person_id, Invitee.role).where(Invitee.meeting_id == meeting.id)
        )
    }
    checkins = {
        row.person_id: row
        for row in (await session.execute(select(CheckIn).where(CheckIn.meeting_id == meeting.id))).scalars()
    }
    online = await _online_seconds(session, meeting.id)
    everyone = list(dict.fromkeys([*invitees, *checkins, *online]))
    names = await org.names_of(session, everyone)
    depts = await org.memberships_of(session, everyone)
    attendees: list[MeetingAttendee] = []
    by_dept: dict[int | None, MeetingDepartmentCount] = {}
    for pid in everyone:
        refs = depts.get(pid) or []
        ref = refs[0] if refs else None
        dept_name = ref.name if ref else i18n.t("meetings.no_department")
        row = checkins.get(pid)
        invited = pid in invitees
        # The organiser runs the meeting rather than attends it: listed when present, never missing.
        role = "organizer" if pid == meeting.organizer_id else invitees.get(pid, "walk_in")
        attendees.append(
            MeetingAttendee(
                person_id=pid,
                name=names.get(pid, ""),
                department=dept_name,
                invited=invited,
                role=role,
                checked_in_at=row.checked_in_at if row else None,
                method=row.method if row else None,
                flagged=bool(row and row.flagged),
                distance_m=row.distance_m if row else None,
                online_seconds=online.get(pid, 0),
            )
        )
        if invited:
            key = ref.id if ref else None
            group = by_dept.setdefault(
                key,
                MeetingDepartmentCount(
                    department_id=key, department=dept_name, invited=0, checked_in=0, missing=[]
                ),
            )
            group.invited += 1
            if row is not None or pid in online:  # came to the room, even for a moment
                group.checked_in += 1
            else:
                group.missing.append(MeetingPerson(id=pid, name=names.get(pid, "")))
    # Checked in first (in arrival order), then those still missing, by name.
    far = dt.datetime.max.replace(tzinfo=dt.UTC)
    attendees.sort(key=lambda a: (a.checked_in_at is None, a.checked_in_at or far, a.name))
    groups = sorted(by_dept.values(), key=lambda g: (-len(g.missing), g.department))
    return MeetingAttendance(
        meeting_id=meeting.id,
        invited=len(invitees),
        checked_in=len(checkins),
        walk_ins=sum(1 for a in attendees if a.role == "walk_in" and a.checked_in_at),
        flagged=sum(1 for a in attendees if a.flagged),
        attendees=attendees,
        by_department=groups,
    )


def export_xlsx(meeting: Meeting, data: MeetingAttendance) -> bytes:
    """One line per person: invited or walk-in, when and how they checked in."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = i18n.t("meetings.xlsx.sheet")
    sheet.append(
        [
            i18n.t(f"meetings.xlsx.{k}")
            for k in ("name", "department", "status", "time", "method", "note", "online")
        ]
    )
    tz = zone(meeting.tz)
    for a in data.attendees:
        if a.role == "walk_in":
            status = i18n.t("meetings.status.walk_in")
        elif a.checked_in_at is not None:
            status = i18n.t("meetings.status.present")
        else:
            status = i18n.t("meetings.status.missing")
        when = a.checked_in_at.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S") if a.checked_in_at else ""
        sheet.append(
            [
                a.name,
                a.department,
                status,
                when,
                i18n.t(f"meetings.method.{a.method}") if a.method else "",
                i18n.t("meetings.note.flagged") if a.flagged else "",
                round(a.online_seconds / 60, 1) if a.online_seconds else "",
            ]
        )
    for column, width in zip("ABCDEFG", (14, 20, 16, 20, 10, 20, 14), strict=True):
        sheet.column_dimensions[column].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
