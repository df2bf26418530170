"""Prometheus metrics served at /metrics."""

from __future__ import annotations

import time

from prometheus_client import Counter, Gauge, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

WS_CONNECTIONS = Gauge("tongban_websocket_connections", "Open /api/events WebSockets in this process")
REQUESTS = Counter("tongban_http_requests_total", "HTTP requests", ["method", "route", "status"])
LATENCY = Histogram("tongban_http_request_seconds", "HTTP request latency", ["method", "route"])
GC_PAUSE = Histogram(
    "tongban_gc_pause_seconds",
    "Garbage-collector passes that stopped this process",
    ["generation"],
    buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0),
)


def watch_gc() -> None:
    """Time every collector pass into GC_PAUSE: long passes stall every request and socket."""
    import gc

    started = 0.0

    def on_gc(phase: str, info: dict[str, int]) -> None:
        nonlocal started
        if phase == "start":
            started = time.perf_counter()
        else:
            GC_PAUSE.labels(str(info["generation"])).observe(time.perf_counter() - started)

    gc.callbacks.append(on_gc)


class MetricsMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            route = scope.get("route")
            path = getattr(route, "path", "unmatched")
            method = scope.get("method", "")
            REQUESTS.labels(method, path, str(status)).inc()
            LATENCY.labels(method, path).observe(time.perf_counter() - start)
