"""Documents: the document row, who may open it, its Yjs update log and snapshots, versions,
comments, and each person's marks (starred, last opened)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from tongban.core.db import Base, utcnow

BigIntId = BigInteger().with_variant(Integer(), "sqlite")


class Document(Base):
    __tablename__ = "docs_documents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(200), default="")
    owner_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    # A page's parent page: documents form trees (a knowledge base), roots are "my documents".
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("docs_documents.id", ondelete="SET NULL"), index=True
    )
    # Link sharing inside the organisation: anyone signed in who has the link gets this role.
    link_role: Mapped[str | None] = mapped_column(String(16))
    # Plain text of the content for search and cards: refreshed about a second after each burst
    # of typing (docs/refresh.py), on compaction, and by imports and restores.
    text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    deleted_at: Mapped[dt.datetime | None]


class DocAccess(Base):
    """One grant: a person or a department (with its sub-departments) gets a role."""

    __tablename__ = "docs_access"
    __table_args__ = (
        UniqueConstraint("document_id", "person_id"),
        UniqueConstraint("document_id", "department_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("docs_documents.id", ondelete="CASCADE"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("departments.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(16))  # editor | commenter | viewer


class DocUpdate(Base):
    """One Yjs update the server accepted, stored before it was relayed (the update log)."""

    __tablename__ = "docs_updates"
    __table_args__ = (Index("ix_docs_updates_document", "document_id", "id"),)

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("docs_documents.id", ondelete="CASCADE"))
    data: Mapped[bytes] = mapped_column(LargeBinary)


class DocSnapshot(Base):
    """The merged state of every update folded in by compaction (they are then deleted)."""

    __tablename__ = "docs_snapshots"

    document_id: Mapped[int] = mapped_column(
        ForeignKey("docs_documents.id", ondelete="CASCADE"), primary_key=True
    )
    state: Mapped[bytes] = mapped_column(LargeBinary)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class DocVersion(Base):
    __tablename__ = "docs_versions"
    __table_args__ = (Index("ix_docs_versions_document", "document_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("docs_documents.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100), default="")  # empty for automatic versions
    state: Mapped[bytes] = mapped_column(LargeBinary)
    text: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class DocComment(Base):
    """A comment, or a reply when `parent_id` names the thread's first comment."""

    __tablename__ = "docs_comments"
    __table_args__ = (Index("ix_docs_comments_document", "document_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("docs_documents.id", ondelete="CASCADE"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("docs_comments.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    # Yjs relative positions (base64) of the commented range, so it follows concurrent edits.
    anchor: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    quote: Mapped[str] = mapped_column(String(500), default="")
    mentions: Mapped[list[int]] = mapped_column(JSON, default=list)
    resolved_at: Mapped[dt.datetime | None]
    resolved_by: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class DocMark(Base):
    """A person's relation to a document: starred, and when they last opened it (recent)."""

    __tablename__ = "docs_marks"
    __table_args__ = (UniqueConstraint("person_id", "document_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    document_id: Mapped[int] = mapped_column(ForeignKey("docs_documents.id", ondelete="CASCADE"), index=True)
    starred: Mapped[bool] = mapped_column(Boolean, default=False)
    opened_at: Mapped[dt.datetime | None]


class DocImage(Base):
    """An image uploaded into a document. The bytes are a file of the files capability; who may
    see it follows the documents it is in (a copy of the document carries its images along)."""

    __tablename__ = "docs_images"

    document_id: Mapped[int] = mapped_column(
        ForeignKey("docs_documents.id", ondelete="CASCADE"), primary_key=True
    )
    file_id: Mapped[str] = mapped_column(
        ForeignKey("files.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class DocMention(Base):
    """A person @mentioned in a document's text, recorded when they were told (or, lacking
    access, when the author was asked to share): each mention notifies once."""

    __tablename__ = "docs_mentions"

    document_id: Mapped[int] = mapped_column(
        ForeignKey("docs_documents.id", ondelete="CASCADE"), primary_key=True
    )
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), primary_key=True)
    mentioned_by: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
