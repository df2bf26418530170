"""Meetings (会议) in Chromium: J2 — the organiser shows the check-in code full screen at 1280 px,
attendees scan it on 375 px phones (one in Chinese, one in English), sign in, are checked in
once (a second scan says when), and the organiser's count rises live; missing by department."""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import time
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


MEDIA_ARGS = [
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
    "--auto-select-desktop-capture-source=Entire screen",
    "--allow-loopback-in-peer-connection",
    "--disable-features=WebRtcHideLocalIpsWithMdns",
]

RECEIVED = """async () => {
  const peers = window.tongbanMeetingPeers;
  if (!peers || peers.size === 0) return {bytes: 0, frames: 0};
  let bytes = 0, frames = 0;
  for (const pc of peers.values()) {
    const stats = await pc.getStats();
    stats.forEach((s) => {
      if (s.type === 'inbound-rtp' && s.kind === 'video') {
        bytes += s.bytesReceived || 0;
        frames += s.framesDecoded || 0;
      }
    });
  }
  return {bytes, frames};
}"""


def media_browser(playwright, tmp_path: Path, viewport: str, n: int) -> tuple[BrowserContext, Page]:
    from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, VIEWPORTS

    context = playwright.chromium.launch_persistent_context(
        str(tmp_path / f"media-{n}"),
        executable_path=CHROMIUM,
        args=[*CHROMIUM_ARGS, *MEDIA_ARGS],
        headless=True,
        viewport=VIEWPORTS[viewport],
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        permissions=["camera", "microphone"],
    )
    context.set_default_timeout(20_000)
    return context, context.pages[0] if context.pages else context.new_page()


def wait_for_media(page: Page, frames_over: int = 0) -> dict[str, int]:
    deadline = time.monotonic() + 30
    while True:
        got = page.evaluate(RECEIVED)
        if got["bytes"] > 0 and got["frames"] > frames_over:
            return got
        assert time.monotonic() < deadline, f"no remote video arrived: {got}"
        page.wait_for_timeout(300)


def test_two_browsers_meet_peer_to_peer(
    server: str, playwright_instance, tmp_path: Path, artifacts: Path, reset_locale: Callable[[str], None]
) -> None:
    reset_locale("wangjianguo")
    reset_locale("nierongcheng")
    with api_as(server, "wangjianguo") as office:
        people = {
            login: office.get("/api/org/people", params={"q": login}).json()["items"][0]["id"]
            for login in ("nierongcheng", "hanxue")
        }
        start = dt.datetime.now(dt.UTC)
        meeting = office.post(
            "/api/meetings",
            json={
                "kind": "video",
                "title": f"视频调度会 {uuid.uuid4().hex[:4]}",
                "start": start.isoformat(),
                "end": (start + dt.timedelta(hours=1)).isoformat(),
                "person_ids": list(people.values()),
            },
        ).json()
    room = f"{server}/meetings/{meeting['id']}/room"
    host_ctx, host = media_browser(playwright_instance, tmp_path, "desktop", 1)
    guest_ctx, guest = media_browser(playwright_instance, tmp_path, "phone", 2)
    try:
        host.goto(room)
        sign_in(host, "wangjianguo")
        expect(host.get_by_test_id("lobby")).to_be_visible()
        expect(host.get_by_test_id("join")).to_be_enabled()
        shot(host, artifacts / "desktop-meetings-4-lobby.png")
        host.get_by_test_id("join").click()
        expect(host.get_by_test_id("room")).to_be_visible()

        guest.goto(room)
        sign_in(guest, "nierongcheng")
        expect(guest.get_by_test_id("join")).to_be_enabled()
        guest.get_by_test_id("join").click()
        expect(guest.get_by_test_id("room-count")).to_contain_text("2 人在会")
        expect(host.get_by_test_id("room-count")).to_contain_text("2 人在会")

        # Media flows both ways, peer to peer.
        on_host = wait_for_media(host)
        on_guest = wait_for_media(guest)
        assert on_host["frames"] > 0 and on_guest["frames"] > 0
        shot(host, artifacts / "desktop-meetings-5-room.png")
        shot(guest, artifacts / "phone-meetings-6-room.png")

        # The guest shares the screen: the host keeps decoding frames (now the screen's).
        before = host.evaluate(RECEIVED)["frames"]
        guest.get_by_test_id("share").click()
        expect(guest.get_by_test_id("share")).to_contain_text("停止共享")
        wait_for_media(host, frames_over=before + 10)

        # Raise hand, chat, and the invitee who has not come yet.
        guest.get_by_test_id("hand").click()
        expect(host.get_by_test_id(f"tile-{people['nierongcheng']}")).to_contain_text("✋")
        guest.get_by_test_id("open-chat").click()
        guest.get_by_test_id("chat-input").locator("input").fill("莲台村已到位")
        guest.get_by_test_id("chat-input").locator("input").press("Enter")
        host.get_by_test_id("open-chat").click()
        expect(host.get_by_test_id("chat-list")).to_contain_text("莲台村已到位")
        host.keyboard.press("Escape")
        host.get_by_test_id("open-people").click()
        expect(host.get_by_test_id("not-joined")).to_contain_text("韩雪")
        expect(host.get_by_test_id("not-joined")).not_to_contain_text("聂荣成")
        shot(host, artifacts / "desktop-meetings-6-people.png")
        host.keyboard.press("Escape")

        # Host controls: mute all, then end the meeting for everyone.
        host.get_by_test_id("mute-all").click()
        guest.keyboard.press("Escape")
        expect(guest.get_by_test_id("toggle-mic")).to_contain_text("取消静音")
        host.get_by_role("button", name="结束会议").click()
        host.locator(".ant-popconfirm .ant-btn-primary").click()
        expect(guest.get_by_test_id("room-message")).to_have_text("会议已结束")
        shot(guest, artifacts / "phone-meetings-7-ended.png")

        with api_as(server, "wangjianguo") as office:
            att = office.get(f"/api/meetings/{meeting['id']}/attendance").json()
        nie = next(a for a in att["attendees"] if a["name"] == "聂荣成")
        assert nie["online_seconds"] >= 1
    finally:
        host_ctx.close()
        guest_ctx.close()
