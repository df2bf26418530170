"""Browser end-to-end tests: the built web app against a real `tongban serve`.

One server per test session, in a temporary data directory with the demo organisation loaded
(`tongban migrate` + `tongban demo`), and Debian's Chromium driven by Playwright with a fresh
profile for every test. The web app must be built first (`cd web && npm ci && npm run build`).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import BrowserContext, Page, Playwright, expect, sync_playwright

ROOT = Path(__file__).resolve().parents[2]
WEB_DIST = ROOT / "src" / "tongban" / "web_dist" / "index.html"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = ROOT / "test-artifacts" / "e2e"
DEMO_PASSWORD = "tongban-demo"

# One slow write on a busy CI machine should not fail a run; a broken flow still fails fast enough.
expect.set_options(timeout=15_000)

VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 375, "height": 812}}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _tongban(*args: str) -> list[str]:
    # The interpreter running the tests has tongban installed (uv's venv): no PATH lookup needed.
    return [sys.executable, "-m", "tongban.cli", *args]


def _missing(reason: str) -> None:
    """Skip on a developer machine; in CI a missing browser or build is a failure, not a skip."""
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="package")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not WEB_DIST.is_file():
        _missing("web app not built: run `make web`")
    if not Path(CHROMIUM).exists():
        _missing(f"{CHROMIUM} is missing: apt-get install -y chromium fonts-wqy-zenhei")
    data_dir = tmp_path_factory.mktemp("e2e-data")
    env = {**os.environ, "TONGBAN_DATA_DIR": str(data_dir), "TONGBAN_REDIS_URL": ""}
    env.pop("TONGBAN_DATABASE_URL", None)
    for step in ("migrate", "demo"):
        subprocess.run(_tongban(step), cwd=ROOT, env=env, check=True, capture_output=True, timeout=300)
    port = _free_port()
    log = (data_dir / "serve.log").open("wb")
    proc = subprocess.Popen(
        _tongban("serve", "--host", "127.0.0.1", "--port", str(port)),
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"tongban serve did not start; see {data_dir / 'serve.log'}")
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


@pytest.fixture(autouse=True)
def _clean_tables() -> None:
    """Overrides the suite's async per-test cleanup: these tests use their own server process,
    and an async fixture here would run an event loop under Playwright's sync API."""


# Package scope, not session: while sync Playwright runs, its event loop counts as running in this
# thread, and the async tests that come after this package could not start theirs.
@pytest.fixture(scope="package")
def playwright_instance() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture
def open_browser(
    playwright_instance: Playwright, tmp_path: Path
) -> Iterator[Callable[[str], tuple[BrowserContext, Page]]]:
    """Opens Chromium with a fresh profile at one of VIEWPORTS, in a Chinese locale."""
    contexts: list[BrowserContext] = []

    def launch(viewport: str) -> tuple[BrowserContext, Page]:
        context = playwright_instance.chromium.launch_persistent_context(
            str(tmp_path / f"profile-{len(contexts)}"),
            executable_path=CHROMIUM,
            args=CHROMIUM_ARGS,
            headless=True,
            viewport=VIEWPORTS[viewport],
            locale="zh-CN",
            timezone_id="Asia/Shanghai",
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.pages[0] if context.pages else context.new_page()
        return context, page

    yield launch
    for context in contexts:
        context.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def reset_locale(server: str) -> Callable[[str], None]:
    """Puts a demo account back on Chinese (a test may have switched it to English)."""

    def reset(username: str) -> None:
        with httpx.Client(base_url=server) as http:
            http.post(
                "/api/auth/login", json={"login": username, "password": DEMO_PASSWORD}
            ).raise_for_status()
            csrf = http.cookies.get("tongban_csrf") or ""
            http.patch("/api/me", json={"locale": "zh-CN"}, headers={"X-CSRF-Token": csrf}).raise_for_status()
            http.post("/api/auth/logout", headers={"X-CSRF-Token": csrf})

    return reset
