"""Documents as cards in chats (im/cards.py): a pasted /docs/{id} link, or "share to chat".

A card shows what is the same for every reader: the title, the owner, the start of the text
and who the link lets in. Whether a reader may open it is decided when they follow the link.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from tongban.core import i18n
from tongban.core.permissions import Actor
from tongban.docs.access import role_of
from tongban.docs.models import Document
from tongban.im.cards import CardData, register_card_type, update_cards
from tongban.org import service as org

i18n.register(
    {
        "docs.card.owner": ("所有者", "Owner"),
        "docs.card.link": ("链接权限", "Link access"),
        "docs.card.link.none": ("仅限受邀成员", "Invited people only"),
        "docs.card.link.viewer": ("组织内可查看", "Anyone in the organisation can view"),
        "docs.card.link.commenter": ("组织内可评论", "Anyone in the organisation can comment"),
        "docs.card.link.editor": ("组织内可编辑", "Anyone in the organisation can edit"),
        "docs.card.untitled": ("无标题文档", "Untitled document"),
    }
)


async def describe(session: AsyncSession, document: Document) -> CardData:
    names = await org.names_of(session, [document.owner_id])
    return CardData(
        title=document.title or i18n.t("docs.card.untitled"),
        link=f"/docs/{document.id}",
        summary=document.text[:200],
        fields=[
            (i18n.t("docs.card.owner"), names.get(document.owner_id, "")),
            (i18n.t("docs.card.link"), i18n.t(f"docs.card.link.{document.link_role or 'none'}")),
        ],
    )


async def doc_card(session: AsyncSession, actor: Actor, ref: str) -> CardData | None:
    if not ref.isdigit():
        return None
    document = await session.get(Document, int(ref))
    if document is None or await role_of(session, actor.person_id, document) is None:
        return None
    return await describe(session, document)


async def refresh(session: AsyncSession, document: Document) -> None:
    """Renamed, re-shared or deleted: every chat showing it follows."""
    await update_cards(session, "doc", str(document.id), await describe(session, document))


register_card_type("doc", doc_card)
