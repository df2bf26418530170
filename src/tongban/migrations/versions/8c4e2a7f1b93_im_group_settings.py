"""im group settings: join links expire

Revision ID: 8c4e2a7f1b93
Revises: 2eadd31c5b61
Create Date: 2026-12-02 07:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from tongban.core.db import UTCDateTime

revision: str = "8c4e2a7f1b93"
down_revision: str | Sequence[str] | None = "2eadd31c5b61"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("im_conversations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("link_expires_at", UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("im_conversations", schema=None) as batch_op:
        batch_op.drop_column("link_expires_at")
