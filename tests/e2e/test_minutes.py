"""Minutes (妙记) in Chromium, journey J5: upload a recording → progress → transcript → search →
playback jumps to where the word was said; then the same page on a 375 px phone."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.e2e.test_shell import shot, sign_in

pytestmark = pytest.mark.e2e

Launch = Callable[[str], tuple[BrowserContext, Page]]
CLIP = Path(__file__).resolve().parent.parent / "minutes" / "data" / "budget-en.ogg"


def test_j5_upload_transcribe_search_seek(server: str, open_browser: Launch, artifacts: Path) -> None:
    _, page = open_browser("desktop")
    page.goto(f"{server}/minutes")
    sign_in(page, "liufeng")
    expect(page.get_by_role("heading", name="妙记")).to_be_visible()
    page.get_by_label("语言").click()
    page.get_by_title("英语").click()
    page.get_by_test_id("minutes-file").set_input_files(str(CLIP))
    expect(page).to_have_url(re.compile(r"/minutes/\d+$"), timeout=30_000)
    # The transcript grows through the event stream; the job ends with keywords and key points.
    expect(page.get_by_test_id("minutes-segment").first).to_be_visible(timeout=180_000)
    expect(page.get_by_text("已完成")).to_be_visible(timeout=180_000)
    expect(page.get_by_role("heading", name="关键词")).to_be_visible()
    expect(page.get_by_role("heading", name="要点")).to_be_visible()
    shot(page, artifacts / "minutes-detail-1280.png")

    player = page.get_by_test_id("minutes-player")
    assert player.evaluate("el => el.currentTime") == 0
    page.get_by_test_id("minutes-search").locator("input").fill("approval")
    page.get_by_test_id("minutes-search").locator("input").press("Enter")
    expect(page.get_by_test_id("minutes-hit-count")).to_contain_text("共 1 处")
    expect(page.locator(".minutes-text mark")).to_have_text(re.compile("approval", re.I))
    # "approval" is said about 3 s in: the player was moved there.
    page.wait_for_function("el => el.currentTime > 2", arg=player.element_handle())
    at = player.evaluate("el => el.currentTime")
    assert 2.0 < at < 4.5, at
    expect(page.locator(".minutes-segment.is-current")).to_contain_text(re.compile("approval", re.I))
    shot(page, artifacts / "minutes-search-1280.png")
    url = page.url

    _, phone = open_browser("phone")
    phone.goto(url)
    sign_in(phone, "liufeng")
    expect(phone.get_by_role("heading", name="关键词")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    shot(phone, artifacts / "minutes-detail-375.png")
    phone.goto(f"{server}/minutes")
    expect(phone.locator(".minutes-item").first).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    shot(phone, artifacts / "minutes-list-375.png")
