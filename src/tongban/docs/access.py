"""Who may do what with a document. Every read goes through `readable_documents` or
`access_document`.

Roles, weakest first: viewer (read), commenter (read and comment), editor (change the content,
rename, add pages below), owner (share, delete). A person's role is the strongest of: owner,
their own grant, a grant to any department they are in (or above it), and the link role. A
stranger asking about a document gets the same 403 whether it exists or not.
"""

from __future__ import annotations

from sqlalchemy import Select, exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from tongban.core import i18n
from tongban.core.errors import Forbidden
from tongban.core.permissions import Actor
from tongban.docs.models import DocAccess, Document
from tongban.org import service as org

i18n.register(
    {
        "docs_no_access": (
            "文档不存在，或你没有访问权限",
            "The document does not exist, or you have no access to it",
        ),
        "docs_read_only": ("你对这个文档只有查看权限", "You can only view this document"),
        "docs_not_editor": ("只有可编辑的成员可以这样做", "Only editors can do this"),
        "docs_not_owner": ("只有文档所有者可以这样做", "Only the document's owner can do this"),
        "docs_cannot_comment": ("你没有评论这个文档的权限", "You may not comment on this document"),
        "field.docs_unknown_parent": ("上级页面不存在或无权编辑", "no such page, or you may not edit it"),
        "field.docs_parent_cycle": ("不能移动到自己的子页面下", "cannot move a page below itself"),
        "field.docs_unknown_person": ("成员不存在", "no such person"),
        "field.docs_unknown_department": ("部门不存在", "no such department"),
        "field.docs_owner_grant": ("所有者已拥有全部权限", "the owner already has every right"),
        "field.docs_unknown_comment": ("评论不存在", "no such comment"),
        "field.docs_reply_anchor": ("回复不能单独锚定文字", "a reply cannot have its own anchor"),
        "field.docs_bad_import": (
            "无法读取这个文件：{reason}",
            "cannot read this file: {reason}",
        ),
        "field.docs_import_type": (
            "只支持 Markdown（.md）、HTML（.html）和 Word（.docx）文件",
            "only Markdown (.md), HTML (.html) and Word (.docx) files can be imported",
        ),
        "field.docs_too_large": (
            "文件过大（上限 {limit} MB）",
            "the file is too large (at most {limit} MB)",
        ),
    }
)

RANK = {"viewer": 1, "commenter": 2, "editor": 3, "owner": 4}


def stronger(a: str | None, b: str | None) -> str | None:
    if a is None:
        return b
    if b is None:
        return a
    return a if RANK[a] >= RANK[b] else b


def at_least(role: str | None, wanted: str) -> bool:
    return role is not None and RANK[role] >= RANK[wanted]


async def readable_documents(session: AsyncSession, actor: Actor) -> Select[Document]:
    """Documents the actor owns or was granted (directly or through a department).

    Link-shared documents are not listed here: a link is for those who were given it; once
    opened they appear under "recent" (service.list_documents)."""
    departments = await org.enclosing_department_ids(session, actor.person_id)
    granted = exists().where(
        DocAccess.document_id == Document.id,
        or_(DocAccess.person_id == actor.person_id, DocAccess.department_id.in_(departments)),
    )
    return select(Document).where(
        Document.deleted_at.is_(None), or_(Document.owner_id == actor.person_id, granted)
    )


async def role_of(session: AsyncSession, person_id: int, document: Document) -> str | None:
    """The person's effective role on a (not deleted) document, or None."""
    if document.deleted_at is not None:
        return None
    if document.owner_id == person_id:
        return "owner"
    departments = await org.enclosing_department_ids(session, person_id)
    grants = await session.execute(
        select(DocAccess.role).where(
            DocAccess.document_id == document.id,
            or_(DocAccess.person_id == person_id, DocAccess.department_id.in_(departments)),
        )
    )
    role: str | None = document.link_role
    for grant in grants.scalars():
        role = stronger(role, grant)
    return role


async def access_document(
    session: AsyncSession, actor: Actor, document_id: int, wanted: str = "viewer"
) -> tuple[Document, str]:
    """The document and the actor's role, when it is at least `wanted`; 403 otherwise."""
    document = await session.get(Document, document_id)
    role = await role_of(session, actor.person_id, document) if document is not None else None
    if document is None or role is None:
        raise Forbidden("docs_no_access")
    if not at_least(role, wanted):
        raise Forbidden(
            {"commenter": "docs_cannot_comment", "editor": "docs_not_editor"}.get(wanted, "docs_not_owner")
        )
    return document, role
