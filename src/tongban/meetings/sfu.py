"""A meeting's room on Janus (the SFU): Tongban holds the Janus session, creates the room with a
secret nobody else knows, and relays each participant's SDP over the room socket.

Each participant publishes once (a "publisher" handle: their microphone and camera go up to
Janus) and receives every other participant through one "subscriber" handle per feed. Media
never passes through this process — only the offers and answers do, which is why Tongban's
CPU per participant stays small (bench/meetings.py measures it).

The host's "mute all" is enforced by Janus (`moderate`: it stops forwarding their audio), not
only asked of the browsers; a participant who unmutes lifts their own moderation.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from dataclasses import dataclass, field
from typing import Any

from tongban.meetings.janus_client import JanusError, JanusSession, JanusUnavailable

log = logging.getLogger(__name__)


@dataclass
class Publisher:
    handle: int
    feed: int
    audio_mid: str | None
    live: bool = False


@dataclass
class Subscription:
    handle: int
    subscriber: str  # the conn receiving
    publisher: str  # the conn whose feed it is


def _mid_of(sdp: str, kind: str) -> str | None:
    """The mid of the first m= section of this kind in an SDP."""
    current = None
    for line in sdp.splitlines():
        if line.startswith("m="):
            current = line[2:].split(" ", 1)[0]
        elif current == kind and line.startswith("a=mid:"):
            return line[6:].strip()
    return None


@dataclass
class SfuRoom:
    """One meeting's Janus room; `send(conn, message)` reaches a participant's room socket."""

    url: str
    meeting_id: int
    send: Any
    admin_key: str = ""
    rec_dir: str = ""
    room: int = field(default_factory=lambda: secrets.randbelow(2**52) + 1)
    secret: str = field(default_factory=lambda: secrets.token_hex(16))
    publishers: dict[str, Publisher] = field(default_factory=dict)
    subs: dict[int, Subscription] = field(default_factory=dict)
    session: JanusSession | None = None
    control: int = 0
    recording: bool = False
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)
    _peers: set[str] = field(default_factory=set)

    async def open(self) -> None:
        """Create the Janus session and room; JanusUnavailable when Janus is not there."""
        self.session = JanusSession(self.url, self._on_event)
        await self.session.open()
        try:
            self.control = await self.session.attach()
            body: dict[str, Any] = {
                "request": "create",
                "room": self.room,
                "secret": self.secret,
                "is_private": True,
                "publishers": 100,
                "audiocodec": "opus",
                "videocodec": "vp8",
                "record": False,
            }
            if self.rec_dir:
                body["rec_dir"] = self.rec_dir
            if self.admin_key:
                body["admin_key"] = self.admin_key
            await self.session.message(self.control, body)
        except (JanusError, JanusUnavailable):
            await self.session.close()
            raise

    async def close(self) -> None:
        if self.session is None:
            return
        with contextlib.suppress(JanusError, JanusUnavailable):
            await self.session.message(
                self.control, {"request": "destroy", "room": self.room, "secret": self.secret}
            )
        for task in list(self._tasks):
            task.cancel()
        await self.session.close()

    def _spawn(self, coro: Any) -> None:
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def publish(self, conn: str, offer: dict[str, Any]) -> dict[str, Any]:
        """Join `conn` as a publisher with its offer; Janus's answer to send back."""
        assert self.session is not None
        old = self.publishers.pop(conn, None)
        if old is not None:
            await self.session.detach(old.handle)
        handle = await self.session.attach()
        data, jsep = await self.session.message(
            handle,
            {
                "request": "joinandconfigure",
                "ptype": "publisher",
                "room": self.room,
                "display": conn,
                "audio": True,
                "video": True,
            },
            offer,
        )
        if jsep is None:
            raise JanusError(0, "Janus answered a publish without SDP")
        self.publishers[conn] = Publisher(handle, int(data["id"]), _mid_of(jsep.get("sdp", ""), "audio"))
        return jsep

    async def subscribe_to_all(self, conn: str) -> None:
        """A newcomer receives every feed already live."""
        for other, pub in list(self.publishers.items()):
            if other != conn and pub.live:
                await self._subscribe(conn, other)

    async def _subscribe(self, subscriber: str, publisher: str) -> None:
        assert self.session is not None
        pub = self.publishers.get(publisher)
        if pub is None or any(
            s.subscriber == subscriber and s.publisher == publisher for s in self.subs.values()
        ):
            return
        handle = await self.session.attach()
        self.subs[handle] = Subscription(handle, subscriber, publisher)
        try:
            _data, jsep = await self.session.message(
                handle,
                {
                    "request": "join",
                    "ptype": "subscriber",
                    "room": self.room,
                    "streams": [{"feed": pub.feed}],
                },
            )
        except (JanusError, JanusUnavailable) as exc:
            log.warning("subscribing %s to %s failed: %s", subscriber, publisher, exc)
            self.subs.pop(handle, None)
            await self.session.detach(handle)
            return
        await self.send(subscriber, {"type": "sfu_offer", "sub": handle, "from": publisher, "sdp": jsep})

    async def start(self, conn: str, handle: int, answer: dict[str, Any]) -> None:
        """The subscriber's answer to Janus's offer: media starts flowing down."""
        assert self.session is not None
        sub = self.subs.get(handle)
        if sub is None or sub.subscriber != conn:
            return
        await self.session.message(handle, {"request": "start"}, answer)

    async def _on_event(self, sender: int, event: dict[str, Any]) -> None:
        # Runs on the long poll: anything that sends a request must run in its own task.
        if event.get("janus") == "webrtcup":
            for conn, pub in self.publishers.items():
                if pub.handle == sender and not pub.live:
                    pub.live = True
                    self._spawn(self._fan_out(conn))

    async def _fan_out(self, publisher: str) -> None:
        for conn in list(self.peer_conns()):
            if conn != publisher:
                await self._subscribe(conn, publisher)

    def peer_conns(self) -> list[str]:
        """Everyone who may receive (set by the room: participants, publishing or not)."""
        return list(self._peers)

    def add_peer(self, conn: str) -> None:
        self._peers.add(conn)

    async def remove_peer(self, conn: str) -> None:
        assert self.session is not None
        self._peers.discard(conn)
        pub = self.publishers.pop(conn, None)
        if pub is not None:
            await self.session.detach(pub.handle)
        for handle, sub in list(self.subs.items()):
            if conn in (sub.subscriber, sub.publisher):
                self.subs.pop(handle, None)
                await self.session.detach(handle)
                if sub.subscriber != conn:
                    await self.send(sub.subscriber, {"type": "sfu_gone", "sub": handle, "from": conn})

    async def moderate(self, conn: str, mute: bool) -> None:
        """Have Janus stop (or resume) forwarding `conn`'s audio."""
        assert self.session is not None
        pub = self.publishers.get(conn)
        if pub is None or pub.audio_mid is None:
            return
        with contextlib.suppress(JanusError):
            await self.session.message(
                self.control,
                {
                    "request": "moderate",
                    "room": self.room,
                    "secret": self.secret,
                    "id": pub.feed,
                    "mid": pub.audio_mid,
                    "mute": mute,
                },
            )

    async def set_recording(self, on: bool) -> None:
        """Janus writes each publisher's streams to .mjr files under rec_dir while on."""
        assert self.session is not None
        await self.session.message(
            self.control,
            {"request": "enable_recording", "room": self.room, "secret": self.secret, "record": on},
        )
        self.recording = on
