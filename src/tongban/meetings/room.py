"""`/api/meetings/{id}/room`: the signalling socket of a small video meeting (P2P mesh, up to ~6).

The server relays SDP offers/answers and ICE candidates between the browsers in a room and
keeps who is there, with their mute/camera/hand/screen state; media never passes through it.
The socket is authenticated like the event stream (the session cookie, the Origin checked), so
joining needs no second sign-in. A room lives in this process only: a deployment that runs
several server processes must route one meeting to one process (sticky by path) — the Janus
path (larger meetings) does not have this limit because Janus holds the room.

Protocol (JSON text frames):
  server → {"type": "welcome", "you": CONN, "peers": [...], "chat": [...], "invitees": [...], ...}
  server → {"type": "joined" | "left" | "state", "peer": {...}}
  client → {"type": "signal", "to": CONN, "data": {...}}   server → the same with "from"
  client → {"type": "state", "muted": b, "camera": b, "hand": b, "sharing": b}
  client → {"type": "chat", "body": "..."}                 server → {"type": "chat", "message": {...}}
  host   → {"type": "host", "action": "mute_all" | "remove" | "lock" | "unlock" | "end", "target": CONN}
  server → {"type": "mute"} | {"type": "removed"} | {"type": "ended"} | {"type": "locked", "locked": b}
A refused join is closed with 4403 (not allowed), 4404 (no such meeting), 4409 (locked),
4410 (ended) or 4503 (the media server it needs is unavailable), after a
{"type": "refused", "code", "message"} frame in the caller's language.

A meeting through the SFU (welcome's "media" is "sfu", see media.py) signals with Janus instead
of the other browsers (sfu.py):
  client → {"type": "sfu_publish", "sdp": OFFER}      server → {"type": "sfu_answer", "sdp": ANSWER}
  server → {"type": "sfu_offer", "sub": H, "from": CONN, "sdp": OFFER}   (one per feed received)
  client → {"type": "sfu_start", "sub": H, "sdp": ANSWER}
  server → {"type": "sfu_gone", "sub": H, "from": CONN} | {"type": "sfu_error", "message": "..."}
welcome's "ice_servers" is settings.meetings_ice_servers (STUN/TURN) for either path.
"""

from __future__ import annotations

import contextlib
import json
import uuid
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import select, update
from starlette.requests import HTTPConnection
from starlette.types import Receive, Scope, Send

from tongban.auth.deps import websocket_actor
from tongban.core import i18n
from tongban.core.db import Database, utcnow
from tongban.core.permissions import Actor
from tongban.meetings.access import role_of
from tongban.meetings.janus_client import JanusError, JanusUnavailable
from tongban.meetings.media import MediaUnavailable, SfuRooms, media_mode, sfu_rooms_of
from tongban.meetings.models import ChatMessage, Meeting, Participation
from tongban.org import service as org

i18n.register(
    {
        "meetings_room_locked": ("会议已锁定，暂不能加入", "The meeting is locked: nobody new may join"),
        "meetings_room_ended": ("会议已结束", "The meeting has ended"),
        "meetings_room_invite_only": (
            "这个会议只允许受邀人员参加",
            "Only people invited to this meeting may join it",
        ),
        "meetings_room_full": (
            "会议人数已满（点对点会议最多 {limit} 人）",
            "The meeting is full ({limit} at most)",
        ),
    }
)

PATH = "/api/meetings/{meeting_id:int}/room"
MESH_LIMIT = 8
CHAT_MAX = 2000
CHAT_HISTORY = 200


