"""The shell a person meets first: sign in, find a colleague, read the card, switch language."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.e2e.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.e2e

Launch = Callable[[str], tuple[BrowserContext, Page]]
SIGN_IN_ZH = re.compile(r"^登\s*录$")


def settle(page: Page) -> None:
    """Waits for finite CSS animations (drawer slides, menu fades) so screenshots show the end state."""
    page.wait_for_function(
        "document.getAnimations().every(a => a.playState !== 'running'"
        " || a.effect?.getTiming().iterations === Infinity)"
    )


def shot(page: Page, path: Path) -> None:
    settle(page)
    page.screenshot(path=path)


def sign_in(page: Page, login: str, *, submit: re.Pattern[str] | str = SIGN_IN_ZH) -> None:
    page.get_by_label("账号").fill(login)
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name=submit).click()


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_directory_card_language_and_sign_out(
    server: str, open_browser: Launch, artifacts: Path, reset_locale: Callable[[str], None], viewport: str
) -> None:
    reset_locale("liufeng")
    _, page = open_browser(viewport)

    page.goto(f"{server}/")
    expect(page).to_have_url(re.compile(r"/login\?next="))
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    shot(page, artifacts / f"{viewport}-1-login.png")
    sign_in(page, "liufeng")
    expect(page).to_have_url(re.compile(r"/org$"))

    # "lf" are the initials of 刘锋
    page.get_by_test_id("directory-search").fill("lf")
    expect(page.get_by_text("“lf”的搜索结果")).to_be_visible()
    results = page.get_by_test_id("people-list")
    liufeng = results.get_by_role("button", name=re.compile(r"^刘锋 "))
    expect(liufeng).to_be_visible()
    expect(results.get_by_role("button")).to_have_count(1)
    shot(page, artifacts / f"{viewport}-2-search.png")

    liufeng.click()
    card = page.get_by_role("dialog")
    expect(card.get_by_test_id("person-name")).to_have_text("刘锋")
    expect(card.get_by_text("系统架构师")).to_be_visible()
    expect(card.get_by_test_id("person-department").first).to_contain_text("大数据中心")
    expect(card.get_by_test_id("local-time")).to_have_text(re.compile(r"^上海 \d{2}:\d{2}（与你时间相同）$"))
    shot(page, artifacts / f"{viewport}-3-card.png")
    page.keyboard.press("Escape")
    expect(card).to_be_hidden()

    page.get_by_test_id("profile-menu").click()
    settle(page)
    page.get_by_role("menuitem", name=re.compile(r"English$")).click()
    expect(page.locator("html")).to_have_attribute("lang", "en-US")
    expect(page.locator(".ant-dropdown:not(.ant-dropdown-hidden)")).to_have_count(0)
    nav = page.locator(".shell-tabbar") if viewport == "phone" else page.locator(".shell-sider")
    expect(nav.get_by_text("Contacts")).to_be_visible()
    expect(nav.get_by_text("Messages")).to_be_visible()
    expect(page.get_by_placeholder("Search name, pinyin, phone or e-mail")).to_be_visible()
    shot(page, artifacts / f"{viewport}-4-english.png")

    # The choice survives a reload (browser) and is kept on the account (server).
    page.reload()
    expect(nav.get_by_text("Contacts")).to_be_visible()

    page.get_by_test_id("profile-menu").click()
    settle(page)
    page.get_by_role("menuitem", name=re.compile(r"Sign out$")).click()
    expect(page).to_have_url(re.compile(r"/login"))
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    shot(page, artifacts / f"{viewport}-5-signed-out.png")

    # Back to the directory after sign-out needs signing in again.
    page.goto(f"{server}/org")
    expect(page).to_have_url(re.compile(r"/login\?next=%2Forg"))


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_deep_link_needs_sign_in_and_returns(
    server: str, open_browser: Launch, artifacts: Path, reset_locale: Callable[[str], None], viewport: str
) -> None:
    reset_locale("liufeng")
    context, page = open_browser(viewport)

    # No session at all: the deep link goes to sign-in and comes back.
    page.goto(f"{server}/settings/tokens")
    expect(page).to_have_url(f"{server}/login?next={quote('/settings/tokens', safe='')}")
    sign_in(page, "liufeng")
    expect(page).to_have_url(f"{server}/settings/tokens")
    expect(page.get_by_text("个人访问令牌").first).to_be_visible()

    # The session ends (cookies gone, as after expiry): the next visit asks again and returns.
    context.clear_cookies()
    page.goto(f"{server}/org?dept=5")
    expect(page).to_have_url(re.compile(r"/login\?next=" + re.escape(quote("/org?dept=5", safe=""))))
    shot(page, artifacts / f"{viewport}-6-session-ended.png")
    sign_in(page, "liufeng")
    expect(page).to_have_url(f"{server}/org?dept=5")
    expect(page.get_by_test_id("people-list")).to_be_visible()


def _leave_only_the_welcome_unread(server: str, username: str) -> None:
    """Other capabilities' e2e tests (calendar invitations, approvals) notify the same demo people on
    the shared server; reading theirs first makes the welcome the one unread notification whatever
    order the tests ran in."""
    with httpx.Client(base_url=server) as http:
        http.post("/api/auth/login", json={"login": username, "password": DEMO_PASSWORD}).raise_for_status()
        csrf = {"X-CSRF-Token": http.cookies.get("tongban_csrf") or ""}
        unread = http.get("/api/notify/notifications", params={"unread_only": True, "limit": 100})
        for item in unread.raise_for_status().json()["items"]:
            if item["title"] != "欢迎使用通办":
                http.post(f"/api/notify/notifications/{item['id']}/read", headers=csrf).raise_for_status()
        http.post("/api/auth/logout", headers=csrf)


@pytest.mark.parametrize(("viewport", "username"), [("desktop", "hanxue"), ("phone", "tangwei")])
def test_bell_shows_the_welcome_and_marks_it_read(
    server: str,
    open_browser: Launch,
    artifacts: Path,
    reset_locale: Callable[[str], None],
    viewport: str,
    username: str,
) -> None:
    reset_locale(username)
    _leave_only_the_welcome_unread(server, username)
    _, page = open_browser(viewport)
    page.goto(f"{server}/login")
    sign_in(page, username)
    expect(page).to_have_url(re.compile(r"/org$"))

    bell = page.get_by_test_id("bell")
    expect(bell).to_have_accessible_name("通知（1 条未读）")
    bell.click()
    welcome = page.get_by_role("button", name=re.compile("欢迎使用通办"))
    expect(welcome).to_be_visible()
    shot(page, artifacts / f"{viewport}-7-bell.png")
    welcome.click()
    expect(page).to_have_url(re.compile(r"/org$"))
    expect(bell).to_have_accessible_name("通知（0 条未读）")
