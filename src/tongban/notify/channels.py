"""Where notifications go besides the inbox.

The in-app channel is the person's event stream: it is written in the notifying transaction
itself (so a committed notification always reaches every open tab, and is replayed on
reconnect). Outside channels — Web Push, e-mail, an SMS gateway — implement `Channel`, are
registered once at import time, and are handed each notification that should alert its owner
after the transaction commits, by a background job with retries. Callers of `notify` never
change when a channel is added.
"""

from __future__ import annotations

import logging
from typing import Protocol, runtime_checkable

from sqlalchemy.ext.asyncio import AsyncSession

from tongban.core.events import publish_many
from tongban.notify.events import NotificationCreated
from tongban.notify.schemas import NotificationDelivery, NotificationRead

log = logging.getLogger(__name__)


@runtime_checkable
class Channel(Protocol):
    """An outside delivery route. `deliver` raises to have the delivery retried."""

    name: str

    async def deliver(self, notification: NotificationDelivery) -> None: ...


class InAppChannel:
    """The notification centre in the web app, fed by the event stream."""

    name = "in_app"

    async def publish(self, session: AsyncSession, items: list[tuple[int, NotificationRead, bool]]) -> None:
        await publish_many(
            session,
            [
                ([person_id], NotificationCreated(notification=n, alert=alert))
                for person_id, n, alert in items
            ],
        )


IN_APP = InAppChannel()
_CHANNELS: dict[str, Channel] = {}


def register_channel(channel: Channel) -> None:
    """Add an outside channel (once, at import time of the module that provides it)."""
    if channel.name in _CHANNELS or channel.name == IN_APP.name:
        raise ValueError(f"notification channel {channel.name!r} registered twice")
    _CHANNELS[channel.name] = channel


def unregister_channel(name: str) -> None:
    _CHANNELS.pop(name, None)


def external_channels() -> list[Channel]:
    return list(_CHANNELS.values())


__all__ = [
    "IN_APP",
    "Channel",
    "InAppChannel",
    "external_channels",
    "register_channel",
    "unregister_channel",
]
