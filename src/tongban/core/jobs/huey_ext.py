"""Huey's consumer, adjusted: workers woken by in-process enqueues, periodic runs claimed once."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

from huey import RedisHuey
from huey.api import Huey
from huey.consumer import Consumer, Scheduler, Worker


class _WakeableWorker(Worker):  # type: ignore[misc]
    """Huey's worker, woken at once by a job queued in this process instead of its next poll."""

    wake: threading.Event
    delay: float
    default_delay: float
    max_delay: float
    backoff: float

    def sleep(self) -> None:
        self.delay = min(self.delay, self.max_delay)
        if self.wake.wait(self.delay):
            self.wake.clear()
            self.delay = self.default_delay
            return
        self.delay *= self.backoff


class _ClaimingScheduler(Scheduler):  # type: ignore[misc]
    """Queues each periodic run once across all consumers sharing a Redis queue."""

    def enqueue_periodic_tasks(self, now: dt.datetime | None) -> None:
        timestamp = now or self.huey._get_timestamp()
        conn = getattr(self.huey.storage, "conn", None)
        for task in self.huey.read_periodic(timestamp):
            if isinstance(self.huey, RedisHuey) and conn is not None:
                key = f"tongban:periodic:{type(task).__name__}:{timestamp:%Y%m%d%H%M}"
                if not conn.set(key, b"1", nx=True, ex=3600):
                    continue
            try:
                self.huey.enqueue(task)
            except Exception:
                self._logger.exception("Error enqueueing periodic task %s.", task)


class _Consumer(Consumer):  # type: ignore[misc]
    worker_class = _WakeableWorker
    scheduler_class = _ClaimingScheduler

    def __init__(self, huey: Huey, wake: threading.Event, *, install_signals: bool, **options: Any) -> None:
        self._wake = wake
        self._install_signals = install_signals
        super().__init__(huey, **options)

    def _create_worker(self) -> Worker:
        worker = super()._create_worker()
        worker.wake = self._wake
        return worker

    def _set_signal_handlers(self) -> None:
        # Inside `tongban serve` the signals belong to uvicorn.
        if self._install_signals:
            super()._set_signal_handlers()
