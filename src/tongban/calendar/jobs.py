"""Calendar's background jobs, imported by `tongban worker` so it knows them by name."""

from __future__ import annotations

from tongban.calendar.reminders import fire_due
from tongban.core.jobs import JobContext, periodic


@periodic("* * * * *", name="calendar.reminders")
async def send_reminders(ctx: JobContext) -> None:
    """Every minute: the reminders now due (their rows survive restarts; see reminders.py)."""
    await fire_due(ctx.session)
