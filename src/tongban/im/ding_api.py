"""`/api/im/.../ding`: DING (钉一下) a message to members, acknowledge, and see who has."""

from __future__ import annotations

from fastapi import APIRouter, status

from tongban.auth.deps import CurrentActor
from tongban.core.deps import AppSettings, DbSession
from tongban.im import ding
from tongban.im.ding import DingCreate, DingRead

router = APIRouter(prefix="/api/im", tags=["im"])


@router.post("/messages/{message_id}/ding", response_model=DingRead, status_code=status.HTTP_201_CREATED)
async def ding_message(
    message_id: int, body: DingCreate, session: DbSession, actor: CurrentActor, settings: AppSettings
) -> DingRead:
    """DING members of the message's conversation about it (urgent, 钉一下).

    Each recipient gets an urgent notification (it ignores mutes and quiet hours) and an `im.ding`
    event; it repeats every `im_ding_repeat_minutes` until they acknowledge it, 12 times at most.
    Recipients must be members and not the caller (422 on `body.person_ids`).
    """
    return await ding.do_ding(
        session, actor, message_id, body.person_ids, repeat_minutes=settings.im_ding_repeat_minutes
    )


@router.post("/dings/{ding_id}/ack", response_model=DingRead)
async def acknowledge_ding(ding_id: int, session: DbSession, actor: CurrentActor) -> DingRead:
    """A recipient acknowledges the DING: its repeats stop for them, and the sender is told."""
    return await ding.do_acknowledge(session, actor, ding_id)


@router.get("/dings/{ding_id}", response_model=DingRead)
async def get_ding(ding_id: int, session: DbSession, actor: CurrentActor) -> DingRead:
    """The DING with who has acknowledged it (its sender or a recipient only)."""
    return await ding.get_ding(session, actor, ding_id)


@router.get("/dings", response_model=list[DingRead])
async def list_dings(session: DbSession, actor: CurrentActor, pending: bool = False) -> list[DingRead]:
    """DINGs sent to me, newest first; `pending=true` for those I have not acknowledged."""
    return await ding.list_dings(session, actor, pending=pending)