@dataclass
class Peer:
    conn: str
    person_id: int
    name: str
    host: bool
    muted: bool = False
    camera: bool = True
    hand: bool = False
    sharing: bool = False
    cohost: bool = False
    participation_id: int = 0
    send: Any = field(default=None, repr=False, compare=False)
    close: Any = field(default=None, repr=False, compare=False)

    def public(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("send")
        data.pop("close")
        data.pop("participation_id")
        return data


class Rooms:
    """Every open room of this process, by meeting id."""

    def __init__(self) -> None:
        self.rooms: dict[int, dict[str, Peer]] = {}

    def peers(self, meeting_id: int) -> dict[str, Peer]:
        return self.rooms.setdefault(meeting_id, {})

    async def broadcast(self, meeting_id: int, message: dict[str, Any], *, skip: str | None = None) -> None:
        text = json.dumps(message, ensure_ascii=False, separators=(",", ":"))
        for peer in list(self.peers(meeting_id).values()):
            if peer.conn != skip:
                with contextlib.suppress(Exception):
                    await peer.send(text)

    async def send_to(self, meeting_id: int, conn: str, message: dict[str, Any]) -> None:
        peer = self.peers(meeting_id).get(conn)
        if peer is not None:
            with contextlib.suppress(Exception):
                await peer.send(json.dumps(message, ensure_ascii=False, separators=(",", ":")))


def rooms_of(scope: Scope) -> Rooms:
    state = scope["app"].state
    if not hasattr(state, "meeting_rooms"):
        state.meeting_rooms = Rooms()
    rooms: Rooms = state.meeting_rooms
    return rooms


async def _admit(
    db: Database, settings: Any, actor: Actor, meeting_id: int, peers: dict[str, Peer]
) -> tuple[Meeting, bool, str]:
    """The meeting, whether the actor hosts it and its media path; raises _Refused when they
    may not come in."""
    async with db.transaction(write=False) as session:
        meeting = await session.get(Meeting, meeting_id)
        if meeting is None:
            raise _Refused(4404, "meetings_not_found")
        role = await role_of(session, actor, meeting)
        host = role in ("organizer", "host")
        if meeting.status in ("ended", "cancelled"):
            raise _Refused(4410, "meetings_room_ended")
        if meeting.invite_only and role is None:
            raise _Refused(4403, "meetings_room_invite_only")
        if meeting.locked and not host:
            raise _Refused(4409, "meetings_room_locked")
        mode = await media_mode(session, settings, meeting)
        if mode == "p2p" and len(peers) >= MESH_LIMIT:
            raise _Refused(4409, "meetings_room_full", limit=MESH_LIMIT)
        session.expunge(meeting)
        return meeting, host, mode


class _Refused(Exception):
    def __init__(self, close_code: int, code: str, **params: Any) -> None:
        super().__init__(code)
        self.close_code, self.code, self.params = close_code, code, params


async def _welcome_data(db: Database, meeting: Meeting) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    from tongban.meetings.service import invitee_ids

    async with db.transaction(write=False) as session:
        rows = (
            await session.execute(
                select(ChatMessage)
                .where(ChatMessage.meeting_id == meeting.id)
                .order_by(ChatMessage.id.desc())
                .limit(CHAT_HISTORY)
            )
        ).scalars()
        chat = list(rows)[::-1]
        ids = [meeting.organizer_id, *await invitee_ids(session, meeting.id)]
        names = await org.names_of(session, ids + [c.person_id for c in chat if c.person_id])
    messages = [_chat_json(c, names.get(c.person_id or 0, "")) for c in chat]
    invitees = [{"person_id": pid, "name": names.get(pid, "")} for pid in dict.fromkeys(ids)]
    return messages, invitees


def _chat_json(row: ChatMessage, name: str) -> dict[str, Any]:
    return {
        "id": row.id,
        "person_id": row.person_id,
        "name": name,
        "body": row.body,
        "created_at": row.created_at.isoformat(),
    }


async def _serve(scope: Scope, receive: Receive, send: Send) -> None:
    if (await receive())["type"] != "websocket.connect":
        return
    actor = await websocket_actor(HTTPConnection(scope))
    if actor is None:
        await send({"type": "websocket.close", "code": 1008})
        return
    i18n.current_locale.set(actor.locale)
    meeting_id = int(scope["path_params"]["meeting_id"])
    rooms = rooms_of(scope)
    db: Database = scope["app"].state.db
    peers = rooms.peers(meeting_id)
    settings = scope["app"].state.settings
    sfus = sfu_rooms_of(scope["app"].state)
    try:
        meeting, host, mode = await _admit(db, settings, actor, meeting_id, peers)
        sfu = None
        if mode == "sfu":
            try:
                sfu = await sfus.open(settings, meeting_id, lambda c, m: rooms.send_to(meeting_id, c, m))
            except MediaUnavailable as exc:
                if host:
                    raise _Refused(4503, "meetings_media_unavailable_host", reason=exc.reason) from None
                raise _Refused(4503, "meetings_media_unavailable") from None
    except _Refused as refused:
        await send({"type": "websocket.accept"})
        text = json.dumps(
            {"type": "refused", "code": refused.code, "message": i18n.t(refused.code, **refused.params)},
            ensure_ascii=False,
        )
        await send({"type": "websocket.send", "text": text})
        await send({"type": "websocket.close", "code": refused.close_code})
        return
    await send({"type": "websocket.accept"})

    async def send_text(text: str) -> None:
        await send({"type": "websocket.send", "text": text})

    async def close() -> None:
        await send({"type": "websocket.close", "code": 4401})

    me = Peer(uuid.uuid4().hex[:10], actor.person_id, actor.name, host, send=send_text, close=close)
    async with db.transaction() as session:
        stay = Participation(meeting_id=meeting_id, person_id=actor.person_id, joined_at=utcnow())
        session.add(stay)
        if meeting.status == "scheduled":
            await session.execute(update(Meeting).where(Meeting.id == meeting_id).values(status="live"))
        await session.flush()
        me.participation_id = stay.id
    chat, invitees = await _welcome_data(db, meeting)
    welcome = {
        "type": "welcome",
        "you": me.conn,
        "me": me.public(),
        "host": host,
        "locked": meeting.locked,
        "title": meeting.title,
        "peers": [p.public() for p in peers.values()],
        "chat": chat,
        "invitees": invitees,
        "media": mode,
        "ice_servers": settings.meetings_ice_servers,
        "recording": bool(sfu and sfu.recording),
    }
    peers[me.conn] = me
    await send_text(json.dumps(welcome, ensure_ascii=False))
    await rooms.broadcast(meeting_id, {"type": "joined", "peer": me.public()}, skip=me.conn)
    if sfu is not None:
        sfu.add_peer(me.conn)
        with contextlib.suppress(JanusError, JanusUnavailable):
            await sfu.subscribe_to_all(me.conn)
    try:
        while True:
            message = await receive()
            if message["type"] == "websocket.disconnect":
                break
            try:
                data = json.loads(message.get("text") or "")
            except ValueError:
                continue
            if isinstance(data, dict) and await _on_message(db, rooms, sfus, meeting_id, me, data) == "leave":
                break
    finally:
        peers.pop(me.conn, None)
        if sfu is not None:
            with contextlib.suppress(JanusError, JanusUnavailable):
                await sfu.remove_peer(me.conn)
        if not peers:
            rooms.rooms.pop(meeting_id, None)
            if sfu is not None:
                await sfus.close(meeting_id)
        with contextlib.suppress(Exception):
            await rooms.broadcast(meeting_id, {"type": "left", "peer": me.public()})
        async with db.transaction() as session:
            await session.execute(
                update(Participation).where(Participation.id == me.participation_id).values(left_at=utcnow())
            )


async def _on_sfu(sfus: SfuRooms, rooms: Rooms, meeting_id: int, me: Peer, data: dict[str, Any]) -> None:
    sfu = sfus.rooms.get(meeting_id)
    sdp = data.get("sdp")
    if sfu is None or not isinstance(sdp, dict):
        return
    try:
        if data["type"] == "sfu_publish":
            answer = await sfu.publish(me.conn, sdp)
            await rooms.send_to(meeting_id, me.conn, {"type": "sfu_answer", "sdp": answer})
            if me.muted:
                await sfu.moderate(me.conn, True)
        elif isinstance(data.get("sub"), int):
            await sfu.start(me.conn, data["sub"], sdp)
    except (JanusError, JanusUnavailable) as exc:
        sfus.note(False, str(exc))
        message = i18n.t("meetings_media_unavailable")
        await rooms.send_to(meeting_id, me.conn, {"type": "sfu_error", "message": message})


async def _on_message(
    db: Database, rooms: Rooms, sfus: SfuRooms, meeting_id: int, me: Peer, data: dict[str, Any]
) -> str | None:
    kind = data.get("type")
    if kind in ("sfu_publish", "sfu_start"):
        await _on_sfu(sfus, rooms, meeting_id, me, data)
    elif kind == "signal" and isinstance(data.get("to"), str):
        await rooms.send_to(
            meeting_id, data["to"], {"type": "signal", "from": me.conn, "data": data.get("data")}
        )
    elif kind == "state":
        was_muted = me.muted
        for name in ("muted", "camera", "hand", "sharing"):
            if isinstance(data.get(name), bool):
                setattr(me, name, data[name])
        sfu = sfus.rooms.get(meeting_id)
        if sfu is not None and me.muted != was_muted:
            with contextlib.suppress(JanusError, JanusUnavailable):
                await sfu.moderate(me.conn, me.muted)
        await rooms.broadcast(meeting_id, {"type": "state", "peer": me.public()})
    elif kind == "chat":
        body = str(data.get("body") or "").strip()[:CHAT_MAX]
        if body:
            async with db.transaction() as session:
                row = ChatMessage(
                    meeting_id=meeting_id, person_id=me.person_id, body=body, created_at=utcnow()
                )
                session.add(row)
                await session.flush()
                out = _chat_json(row, me.name)
            await rooms.broadcast(meeting_id, {"type": "chat", "message": out})
    elif kind == "host" and (me.host or me.cohost):
        return await _host_action(
            db, rooms, sfus, meeting_id, me, str(data.get("action")), data.get("target")
        )
    elif kind == "leave":
        return "leave"
    return None


async def _host_action(
    db: Database, rooms: Rooms, sfus: SfuRooms, meeting_id: int, me: Peer, action: str, target: object
) -> str | None:
    peers = rooms.peers(meeting_id)
    sfu = sfus.rooms.get(meeting_id)
    if action in ("mute_all", "mute"):
        targets = [c for c in peers if c != me.conn] if action == "mute_all" else [target]
        for conn in targets:
            if isinstance(conn, str) and conn in peers:
                await rooms.send_to(meeting_id, conn, {"type": "mute"})
                # Muted now, as far as the room knows; their own unmute lifts it (state below).
                peers[conn].muted = True
                await rooms.broadcast(meeting_id, {"type": "state", "peer": peers[conn].public()})
                if sfu is not None:  # Janus stops forwarding it, whatever the browser does
                    with contextlib.suppress(JanusError, JanusUnavailable):
                        await sfu.moderate(conn, True)
    elif action in ("cohost", "uncohost") and me.host and isinstance(target, str) and target in peers:
        # A co-host runs the room with the host for this meeting (not the organiser's rights:
        # they do not become a host of the meeting record).
        peers[target].cohost = action == "cohost"
        await rooms.broadcast(meeting_id, {"type": "state", "peer": peers[target].public()})
    elif action == "remove" and isinstance(target, str) and target in peers:
        await rooms.send_to(meeting_id, target, {"type": "removed"})
        with contextlib.suppress(Exception):
            await peers[target].close()
    elif action in ("lock", "unlock"):
        async with db.transaction() as session:
            await session.execute(
                update(Meeting).where(Meeting.id == meeting_id).values(locked=action == "lock")
            )
        await rooms.broadcast(meeting_id, {"type": "locked", "locked": action == "lock"})
    elif action == "end":
        async with db.transaction() as session:
            await session.execute(
                update(Meeting).where(Meeting.id == meeting_id).values(status="ended", ended_at=utcnow())
            )
        await rooms.broadcast(meeting_id, {"type": "ended"})
        return "leave"
    return None


class RoomEndpoint:
    """The ASGI app for PATH (bare, like the event stream: sockets are held for a meeting's length)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await _serve(scope, receive, send)


room_endpoint = RoomEndpoint()
