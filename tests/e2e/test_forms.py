"""Apps (应用), journey J4: disaster statistics from nine townships, built without code.

陶海锋 installs the 灾情统计 template at 1280 px, sends it to the reporting officers (heads) of
the demo county's 9 townships with a 2-hour deadline; three officers fill it in on 375 px
phones; his dashboard shows the right totals live, six missing, a reminder goes out, and the
Excel export holds the same totals.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import openpyxl
import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.e2e.conftest import DEMO_PASSWORD
from tests.e2e.test_shell import shot, sign_in

pytestmark = pytest.mark.e2e

Launch = Callable[[str], tuple[BrowserContext, Page]]
TOWNSHIPS = ["城关镇", "莲台镇", "清溪镇", "白马镇", "石门乡", "凤凰乡", "桃源乡", "龙潭乡", "青山乡"]
# The first three townships' heads report: (login, township, [(crop, area, loss)])
REPORTS = [
    ("caoyong", "城关镇", [("水稻", 120, 96000), ("白菜", 30, 15000)]),
    ("zenglin", "莲台镇", [("水稻", 80, 64000)]),
    ("panjun", "清溪镇", [("小麦", 20.5, 8200)]),
]


def fill_on_phone(
    page: Page, server: str, login: str, township: str, crops: list[tuple[str, float, int]], artifacts: Path
) -> None:
    page.goto(f"{server}/forms?tab=todo")
    sign_in(page, login)
    todo = page.locator("[data-testid^=todo-]").first
    expect(todo).to_contain_text("台风灾情统计")
    todo.get_by_role("button", name="去填写").click()
    expect(page.get_by_role("heading", name="农作物灾情统计表")).to_be_visible()
    # The township defaults to the officer's own department.
    expect(
        page.locator(".ant-select-content, .ant-select-selection-item").filter(has_text=township).first
    ).to_be_visible()
    for index, (crop, area, loss) in enumerate(crops):
        if index > 0:
            page.get_by_role("button", name="添加一行").click()
        row = page.locator(".forms-subtable .ant-card").nth(index)
        row.get_by_text(crop, exact=True).click()
        page.locator(f"#crops_{index}_area").fill(str(area))
        page.locator(f"#crops_{index}_loss").fill(str(loss))
    expect(page.get_by_test_id("formula-total_loss")).to_contain_text(f"{sum(c[2] for c in crops):,}")
    shot(page, artifacts / f"phone-forms-fill-{login}.png")
    page.get_by_role("button", name=re.compile(r"^提\s*交$")).click()
    expect(page.get_by_text("提交成功")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


def test_j4_disaster_statistics(
    server: str, open_browser: Launch, artifacts: Path, reset_locale: Callable[[str], None]
) -> None:
    for login in ["taohaifeng", *[r[0] for r in REPORTS]]:
        reset_locale(login)
    context, page = open_browser("desktop")
    page.goto(f"{server}/forms")
    sign_in(page, "taohaifeng")
    expect(page).to_have_url(re.compile(r"/forms"))

    # One click from the template gallery.
    page.get_by_role("tab", name="模板").click()
    page.get_by_test_id("template-disaster").get_by_role("button", name="一键创建").click()
    app = page.locator("[data-testid^=app-]").filter(has_text="灾情统计").first
    expect(app).to_be_visible()
    shot(page, artifacts / "desktop-forms-1-apps.png")

    # The designer opens with the template's fields (sub-table and formulas included).
    app.get_by_role("button", name=re.compile(r"设\s*计")).click()
    expect(page.get_by_test_id("canvas-crops")).to_be_visible()
    page.get_by_test_id("canvas-total_loss").click()
    expect(page.get_by_label("公式")).to_have_value("SUM(crops.loss)")
    shot(page, artifacts / "desktop-forms-2-designer.png")
    page.get_by_role("button", name=re.compile(r"预\s*览")).click()
    expect(page.locator(".forms-preview-phone")).to_be_visible()
    shot(page, artifacts / "desktop-forms-3-preview.png")
    page.keyboard.press("Escape")

    # Send it to the 9 townships' designated reporters, 2 hours.
    page.get_by_role("button", name=re.compile(r"统\s*计")).click()
    page.get_by_role("button", name="发起填报").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("任务名称").fill("台风灾情统计")
    picker = dialog.locator("#department_ids")
    for name in TOWNSHIPS:
        picker.fill(name)
        page.locator(".ant-select-tree-title", has_text=name).first.click()
    picker.press("Escape")
    shot(page, artifacts / "desktop-forms-4-task.png")
    dialog.get_by_role("button", name=re.compile(r"发\s*送")).click()
    expect(page.get_by_text("已发送给 9 人")).to_be_visible()
    expect(page.get_by_test_id("missing-title")).to_have_text("未填报 9 个")

    # Three officers report from their phones; the dashboard follows live.
    for login, township, crops in REPORTS:
        _, phone = open_browser("phone")
        fill_on_phone(phone, server, login, township, crops, artifacts)
        phone.context.close()
    expect(page.get_by_test_id("missing-title")).to_have_text("未填报 6 个")
    expect(page.get_by_test_id("assignee-missing")).to_have_count(6)
    expect(page.get_by_test_id("total-sum:crops.loss")).to_contain_text("183,200")
    expect(page.get_by_test_id("total-sum:crops.area")).to_contain_text("250.5")
    pivot = page.get_by_test_id("pivot")
    expect(pivot.locator("tr", has_text="城关镇")).to_contain_text("111,000")
    shot(page, artifacts / "desktop-forms-5-dashboard.png")

    # Township × crop, in the pivot.
    page.get_by_label("分组 2").click()
    page.locator(".ant-select-item-option", has_text="受灾作物 · 作物").click()
    expect(pivot.locator("thead")).to_contain_text("水稻")
    expect(pivot.locator("tr", has_text="莲台镇")).to_contain_text("80")  # 水稻, area (the first measure)
    shot(page, artifacts / "desktop-forms-6-pivot.png")

    page.get_by_test_id("remind").click()
    expect(page.get_by_text("已提醒 6 人")).to_be_visible()

    # Excel holds the same totals.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="导出 Excel").click()
    data = Path(download_info.value.path()).read_bytes()
    book = openpyxl.load_workbook(io.BytesIO(data))
    rows = list(book["受灾作物"].iter_rows(min_row=2, values_only=True))
    assert len(rows) == 4
    assert sum(r[4] for r in rows) == 183200
    assert sum(r[3] for r in rows) == 250.5

    # The data view sorts on the server by a field: smallest loss first, then largest first.
    page.goto(re.sub(r"/dashboard.*$", "/data", page.url))
    header = page.locator("th", has_text="损失合计")
    first = page.locator(".ant-table-tbody tr.ant-table-row").first
    expect(first).to_be_visible()
    header.click()
    expect(first).to_contain_text("清溪镇")
    header.click()
    expect(first).to_contain_text("城关镇")
    shot(page, artifacts / "desktop-forms-7-data-sorted.png")
    del context


@contextmanager
def _api(server: str, login: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server) as http:
        http.post("/api/auth/login", json={"login": login, "password": DEMO_PASSWORD}).raise_for_status()
        http.headers["X-CSRF-Token"] = http.cookies.get("tongban_csrf") or ""
        yield http


def test_an_officer_reports_in_english_on_a_phone(
    server: str, open_browser: Launch, artifacts: Path, reset_locale: Callable[[str], None]
) -> None:
    reset_locale("taohaifeng")
    with _api(server, "taohaifeng") as tao:
        app = tao.post("/api/forms/templates/install", json={"template": "disaster"}).json()
        form_id = app["forms"][0]["id"]
        town = next(d for d in tao.get("/api/org/departments").json() if d["name"] == "白马镇")
        deadline = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=2)).isoformat()
        task = tao.post(
            f"/api/forms/forms/{form_id}/tasks",
            json={"title": "Typhoon damage", "deadline": deadline, "department_ids": [town["id"]]},
        ).json()
    with _api(server, "jiangtao") as officer:
        officer.patch("/api/me", json={"locale": "en-US"}).raise_for_status()
    try:
        _, page = open_browser("phone")
        page.goto(f"{server}/forms?tab=todo")
        sign_in(page, "jiangtao")
        item = page.get_by_test_id(f"todo-{task['id']}")
        expect(item).to_contain_text("Typhoon damage")
        item.get_by_role("button", name="Fill in").click()
        expect(page.get_by_role("heading", name="Crop damage report")).to_be_visible()
        page.get_by_role("button", name="Submit").click()  # nothing filled in: refused on the spot
        expect(page.get_by_text("Required").first).to_be_visible()
        row = page.locator(".forms-subtable .ant-card").first
        row.get_by_text("Cabbage", exact=True).click()
        page.locator("#crops_0_area").fill("12")
        page.locator("#crops_0_loss").fill("3400")
        expect(page.get_by_test_id("formula-total_loss")).to_contain_text("3,400")
        shot(page, artifacts / "phone-forms-fill-en.png")
        page.get_by_role("button", name="Submit").click()
        expect(page.get_by_text("Submitted", exact=True)).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
    finally:
        reset_locale("jiangtao")
    _, desk = open_browser("phone")
    desk.goto(f"{server}/forms/{form_id}/dashboard?task={task['id']}")
    sign_in(desk, "taohaifeng")
    expect(desk.get_by_test_id("missing-title")).to_have_text("未填报 0 个")
    expect(desk.get_by_test_id("total-sum:crops.loss")).to_contain_text("3,400")
    shot(desk, artifacts / "phone-forms-dashboard.png")
    assert desk.evaluate("document.documentElement.scrollWidth") <= 375
