"""meetings: large meetings (webinars) go through the SFU whatever their size

Revision ID: a7c3e9d1f2b4
Revises: e1a4c7d9b203
Create Date: 2026-12-02 19:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a7c3e9d1f2b4"
down_revision: str | Sequence[str] | None = "e1a4c7d9b203"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("meetings_meetings") as batch:
        batch.add_column(sa.Column("large", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("meetings_meetings") as batch:
        batch.drop_column("large")
