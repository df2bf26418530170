"""Calendar (日历) in Chromium: J1 — the county office schedules the twice-weekly dispatch
meeting for the township teams, an officer accepts on a phone, the organiser sees the answer;
and the scheduling assistant for Warsaw and Beijing, in English, at both widths."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.e2e.conftest import DEMO_PASSWORD
from tests.e2e.test_shell import shot, sign_in

pytestmark = pytest.mark.e2e

Launch = Callable[[str], tuple[BrowserContext, Page]]
# Nine townships and three villages of the demo county: twelve teams.
TEAMS = [
    *("城关镇", "莲台镇", "清溪镇", "白马镇", "石门乡", "凤凰乡", "桃源乡", "龙潭乡", "青山乡"),
    *("莲台村", "荷塘村", "溪口村"),
]


def next_monday() -> dt.date:
    today = dt.date.today()
    return today + dt.timedelta(days=7 - today.weekday())


def demo_departments(server: str) -> dict[str, int]:
    with httpx.Client(base_url=server) as http:
        http.post("/api/auth/login", json={"login": "admin", "password": DEMO_PASSWORD}).raise_for_status()
        return {d["name"]: d["id"] for d in http.get("/api/org/departments").json()}


def open_calendar(page: Page, server: str, login: str, path: str = "/calendar") -> None:
    page.goto(f"{server}{path}")
    sign_in(page, login)
    expect(page.get_by_test_id("calendar-page")).to_be_visible()


WIDER_THAN_SCREEN = """() => [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
    .slice(0, 8)
    .map(e => `${e.tagName}.${e.className}: ${Math.round(e.getBoundingClientRect().right)}`
        + ` "${e.textContent.slice(0, 30)}"`)"""


def no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], page.evaluate(WIDER_THAN_SCREEN)


def test_j1_dispatch_meeting_invite_accept_on_phone(
    server: str, open_browser: Launch, artifacts: Path, reset_locale: Callable[[str], None]
) -> None:
    reset_locale("wangjianguo")
    reset_locale("nierongcheng")
    names = demo_departments(server)
    teams = [t for t in TEAMS if t in names]
    assert len(teams) == 12, sorted(names)
    title = f"调度会 {uuid.uuid4().hex[:4]}"
    monday = next_monday()

    # 王建国 (county office) creates the twice-weekly dispatch meeting on a desktop.
    _, office = open_browser("desktop")
    open_calendar(office, server, "wangjianguo")
    shot(office, artifacts / "desktop-calendar-1-week.png")
    office.get_by_role("button", name="新建日程").first.click()
    form = office.get_by_test_id("event-form")
    form.get_by_test_id("event-title").fill(title)
    form.get_by_test_id("event-start").fill(f"{monday}T09:00")
    form.get_by_test_id("event-end").fill(f"{monday}T10:30")
    form.get_by_test_id("event-repeat").click()
    office.locator(".ant-select-item-option", has_text="每周").first.click()
    form.get_by_label("周四").check()
    department_input = form.get_by_test_id("department-select").locator("input")
    for team in teams:
        department_input.fill(team)
        office.locator(".ant-select-item-option", has_text=re.compile(f"^{team}$")).first.click()
    shot(office, artifacts / "desktop-calendar-2-form.png")
    office.get_by_role("button", name="保 存").click()
    expect(office.get_by_text("日程已创建")).to_be_visible()
    office.get_by_role("button", name="向后").click()
    shot(office, artifacts / "desktop-calendar-3-series.png")
    expect(office.locator(".cal-event", has_text=title)).to_have_count(2)  # Monday and Thursday
    shot(office, artifacts / "desktop-calendar-3-series.png")

    # 聂荣成, stationed in 莲台村, gets the invitation and accepts on a 375 px phone.
    _, phone = open_browser("phone")
    phone.goto(f"{server}/notifications")
    sign_in(phone, "nierongcheng")
    invite = phone.get_by_text(f"王建国 邀请你参加「{title}」")
    expect(invite).to_be_visible()
    shot(phone, artifacts / "phone-calendar-4-notification.png")
    invite.click()
    detail = phone.get_by_test_id("event-detail")
    expect(detail.get_by_test_id("event-when")).to_contain_text(f"{monday} 09:00 – 10:30")
    detail.get_by_placeholder("附言（可选）").fill("准时参加，从村里接入")
    shot(phone, artifacts / "phone-calendar-5-detail.png")
    detail.get_by_test_id("rsvp-accepted").click()
    expect(phone.get_by_text("已回复")).to_be_visible()
    no_sideways_scroll(phone)
    phone.get_by_role("button", name="Close").or_(phone.locator(".ant-drawer-close")).first.click()
    expect(phone.locator(".cal-event", has_text=title).first).to_be_visible()
    shot(phone, artifacts / "phone-calendar-6-agenda.png")
    # Still there once the answer's refetch has settled (the screenshot shows what users see).
    expect(phone.locator(".cal-event", has_text=title).first).to_be_visible()
    assert phone.locator(".cal-event", has_text=title).count() >= 1
    no_sideways_scroll(phone)

    # The organiser sees the answer: a notification and the attendee list.
    expect(office.get_by_text(f"聂荣成 接受了「{title}」").first).to_be_visible()
    office.locator(".cal-event", has_text=title).first.click()
    detail = office.get_by_test_id("event-detail")
    row = detail.locator("[data-testid^=attendee-]", has_text="聂荣成")
    expect(row).to_contain_text("接受")
    expect(row).to_contain_text("准时参加，从村里接入")
    expect(detail.get_by_test_id("rsvp-counts")).to_contain_text("接受 2")
    shot(office, artifacts / "desktop-calendar-7-answers.png")


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_assistant_suggests_warsaw_and_beijing_slots_in_english(
    server: str, open_browser: Launch, artifacts: Path, reset_locale: Callable[[str], None], viewport: str
) -> None:
    reset_locale("liufeng")
    _, page = open_browser(viewport)
    open_calendar(page, server, "liufeng")
    # Switch the interface to English through the profile menu's API, then reload.
    page.evaluate(
        """async () => {
            const csrf = document.cookie.split('; ').find(c => c.startsWith('tongban_csrf='))?.split('=')[1];
            const headers = {'Content-Type': 'application/json', 'X-CSRF-Token': csrf};
            await fetch('/api/me', {method: 'PATCH', headers, body: JSON.stringify({locale: 'en-US'})});
        }"""
    )
    page.reload()
    expect(page.get_by_role("button", name="Find a time").first).to_be_visible()
    page.get_by_role("button", name="Find a time").first.click()
    drawer = page.get_by_test_id("assistant")
    people = drawer.get_by_test_id("people-multi-select").locator("input")
    people.fill("Anna")
    page.locator(".ant-select-item-option", has_text="Anna Kowalska").first.click()
    drawer.get_by_test_id("assistant-find").click()
    slots = drawer.get_by_test_id("assistant-slots")
    expect(slots).to_be_visible()
    first = slots.locator(".cal-slot").first
    # Beijing 08:30–17:30 and Warsaw 09:00–17:00 overlap in Beijing's afternoon.
    expect(first).to_contain_text("(Europe/Warsaw)")
    expect(first).to_contain_text("(Asia/Shanghai)")
    shot(page, artifacts / f"{viewport}-calendar-assistant-en.png")
    no_sideways_scroll(page)
    first.click()
    form = page.get_by_test_id("event-form")
    expect(form.get_by_test_id("event-title")).to_be_visible()
    shot(page, artifacts / f"{viewport}-calendar-assistant-pick-en.png")
    reset_locale("liufeng")


RECORD_VIEWS = """
window.__calendarViews = [];
new MutationObserver(() => {
    const view = document.querySelector('[data-testid=calendar-page]')?.getAttribute('data-view');
    const seen = window.__calendarViews;
    if (view && seen[seen.length - 1] !== view) seen.push(view);
}).observe(document, {subtree: true, childList: true, attributes: true, attributeFilter: ['data-view']});
"""


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_first_view_fits_the_screen(
    server: str, open_browser: Launch, artifacts: Path, reset_locale: Callable[[str], None], viewport: str
) -> None:
    """On a 375 px phone the very first view is the agenda (never the week grid, not even for a
    moment); on a desktop it is the week."""
    reset_locale("pengli")
    context, page = open_browser(viewport)
    context.add_init_script(RECORD_VIEWS)
    open_calendar(page, server, "pengli")
    expected = "listWeek" if viewport == "phone" else "timeGridWeek"
    expect(page.get_by_test_id("calendar-page")).to_have_attribute("data-view", expected)
    assert page.evaluate("window.__calendarViews") == [expected]
    page.reload()
    expect(page.get_by_test_id("calendar-page")).to_have_attribute("data-view", expected)
    assert page.evaluate("window.__calendarViews") == [expected]
    shot(page, artifacts / f"{viewport}-calendar-first-view.png")
    if viewport == "phone":
        no_sideways_scroll(page)
