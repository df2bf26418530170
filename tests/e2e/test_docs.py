"""Documents (文档): two people edit one document at once in two browsers, seeing each other's
text and cursors live; sharing, a comment and a named version, at 1280 px and 375 px, one
person in Chinese and the other in English."""

from __future__ import annotations

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


def set_locale(server: str, username: str, locale: str) -> None:
    with httpx.Client(base_url=server) as http:
        http.post("/api/auth/login", json={"login": username, "password": DEMO_PASSWORD}).raise_for_status()
        csrf = http.cookies.get("tongban_csrf") or ""
        http.patch("/api/me", json={"locale": locale}, headers={"X-CSRF-Token": csrf}).raise_for_status()


def no_overflow(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_two_people_edit_one_document_live(
    server: str, open_browser: Launch, artifacts: Path, reset_locale: Callable[[str], None], viewport: str
) -> None:
    reset_locale("liufeng")
    set_locale(server, "hanxue", "en-US")
    token = uuid.uuid4().hex[:6]
    _, liu = open_browser(viewport)
    _, han = open_browser(viewport)
    logs: list[str] = []
    liu.on("console", lambda m: logs.append(f"liu {m.type}: {m.text}"))
    han.on("console", lambda m: logs.append(f"han {m.type}: {m.text}"))

    liu.goto(f"{server}/docs")
    sign_in(liu, "liufeng")
    expect(liu.get_by_test_id("docs-list")).to_be_visible()
    shot(liu, artifacts / f"{viewport}-docs-1-list.png")
    liu.get_by_test_id("docs-new").click()
    expect(liu).to_have_url(re.compile(r"/docs/\d+$"))
    doc_url = liu.url
    liu.get_by_test_id("doc-title").fill(f"协作测试 {token}")
    liu.get_by_test_id("doc-title").press("Enter")
    editor = liu.get_by_test_id("docs-editor")
    expect(liu.get_by_test_id("doc-status")).to_have_attribute("data-status", "connected")
    editor.click()
    liu.keyboard.type("刘锋写的第一段")
    liu.keyboard.press("Enter")

    # Share with 韩雪 as an editor.
    liu.get_by_test_id("doc-share").click()
    dialog = liu.get_by_role("dialog")
    dialog.get_by_test_id("share-target").locator(".ant-select").click()
    liu.keyboard.type("韩雪")
    liu.locator(".ant-select-item-option", has_text="韩雪").first.click()
    dialog.get_by_test_id("share-invite").click()
    expect(dialog.get_by_test_id("share-grant").filter(has_text="韩雪")).to_contain_text("可编辑")
    shot(liu, artifacts / f"{viewport}-docs-2-share.png")
    liu.keyboard.press("Escape")
    expect(dialog).to_be_hidden()

    # 韩雪 (in English) opens the link: the text is there, and she writes too.
    han.goto(doc_url)
    sign_in(han, "hanxue")
    han_editor = han.get_by_test_id("docs-editor")
    expect(han_editor).to_contain_text("刘锋写的第一段")
    expect(han.get_by_test_id("doc-title")).to_have_value(f"协作测试 {token}")
    han_editor.locator("p").last.click()
    han.keyboard.type("Han Xue adds a line")
    expect(editor).to_contain_text("Han Xue adds a line")
    editor.locator("p").first.click()
    liu.keyboard.press("End")
    liu.keyboard.type("刘锋继续写")
    expect(han_editor).to_contain_text("刘锋继续写")

    # Each sees the other's named cursor and avatar (awareness).
    expect(liu.locator(".collaboration-carets__label", has_text="韩雪")).to_be_visible()
    expect(han.locator(".collaboration-carets__label", has_text="刘锋")).to_be_visible()
    expect(liu.get_by_test_id("doc-peers").locator("[data-peer='韩雪']")).to_have_count(1)
    shot(liu, artifacts / f"{viewport}-docs-3-liu-editing.png")
    shot(han, artifacts / f"{viewport}-docs-4-han-editing-en.png")

    # A comment on selected words reaches the other side.
    editor.get_by_text("刘锋写的第一段").dblclick()
    if viewport == "phone":
        liu.get_by_test_id("doc-comments-toggle").click()
    liu.get_by_test_id("comment-input").fill(f"请核对 {token}")
    liu.get_by_test_id("comment-send").click()
    thread = liu.get_by_test_id("comment-thread").filter(has_text=f"请核对 {token}")
    expect(thread).to_be_visible()
    if viewport == "phone":
        han.get_by_test_id("doc-comments-toggle").click()
    expect(han.get_by_test_id("comment-thread").filter(has_text=f"请核对 {token}")).to_be_visible()
    shot(han, artifacts / f"{viewport}-docs-5-han-comment-en.png")
    if viewport == "phone":
        liu.keyboard.press("Escape")

    # A named version.
    liu.get_by_test_id("doc-versions-toggle").click()
    liu.get_by_test_id("version-name").fill("初稿")
    liu.get_by_test_id("version-save").click()
    expect(liu.get_by_test_id("version-item").filter(has_text="初稿")).to_be_visible()
    shot(liu, artifacts / f"{viewport}-docs-6-versions.png")
    if viewport == "phone":
        liu.keyboard.press("Escape")

    # The list shows it for both, with her role.
    liu.goto(f"{server}/docs")
    expect(liu.get_by_test_id("docs-list-item").filter(has_text=f"协作测试 {token}")).to_be_visible()
    han.goto(f"{server}/docs")
    han.get_by_text("Shared with me").click()
    expect(han.get_by_test_id("docs-list-item").filter(has_text=f"协作测试 {token}")).to_contain_text(
        "Can edit"
    )
    shot(han, artifacts / f"{viewport}-docs-7-shared-en.png")
    # Search finds it by a word of its title, with the match highlighted.
    han.get_by_test_id("docs-search").locator("input").fill(token)
    han.get_by_test_id("docs-search").locator("input").press("Enter")
    hit = han.get_by_test_id("docs-list-item").filter(has_text=f"协作测试 {token}")
    expect(hit).to_have_count(1)
    expect(han.get_by_test_id("docs-list-item")).to_have_count(1)
    liu.get_by_test_id("docs-search").locator("input").fill(f"协作测试 {token}")
    liu.get_by_test_id("docs-search").locator("input").press("Enter")
    expect(liu.get_by_test_id("docs-list-item")).to_have_count(1)
    shot(han, artifacts / f"{viewport}-docs-8-search-en.png")
    shot(liu, artifacts / f"{viewport}-docs-8-search-zh.png")
    for page in (liu, han):
        no_overflow(page)


def merged_text(page: Page) -> str:
    """The document's text without the other people's caret labels drawn inside it."""
    return str(
        page.evaluate(
            """() => {
              const copy = document.querySelector('[data-testid="docs-editor"]').cloneNode(true);
              copy.querySelectorAll('.collaboration-carets__caret').forEach((c) => c.remove());
              return [...copy.querySelectorAll('p')].map((p) => p.textContent).join('\\n');
            }"""
        )
    )


FIVE = (
    ("liufeng", "刘锋"),
    ("hanxue", "韩雪"),
    ("songjie", "宋杰"),
    ("tangwei", "唐伟"),
    ("fengying", "冯莹"),
)


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_j6_five_people_edit_one_document(
    server: str, open_browser: Launch, artifacts: Path, reset_locale: Callable[[str], None], viewport: str
) -> None:
    """J6: a document shared by link with the organisation (as when its link is posted in the
    project group); five people open it and type at once, everyone sees the four others' named
    cursors and the same merged text. One of them drops offline, keeps typing, and the edit
    merges when the connection is back. On the phone run three of them use English."""
    english = {"hanxue", "fengying", "tangwei"} if viewport == "phone" else {"hanxue"}
    for login, _ in FIVE:
        (set_locale(server, login, "en-US") if login in english else reset_locale(login))
    token = uuid.uuid4().hex[:6]
    with httpx.Client(base_url=server) as http:
        r = http.post("/api/auth/login", json={"login": "liufeng", "password": DEMO_PASSWORD})
        r.raise_for_status()
        headers = {"X-CSRF-Token": http.cookies.get("tongban_csrf") or ""}
        doc = http.post("/api/docs", json={"title": f"项目群文档 {token}"}, headers=headers).json()
        http.patch(f"/api/docs/{doc['id']}", json={"link_role": "editor"}, headers=headers).raise_for_status()
    url = f"{server}/docs/{doc['id']}"

    pages: dict[str, Page] = {}
    contexts: dict[str, BrowserContext] = {}
    for login, _ in FIVE:
        context, page = open_browser(viewport)
        page.goto(url)
        sign_in(page, login)
        expect(page.get_by_test_id("doc-status")).to_have_attribute("data-status", "connected")
        pages[login], contexts[login] = page, context
    for login, name in FIVE:  # each types a line of their own, all at the same time
        editor = pages[login].get_by_test_id("docs-editor")
        editor.click()
        pages[login].keyboard.press("Control+End")
        pages[login].keyboard.press("Enter")
        pages[login].keyboard.type(f"{name}的一行 {token}")
    for login, _ in FIVE:
        editor = pages[login].get_by_test_id("docs-editor")
        for _, name in FIVE:
            expect(editor).to_contain_text(f"{name}的一行 {token}")
    texts = {login: merged_text(pages[login]) for login, _ in FIVE}
    assert len(set(texts.values())) == 1, texts
    for login, me in FIVE:
        for _, other in FIVE:
            if other != me:
                expect(pages[login].locator(".collaboration-carets__label", has_text=other)).to_have_count(1)
    shot(pages["liufeng"], artifacts / f"{viewport}-docs-j6-1-five-zh.png")
    shot(pages["hanxue"], artifacts / f"{viewport}-docs-j6-2-five-en.png")

    # 冯莹 loses her connection, keeps typing, and comes back: the line merges everywhere.
    contexts["fengying"].set_offline(True)
    fy = pages["fengying"]
    expect(fy.get_by_test_id("doc-status")).not_to_have_attribute("data-status", "connected", timeout=20_000)
    fy.get_by_test_id("docs-editor").click()
    fy.keyboard.press("Control+End")
    fy.keyboard.press("Enter")
    fy.keyboard.type(f"offline line {token}")
    shot(fy, artifacts / f"{viewport}-docs-j6-3-offline.png")
    contexts["fengying"].set_offline(False)
    expect(fy.get_by_test_id("doc-status")).to_have_attribute("data-status", "connected", timeout=30_000)
    for login, _ in FIVE:
        expect(pages[login].get_by_test_id("docs-editor")).to_contain_text(f"offline line {token}")
    shot(pages["songjie"], artifacts / f"{viewport}-docs-j6-4-merged.png")
    for page in pages.values():
        no_overflow(page)
    for login in english:
        reset_locale(login)


def picture() -> bytes:
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGB", (360, 180), "#e6f4ff")
    draw = ImageDraw.Draw(image)
    for i, color in enumerate(("#1677ff", "#52c41a", "#fa8c16", "#eb2f96")):
        draw.rectangle((30 + i * 80, 150 - (i + 2) * 25, 90 + i * 80, 150), fill=color)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_images_mentions_doc_links_and_fresh_search(
    server: str, open_browser: Launch, artifacts: Path, reset_locale: Callable[[str], None], viewport: str
) -> None:
    """刘锋 (Chinese) uploads an image, @mentions 韩雪 from the directory and links another
    document; 韩雪 (English) is notified once, sees all three, and finds the fresh text in search
    seconds later — without anyone closing the document."""
    reset_locale("liufeng")
    set_locale(server, "hanxue", "en-US")
    token = uuid.uuid4().hex[:6]
    with httpx.Client(base_url=server) as http:
        http.post("/api/auth/login", json={"login": "liufeng", "password": DEMO_PASSWORD}).raise_for_status()
        headers = {"X-CSRF-Token": http.cookies.get("tongban_csrf") or ""}
        doc = http.post("/api/docs", json={"title": f"图文周报 {token}"}, headers=headers).json()
        other = http.post("/api/docs", json={"title": f"预算表 {token}"}, headers=headers).json()
        han_id = http.get("/api/org/people", params={"q": "韩雪"}).json()["items"][0]["id"]
        for target in (doc, other):
            http.post(
                f"/api/docs/{target['id']}/access",
                json={"role": "editor", "person_id": han_id},
                headers=headers,
            ).raise_for_status()
    url = f"{server}/docs/{doc['id']}"

    _, liu = open_browser(viewport)
    liu.goto(url)
    sign_in(liu, "liufeng")
    editor = liu.get_by_test_id("docs-editor")
    expect(liu.get_by_test_id("doc-status")).to_have_attribute("data-status", "connected")
    editor.click()
    liu.keyboard.type("请 ")
    liu.keyboard.type("@韩雪")
    menu = liu.get_by_test_id("mention-menu")
    expect(menu.get_by_test_id("mention-option").filter(has_text="韩雪")).to_be_visible()
    shot(liu, artifacts / f"{viewport}-docs-media-1-mention-menu-zh.png")
    liu.keyboard.press("Enter")
    expect(editor.locator(".docs-mention", has_text="@韩雪")).to_have_count(1)
    liu.keyboard.type(f"看一下新鲜内容{token}，参考 ")

    # A link to the other document, found by searching titles.
    liu.get_by_test_id("docs-tool-docLink").click()
    liu.get_by_test_id("doc-link-search").locator("input").fill("预算表")
    liu.locator(".ant-select-item-option", has_text=f"预算表 {token}").click()
    expect(editor.locator(f'a[href="/docs/{other["id"]}"]')).to_have_text(f"预算表 {token}")
    liu.keyboard.press("Enter")

    # An image through the toolbar's file picker; it shows (served to readers only).
    liu.get_by_test_id("docs-image-input").set_input_files(
        files=[{"name": "进度图.png", "mimeType": "image/png", "buffer": picture()}]
    )
    image = editor.locator("img.docs-image")
    expect(image).to_have_count(1)
    liu.wait_for_function(
        "() => document.querySelector('[data-testid=docs-editor] img.docs-image')?.naturalWidth === 360"
    )
    shot(liu, artifacts / f"{viewport}-docs-media-2-liu-zh.png")
    no_overflow(liu)

    # 韩雪 in English: told once, with a link to the document.
    with httpx.Client(base_url=server) as http:
        http.post("/api/auth/login", json={"login": "hanxue", "password": DEMO_PASSWORD}).raise_for_status()
        wanted = f"刘锋 在《图文周报 {token}》中提到了你"
        notes: list[dict] = []
        for _ in range(100):
            items = http.get("/api/notify/notifications").json()["items"]
            notes = [n for n in items if n["title"] == wanted]
            if notes:
                break
            liu.wait_for_timeout(100)
        assert len(notes) == 1 and notes[0]["link"] == f"/docs/{doc['id']}", notes
    _, han = open_browser(viewport)
    han.goto(url)
    sign_in(han, "hanxue")
    han_editor = han.get_by_test_id("docs-editor")
    expect(han_editor.locator(".docs-mention", has_text="@韩雪")).to_have_count(1)
    expect(han_editor.locator(f'a[href="/docs/{other["id"]}"]')).to_be_visible()
    han.wait_for_function(
        "() => document.querySelector('[data-testid=docs-editor] img.docs-image')?.naturalWidth === 360"
    )
    shot(han, artifacts / f"{viewport}-docs-media-3-han-en.png")

    # Search finds the words typed moments ago (the document is still open in both browsers).
    han.goto(f"{server}/docs")
    search = han.get_by_test_id("docs-search").locator("input")
    search.fill(f"新鲜内容{token}")
    search.press("Enter")
    expect(han.get_by_test_id("docs-list-item").filter(has_text=f"图文周报 {token}")).to_have_count(1)
    shot(han, artifacts / f"{viewport}-docs-media-4-search-en.png")
    no_overflow(han)
    reset_locale("hanxue")
