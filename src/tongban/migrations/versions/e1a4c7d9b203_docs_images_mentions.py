"""docs images and mentions

Revision ID: e1a4c7d9b203
Revises: 39146a1ffd2f
Create Date: 2026-12-02 18:55:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import tongban.core.db

revision: str = "e1a4c7d9b203"
down_revision: str | Sequence[str] | None = "39146a1ffd2f"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "docs_images",
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("file_id", sa.String(length=36), nullable=False),
        sa.Column("created_at", tongban.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["document_id"], ["docs_documents.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["file_id"], ["files.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("document_id", "file_id"),
    )
    op.create_index(op.f("ix_docs_images_file_id"), "docs_images", ["file_id"], unique=False)
    op.create_table(
        "docs_mentions",
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("mentioned_by", sa.Integer(), nullable=True),
        sa.Column("created_at", tongban.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["document_id"], ["docs_documents.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["mentioned_by"], ["people.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("document_id", "person_id"),
    )


def downgrade() -> None:
    op.drop_table("docs_mentions")
    op.drop_index(op.f("ix_docs_images_file_id"), table_name="docs_images")
    op.drop_table("docs_images")
