"""calendar: CalDAV resource names; default calendars named by a neutral key

Revision ID: b7c1d2e3f405
Revises: dfcd1479d9db
Create Date: 2026-12-02 12:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b7c1d2e3f405"
down_revision: str | Sequence[str] | None = "dfcd1479d9db"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("calendar_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("dav_name", sa.String(length=255), nullable=True))
        batch_op.create_index("ix_calendar_events_dav_name", ["calendar_id", "dav_name"], unique=False)
    # Default calendars made before this revision carry the name in their creator's language;
    # an empty name now means "my calendar", rendered in each viewer's language.
    op.execute(
        "UPDATE calendar_calendars SET name = '' WHERE is_default AND name IN ('我的日历', 'My calendar')"
    )


def downgrade() -> None:
    op.execute("UPDATE calendar_calendars SET name = '我的日历' WHERE is_default AND name = ''")
    with op.batch_alter_table("calendar_events", schema=None) as batch_op:
        batch_op.drop_index("ix_calendar_events_dav_name")
        batch_op.drop_column("dav_name")
