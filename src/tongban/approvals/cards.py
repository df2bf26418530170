"""The "approval" card for chats: a request as its reader may see it, refreshed on every change."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from tongban.approvals.models import ApprovalRequest
from tongban.core import i18n
from tongban.core.errors import AppError
from tongban.core.permissions import Actor
from tongban.im.cards import CardData, register_card_type, update_cards
from tongban.org import service as org

i18n.register(
    {
        "approvals.card_status.pending": ("审批中", "In progress"),
        "approvals.card_status.approved": ("已通过", "Approved"),
        "approvals.card_status.rejected": ("已拒绝", "Rejected"),
        "approvals.card_status.withdrawn": ("已撤回", "Withdrawn"),
        "approvals.card_status.returned": ("已退回", "Returned"),
        "approvals.card_submitter": ("发起人", "Submitted by"),
    }
)


async def _data(session: AsyncSession, request: ApprovalRequest) -> CardData:
    names = await org.names_of(session, [request.submitter_id])
    return CardData(
        title=request.title,
        link=f"/approvals/requests/{request.id}",
        fields=[(i18n.t("approvals.card_submitter"), names.get(request.submitter_id, ""))],
        status=i18n.t(f"approvals.card_status.{request.status}"),
    )


async def approval_card(session: AsyncSession, actor: Actor, ref: str) -> CardData | None:
    from tongban.approvals.reads import access_request

    if not ref.isdigit():
        return None
    try:
        request = await access_request(session, actor, int(ref))
    except AppError:
        return None
    return await _data(session, request)


async def refresh_card(session: AsyncSession, request: ApprovalRequest) -> None:
    await update_cards(session, "approval", str(request.id), await _data(session, request))


register_card_type("approval", approval_card)
