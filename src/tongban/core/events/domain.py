"""In-process domain events: how one capability reacts to another's change without calling it.

`emit(session, event)` runs every handler registered for the event's type, in the emitter's
transaction, so the reaction commits or rolls back with the change that caused it (department
groups in im follow org's membership changes this way). Handlers must be quick and must not
commit; slow work belongs in a job they enqueue.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

Handler = Callable[[AsyncSession, Any], Awaitable[None]]
_handlers: dict[str, list[Handler]] = {}


def on(event_type: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        _handlers.setdefault(event_type, []).append(handler)
        return handler

    return register


async def emit(session: AsyncSession, event: BaseModel) -> None:
    kind = str(getattr(event, "type", ""))
    for handler in _handlers.get(kind, []):
        await handler(session, event)
