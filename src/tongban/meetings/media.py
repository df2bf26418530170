"""Which media path a meeting takes (peer to peer or the SFU), the SFU rooms of this process,
and what the admin page says about the media server.

Small meetings run peer to peer; a meeting marked large (a webinar) or with more invitees than
settings.meetings_sfu_threshold goes through Janus. When Janus is needed and cannot be reached
the room refuses with "media server unavailable" (the host is told the admin page says why)
and the reason is kept for that page; peer-to-peer meetings never touch Janus.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tongban.core import i18n
from tongban.core.config import Settings
from tongban.meetings.janus_client import JanusError, JanusUnavailable, server_info
from tongban.meetings.models import Invitee, Meeting
from tongban.meetings.sfu import SfuRoom

i18n.register(
    {
        "meetings_media_unavailable": (
            "媒体服务器不可用，这个会议暂时无法开始，请稍后再试",
            "The media server is unavailable: this meeting cannot start now, try again later",
        ),
        "meetings_media_unavailable_host": (
            "媒体服务器不可用（{reason}）。管理员可在“会议 → 媒体服务器”查看原因；小型会议（点对点）不受影响",
            "The media server is unavailable ({reason}). An administrator sees why under "
            "Meetings → Media server; small peer-to-peer meetings are not affected",
        ),
        "meetings_media_not_configured": ("未配置媒体服务器", "no media server is configured"),
        "meetings_media_unreachable": ("无法连接媒体服务器", "the media server cannot be reached"),
    }
)


async def media_mode(session: AsyncSession, settings: Settings, meeting: Meeting) -> str:
    """'sfu' or 'p2p' for this meeting now."""
    if meeting.large:
        return "sfu"
    invited = (
        await session.execute(
            select(func.count()).select_from(Invitee).where(Invitee.meeting_id == meeting.id)
        )
    ).scalar_one()
    return "sfu" if int(invited) + 1 > settings.meetings_sfu_threshold else "p2p"


@dataclass
class MediaStatus:
    """The last thing this process learnt about Janus, for the admin page."""

    ok: bool | None = None
    reason: str = ""
    at: dt.datetime | None = None


@dataclass
class SfuRooms:
    rooms: dict[int, SfuRoom] = field(default_factory=dict)
    locks: dict[int, asyncio.Lock] = field(default_factory=dict)
    status: MediaStatus = field(default_factory=MediaStatus)

    def note(self, ok: bool, reason: str = "") -> None:
        self.status = MediaStatus(ok, reason, dt.datetime.now(dt.UTC))

    async def open(self, settings: Settings, meeting_id: int, send: Any, rec_dir: str = "") -> SfuRoom:
        """The meeting's Janus room, created on first use; MediaUnavailable when Janus is not there."""
        lock = self.locks.setdefault(meeting_id, asyncio.Lock())
        async with lock:
            room = self.rooms.get(meeting_id)
            if room is not None:
                return room
            if not settings.meetings_janus_url:
                self.note(False, i18n.t("meetings_media_not_configured"))
                raise MediaUnavailable(i18n.t("meetings_media_not_configured"))
            room = SfuRoom(
                settings.meetings_janus_url,
                meeting_id,
                send,
                admin_key=settings.meetings_janus_admin_key.get_secret_value(),
                rec_dir=rec_dir,
            )
            try:
                await room.open()
            except JanusUnavailable as exc:
                self.note(False, exc.reason)
                raise MediaUnavailable(i18n.t("meetings_media_unreachable")) from None
            except JanusError as exc:
                self.note(False, str(exc))
                raise MediaUnavailable(str(exc)) from None
            self.note(True)
            self.rooms[meeting_id] = room
            return room

    async def close(self, meeting_id: int) -> None:
        room = self.rooms.pop(meeting_id, None)
        self.locks.pop(meeting_id, None)
        if room is not None:
            await room.close()


class MediaUnavailable(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def sfu_rooms_of(state: Any) -> SfuRooms:
    if not hasattr(state, "meeting_sfu_rooms"):
        state.meeting_sfu_rooms = SfuRooms()
    rooms: SfuRooms = state.meeting_sfu_rooms
    return rooms


async def media_server_status(settings: Settings, rooms: SfuRooms) -> dict[str, Any]:
    """Checked now: is Janus configured and answering, and with what; plus the last failure seen."""
    result: dict[str, Any] = {
        "configured": bool(settings.meetings_janus_url),
        "url": settings.meetings_janus_url,
        "reachable": False,
        "version": "",
        "reason": "",
        "sfu_threshold": settings.meetings_sfu_threshold,
        "open_rooms": len(rooms.rooms),
        "ice_servers": len(settings.meetings_ice_servers),
        "last_failure": rooms.status.reason if rooms.status.ok is False else "",
        "last_failure_at": rooms.status.at if rooms.status.ok is False else None,
    }
    if not settings.meetings_janus_url:
        result["reason"] = i18n.t("meetings_media_not_configured")
        return result
    try:
        info = await server_info(settings.meetings_janus_url)
    except JanusUnavailable as exc:
        result["reason"] = f"{i18n.t('meetings_media_unreachable')}: {exc.reason}"
        return result
    result["reachable"] = True
    result["version"] = str(info.get("version_string") or "")
    return result
