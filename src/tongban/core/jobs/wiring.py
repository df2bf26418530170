"""Wiring into the server (`start_jobs`/`stop_jobs`) and the `tongban worker` command."""

from __future__ import annotations

import asyncio
import fcntl
import logging
import os
import threading
from pathlib import Path

from tongban.core.config import Settings
from tongban.core.db import Database
from tongban.core.jobs.queue import JobQueue
from tongban.core.jobs.registry import _REGISTRY, discover_jobs
from tongban.core.jobs.runtime import ForwardingBroker, JobWorker, _Broker

# The package's logger, as before jobs.py was split into modules.
log = logging.getLogger("tongban.core.jobs")


class _FileLock:
    """Only one process consumes a SQLite queue: an exclusive lock beside the file decides which."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    def acquire(self) -> bool:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


class Jobs:
    """What the server holds: the queue, and the embedded consumer when it runs one."""

    STANDBY_SECONDS = 10.0

    def __init__(self, queue: JobQueue, worker: JobWorker | None, lock: _FileLock | None) -> None:
        self.queue = queue
        self.worker = worker
        self._lock = lock
        self._stopping = threading.Event()
        self._standby: threading.Thread | None = None

    def _start(self) -> None:
        if self.worker is None:
            return
        if self._lock is None or self._lock.acquire():
            self.worker.start()
            return
        # Another process on this data directory consumes the queue; take over if it goes away.
        log.info("another process runs the embedded job worker for %s; standing by", self._lock.path)
        self._standby = threading.Thread(target=self._wait_for_lock, name="jobs-standby", daemon=True)
        self._standby.start()

    def _wait_for_lock(self) -> None:
        assert self._lock is not None and self.worker is not None
        while not self._stopping.wait(self.STANDBY_SECONDS):
            if self._lock.acquire():
                log.info("taking over the embedded job worker")
                self.worker.start()
                return

    @property
    def running(self) -> bool:
        return self.worker is not None and self.worker._consumer is not None

    def stop(self) -> None:
        self._stopping.set()
        if self._standby is not None:
            self._standby.join(timeout=5)
        if self.worker is not None:
            self.worker.stop()
        if self._lock is not None:
            self._lock.release()
        self.queue.close()


async def start_jobs(settings: Settings, db: Database, broker: _Broker) -> Jobs:
    """Called in the server's lifespan: give sessions the queue; start the embedded consumer."""
    queue = JobQueue.from_settings(settings)
    # Sessions find the queue in their info, like the broker (see Database.__init__).
    db.sessionmaker.kw.setdefault("info", {})["jobs"] = queue
    worker: JobWorker | None = None
    lock: _FileLock | None = None
    if settings.embedded_worker:
        discover_jobs()
        for declared in _REGISTRY.values():
            queue.register(declared)
        forwarder = ForwardingBroker(broker, asyncio.get_running_loop())

        async def broker_factory() -> _Broker | None:
            return forwarder

        worker = JobWorker(queue, settings, broker_factory=broker_factory)
        if queue.is_sqlite:
            lock = _FileLock(settings.data_dir / "jobs.db.lock")
    jobs = Jobs(queue, worker, lock)
    await asyncio.to_thread(jobs._start)
    return jobs


async def stop_jobs(jobs: Jobs) -> None:
    # Off the loop: a job finishing meanwhile may still hand events to this loop's broker.
    await asyncio.to_thread(jobs.stop)


def run_worker(settings: Settings, *, workers: int = 4) -> None:
    """`tongban worker`: consume the queue in the foreground until a signal stops it."""
    discover_jobs()
    queue = JobQueue.from_settings(settings)

    async def broker_factory() -> _Broker | None:
        if not settings.redis_url:
            # Events are still stored; servers deliver them on the next event or reconnect.
            return None
        from tongban.core.events.broker import RedisBroker

        return RedisBroker(settings.redis_url)

    lock = _FileLock(settings.data_dir / "jobs.db.lock") if queue.is_sqlite else None
    if lock is not None and not lock.acquire():
        raise SystemExit(
            "another process already consumes the embedded job queue "
            "(set TONGBAN_EMBEDDED_WORKER=false on the servers, or use Redis)"
        )
    try:
        JobWorker(queue, settings, broker_factory=broker_factory, workers=workers, install_signals=True).run()
    finally:
        if lock is not None:
            lock.release()
        queue.close()
