"""Handing notifications to the outside channels, after the notifying transaction commits."""

from __future__ import annotations

import logging

from tongban.core.jobs import JobContext, job
from tongban.notify.channels import external_channels
from tongban.notify.service import deliveries

log = logging.getLogger(__name__)


@job(retries=5, retry_delay=30.0, backoff=2.0)
async def deliver_to_channels(ctx: JobContext, notification_ids: list[int]) -> None:
    """Every outside channel gets every notification; a failing channel makes the run retry.

    A retry hands the notifications to every channel again, so a channel that needs exactly-once
    delivery keeps its own record of what it sent (by notification id).
    """
    channels = external_channels()
    if not channels:
        return
    items = await deliveries(ctx.session, notification_ids)
    failed: list[str] = []
    for channel in channels:
        for item in items:
            try:
                await channel.deliver(item)
            except Exception:
                log.exception("notification %s via %s failed", item.id, channel.name)
                failed.append(channel.name)
                break
    if failed:
        raise RuntimeError(f"notification delivery failed via {', '.join(failed)}")
