"""J3 in the browser: a business trip of 8,000 submitted on a phone, the department head
approves in three taps with a handwritten signature, the finance director and the deputy
director countersign, the office manager is CC'd, and the PDF record has every step.

The built-in 出差 template reaches its countersigners by title; the demo organisation has no
财务总监, so the test points that node at two named people (林国华, 李秀英), as an admin would in
the designer."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.e2e.conftest import DEMO_PASSWORD
from tests.e2e.test_shell import shot, sign_in

pytestmark = pytest.mark.e2e

Launch = Callable[[str], tuple[BrowserContext, Page]]
TEXT = {
    "zh-CN": {"approve": "同意", "submit": "提交", "approved": "已通过"},
    "en-US": {"approve": "Approve", "submit": "Submit", "approved": "Approved"},
}


def api(server: str, login: str) -> httpx.Client:
    http = httpx.Client(base_url=server)
    http.post("/api/auth/login", json={"login": login, "password": DEMO_PASSWORD}).raise_for_status()
    http.headers["X-CSRF-Token"] = http.cookies.get("tongban_csrf") or ""
    return http


def person_id(http: httpx.Client, name: str) -> int:
    items = http.get("/api/org/people", params={"q": name}).raise_for_status().json()["items"]
    return int(next(p["id"] for p in items if p["name"] == name))


def set_locale(server: str, login: str, locale: str) -> None:
    http = api(server, login)
    try:
        http.patch("/api/me", json={"locale": locale}).raise_for_status()
    finally:
        http.close()


def install_trip(server: str) -> dict[str, Any]:
    http = api(server, "admin")
    try:
        template = (
            http.post("/api/approvals/builtins/install", json={"key": "trip"}).raise_for_status().json()
        )
        finance, deputy = person_id(http, "林国华"), person_id(http, "李秀英")
        flow = template["flow"]
        for branch in flow["nodes"][1]["branches"]:
            for node in branch["nodes"]:
                if node["id"] == "finance":
                    node["who"] = [{"kind": "people", "people": [finance, deputy]}]
        body = {
            "name": template["name"],
            "name_en": template["name_en"],
            "schema": template["schema"],
            "flow": flow,
        }
        saved: dict[str, Any] = (
            http.put(f"/api/approvals/templates/{template['id']}", json=body).raise_for_status().json()
        )
        return saved
    finally:
        http.close()


def open_as(open_browser: Launch, server: str, viewport: str, login: str, locale: str, path: str) -> Page:
    _, page = open_browser(viewport)
    page.goto(f"{server}{path}")
    # a fresh browser has no account yet, so the sign-in page speaks the browser's language
    # (Chinese); the account's own language takes over once signed in
    sign_in(page, login)
    expect(page.locator("html")).to_have_attribute("lang", locale)
    return page


def draw_signature(page: Page) -> None:
    pad = page.get_by_test_id("signature-pad")
    expect(pad).to_be_visible()
    # the sheet slides in: wait until the pad stops moving before drawing on it
    box = pad.bounding_box()
    for _ in range(50):
        page.wait_for_timeout(100)
        again = pad.bounding_box()
        if again == box:
            break
        box = again
    assert box is not None
    page.mouse.move(box["x"] + 20, box["y"] + 80)
    page.mouse.down()
    for i in range(1, 12):
        page.mouse.move(box["x"] + 20 + i * 18, box["y"] + 80 + (30 if i % 2 else -30), steps=3)
    page.mouse.up()
    expect(pad).to_have_attribute("data-empty", "false")


def approve_in_three_taps(
    page: Page, request_id: int, comment: str, locale: str, shots: Path | None = None
) -> None:
    """Open, read, approve: the request in the inbox, 同意, 提交 — three taps (the comment and
    the signature are typed and drawn, not tapped through)."""
    # tap 1: the request in 待我审批
    page.locator(f'[data-testid="request-item"][data-request="{request_id}"]').click()
    expect(page.get_by_test_id("request-page")).to_be_visible()
    expect(page.get_by_test_id("timeline")).to_be_visible()
    if shots:
        shot(page, shots / "2-detail.png")
    # tap 2: 同意, on screen and not under the phone's tab bar before any scrolling
    approve = page.get_by_test_id("approve")
    expect(approve).to_be_in_viewport()
    assert approve.evaluate(
        """b => { const r = b.getBoundingClientRect();
                  return b.contains(document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2)); }"""
    ), "the approve button is covered"
    approve.click()
    page.get_by_test_id("action-comment").fill(comment)
    draw_signature(page)
    if shots:
        shot(page, shots / "3-sign.png")
    # tap 3: 提交
    page.get_by_test_id("action-submit").click()
    expect(page.get_by_test_id("action-submit")).to_be_hidden()


@pytest.mark.parametrize(
    ("viewport", "locale"),
    [
        ("phone", "zh-CN"),
        ("desktop", "zh-CN"),
        ("phone", "en-US"),
    ],
)
def test_j3_trip_countersigned_on_phones(
    server: str,
    open_browser: Launch,
    artifacts: Path,
    reset_locale: Callable[[str], None],
    viewport: str,
    locale: str,
) -> None:
    people = ("hanxue", "songjie", "linguohua", "lixiuying", "wangjianguo")
    for login in people:
        set_locale(server, login, locale)
    shots = artifacts / f"approvals-{viewport}-{locale}"
    shots.mkdir(exist_ok=True)
    try:
        template = install_trip(server)
        text = TEXT[locale]

        # 韩雪 fills in the trip on her phone.
        staff = open_as(open_browser, server, viewport, "hanxue", locale, "/approvals")
        expect(staff.get_by_test_id("approvals-page")).to_be_visible()
        staff.goto(f"{server}/approvals/new/{template['id']}")
        staff.locator("#destination").fill("福州")
        staff.locator("#dates").fill("2026-12-10")
        staff.get_by_test_id("dates-end").fill("2026-12-12")
        staff.locator("#purpose").fill("参加全省财政工作会议")
        staff.locator("#budget").fill("8000")
        shot(staff, shots / "1-submit.png")
        staff.get_by_test_id("submit-request").click()
        expect(staff.get_by_test_id("request-page")).to_be_visible()
        request_id = int(staff.url.rstrip("/").split("/")[-1])
        route = staff.get_by_test_id("flow-view")
        expect(route.locator('[data-node="head"]')).to_have_attribute("data-state", "current")
        expect(route.locator('[data-node="finance"]')).to_be_visible()

        # 宋杰, head of 大数据中心: open, approve, submit.
        head = open_as(open_browser, server, viewport, "songjie", locale, "/approvals")
        approve_in_three_taps(head, request_id, "同意出差", locale, shots)
        expect(head.get_by_test_id("status")).to_have_attribute("data-status", "pending")

        # the two countersigners
        for login, comment in (("linguohua", "费用合理"), ("lixiuying", "同意")):
            page = open_as(open_browser, server, viewport, login, locale, "/approvals")
            approve_in_three_taps(page, request_id, comment, locale)
        expect(page.get_by_test_id("status")).to_have_attribute("data-status", "approved")
        expect(page.get_by_test_id("status")).to_have_text(text["approved"])
        expect(page.get_by_test_id("timeline-signature")).to_have_count(3)
        expect(page.locator('[data-testid="timeline"] [data-kind="approve"]')).to_have_count(3)
        shot(page, shots / "4-approved.png")

        # 王建国 (办公室主任) finds it under 抄送我的.
        cc = open_as(open_browser, server, viewport, "wangjianguo", locale, "/approvals?box=cc")
        cc.locator(f'[data-testid="request-item"][data-request="{request_id}"]').click()
        expect(cc.get_by_test_id("status").first).to_have_attribute("data-status", "approved")
        shot(cc, shots / "5-cc.png")

        # the PDF record, fetched with the CC recipient's session
        pdf = cc.request.get(f"{server}/api/approvals/requests/{request_id}/record.pdf")
        assert pdf.status == 200
        assert pdf.headers["content-type"] == "application/pdf"
        assert pdf.body().startswith(b"%PDF")
        (shots / "record.pdf").write_bytes(pdf.body())

        for p in (staff, head, page, cc):
            assert p.evaluate("document.documentElement.scrollWidth") <= p.viewport_size["width"]
    finally:
        for login in people:
            reset_locale(login)
