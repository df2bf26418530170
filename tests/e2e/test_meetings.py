"""Meetings (会议) in Chromium: J2 — the organiser shows the check-in code full screen at 1280 px,
attendees scan it on 375 px phones (one in Chinese, one in English), sign in, are checked in
once (a second scan says when), and the organiser's count rises live; missing by department."""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.e2e.conftest import DEMO_PASSWORD
from tests.e2e.test_shell import shot, sign_in

pytestmark = pytest.mark.e2e

Launch = Callable[[str], tuple[BrowserContext, Page]]


@contextlib.contextmanager
def api_as(server: str, login: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server) as http:
        yield _signed_in(http, login)


def _signed_in(http: httpx.Client, login: str) -> httpx.Client:
    http.post("/api/auth/login", json={"login": login, "password": DEMO_PASSWORD}).raise_for_status()
    http.headers["X-CSRF-Token"] = http.cookies.get("tongban_csrf") or ""
    return http


def set_locale(server: str, login: str, locale: str) -> None:
    with api_as(server, login) as http:
        http.patch("/api/me", json={"locale": locale}).raise_for_status()


def no_sideways_scroll(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


def scan(page: Page, url: str, login: str) -> None:
    """Open the code's URL like a phone camera would, signing in when asked."""
    page.goto(url)
    expect(page).to_have_url(re.compile(r"/login\?next="))
    sign_in(page, login)
    expect(page).to_have_url(re.compile(r"/meetings/checkin/"))


def test_j2_qr_check_in_at_the_door(
    server: str, open_browser: Launch, artifacts: Path, reset_locale: Callable[[str], None]
) -> None:
    reset_locale("wangjianguo")
    reset_locale("nierongcheng")
    set_locale(server, "hanxue", "en-US")
    title = f"防汛调度会 {uuid.uuid4().hex[:4]}"
    with api_as(server, "wangjianguo") as office:
        departments = {d["name"]: d["id"] for d in office.get("/api/org/departments").json()}
        hanxue = office.get("/api/org/people", params={"q": "hanxue"}).json()["items"][0]["id"]
        start = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
        meeting = office.post(
            "/api/meetings",
            json={
                "title": title,
                "location": "县政府三楼会议室",
                "start": start.isoformat(),
                "end": (start + dt.timedelta(hours=2)).isoformat(),
                "department_ids": [departments["莲台镇"]],
                "person_ids": [hanxue],
                "rotate_seconds": 60,
            },
        ).json()
    mid = meeting["id"]

    try:
        # The organiser opens the meeting, then the full-screen code, on a desktop.
        _, desk = open_browser("desktop")
        desk.goto(f"{server}/meetings/{mid}")
        sign_in(desk, "wangjianguo")
        expect(desk.get_by_test_id("meeting-heading")).to_contain_text(title)
        expect(desk.get_by_test_id("by-department")).to_contain_text("聂荣成")
        shot(desk, artifacts / "desktop-meetings-1-desk.png")
        desk.get_by_test_id("open-display").click()
        code = desk.get_by_test_id("display-code")
        expect(code.locator("svg")).to_be_visible()
        expect(desk.get_by_test_id("display-count")).to_contain_text("已签到 0 /")
        shot(desk, artifacts / "desktop-meetings-2-display.png")
        url = code.get_attribute("data-url")
        assert url and f"/meetings/checkin/{mid}?t=" in url

        # 聂荣成 scans on a phone, in Chinese.
        _, phone = open_browser("phone")
        scan(phone, url, "nierongcheng")
        expect(phone.get_by_test_id("checkin-message")).to_contain_text("签到成功")
        no_sideways_scroll(phone)
        shot(phone, artifacts / "phone-meetings-1-checked-in-zh.png")
        expect(desk.get_by_test_id("display-count")).to_contain_text("已签到 1 /")
        expect(desk.locator(".meetings-display-flash")).to_contain_text("聂荣成")
        # A second scan: no second check-in, and the answer says when the first one was.
        phone.goto(url)
        expect(phone.get_by_test_id("checkin-message")).to_have_text(
            re.compile(r"^你已于 \d\d:\d\d 签到，无需重复签到$")
        )
        shot(phone, artifacts / "phone-meetings-2-already-zh.png")

        # 韩雪 reads English; a forged code is refused in English, the real one works.
        _, phone_en = open_browser("phone")
        scan(phone_en, url.split("?t=")[0] + "?t=1.forged", "hanxue")
        expect(phone_en.get_by_test_id("checkin-error")).to_contain_text("This check-in code is not valid")
        shot(phone_en, artifacts / "phone-meetings-3-forged-en.png")
        phone_en.goto(url)
        expect(phone_en.get_by_test_id("checkin-message")).to_contain_text("Checked in at")
        no_sideways_scroll(phone_en)
        shot(phone_en, artifacts / "phone-meetings-4-checked-in-en.png")
        phone_en.goto(url)
        expect(phone_en.get_by_test_id("checkin-message")).to_have_text(
            re.compile(r"^Already checked in at \d\d:\d\d$")
        )
        expect(desk.get_by_test_id("display-count")).to_contain_text("已签到 2 /")

        # Back at the desk: the count and who is still missing, by department.
        desk.goto(f"{server}/meetings/{mid}")
        expect(desk.get_by_test_id("by-department")).not_to_contain_text("聂荣成")
        shot(desk, artifacts / "desktop-meetings-3-after.png")

        # The organiser's page on a phone still fits.
        _, organiser_phone = open_browser("phone")
        organiser_phone.goto(f"{server}/meetings/{mid}")
        sign_in(organiser_phone, "wangjianguo")
        expect(organiser_phone.get_by_test_id("by-department")).to_be_visible()
        no_sideways_scroll(organiser_phone)
        shot(organiser_phone, artifacts / "phone-meetings-5-desk.png")
    finally:
        set_locale(server, "hanxue", "zh-CN")
