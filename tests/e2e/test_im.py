"""Messages (消息): a 1:1 chat delivered live, rendered safely, and read receipts going back."""

from __future__ import annotations

import io
import re
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from PIL import Image
from playwright.sync_api import BrowserContext, Dialog, Locator, Page, expect

from tests.e2e.conftest import DEMO_PASSWORD
from tests.e2e.test_shell import shot, sign_in

pytestmark = pytest.mark.e2e

Launch = Callable[[str], tuple[BrowserContext, Page]]
ATTACK = "<img src=x onerror=alert(1)>"


def open_im(page: Page, server: str, login: str, dialogs: list[str]) -> None:
    def on_dialog(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.goto(f"{server}/im")
    sign_in(page, login)
    expect(page).to_have_url(re.compile(r"/im$"))
    expect(page.get_by_test_id("im-page")).to_be_visible()


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_direct_chat_is_live_safe_and_read(
    server: str, open_browser: Launch, artifacts: Path, reset_locale: Callable[[str], None], viewport: str
) -> None:
    reset_locale("liufeng")
    reset_locale("hanxue")
    dialogs: list[str] = []
    _, sender = open_browser(viewport)
    _, reader = open_browser(viewport)
    open_im(sender, server, "liufeng", dialogs)
    open_im(reader, server, "hanxue", dialogs)

    # 刘锋 starts a 1:1 with 韩雪 through the directory picker.
    sender.get_by_test_id("im-new").click()
    sender.get_by_role("menuitem", name="发起单聊").click()
    sender.locator("#im-new-chat-person").fill("韩雪")
    sender.locator(".ant-select-item-option", has_text="韩雪").first.click()
    sender.get_by_role("button", name="开始聊天").click()
    expect(sender.get_by_test_id("im-title")).to_have_text("韩雪")

    token = uuid.uuid4().hex[:8]
    sender.get_by_test_id("im-input").fill(f"{token} 你好 {ATTACK} **重要** 请看")
    sender.get_by_test_id("im-send").click()
    mine = sender.get_by_test_id("im-message").filter(has_text=token)
    expect(mine.get_by_test_id("im-bubble")).to_contain_text(ATTACK)
    expect(mine.get_by_test_id("im-receipt")).to_have_text("未读")
    shot(sender, artifacts / f"{viewport}-im-1-sent.png")

    # 韩雪 sees it arrive in her list without reloading, then opens it.
    row = reader.get_by_test_id("im-conversation").filter(has_text="刘锋")
    expect(row).to_contain_text(token)
    shot(reader, artifacts / f"{viewport}-im-2-list.png")
    row.click()
    received = reader.get_by_test_id("im-message").filter(has_text=token).get_by_test_id("im-bubble")
    expect(received).to_contain_text(f"你好 {ATTACK} 重要 请看")
    expect(received.locator("strong")).to_have_text("重要")
    expect(received.locator("img")).to_have_count(0)
    shot(reader, artifacts / f"{viewport}-im-3-received.png")

    # Shown on her screen → marked read → 刘锋's receipt turns to 已读 live.
    expect(mine.get_by_test_id("im-receipt")).to_have_text("已读")
    shot(sender, artifacts / f"{viewport}-im-4-read.png")

    assert dialogs == []
    for page in (sender, reader):
        assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


# ---- groups: the whole journey once (1280 px, zh-CN), a shorter one on a phone in English ----


@contextmanager
def api_client(server: str, username: str) -> Iterator[httpx.Client]:
    """A signed-in API session for setting the scene (the journey itself goes through the UI)."""
    with httpx.Client(base_url=server) as http:
        http.post("/api/auth/login", json={"login": username, "password": DEMO_PASSWORD}).raise_for_status()
        http.headers["X-CSRF-Token"] = http.cookies.get("tongban_csrf") or ""
        yield http


def set_locale(server: str, username: str, locale: str) -> None:
    with api_client(server, username) as http:
        http.patch("/api/me", json={"locale": locale}).raise_for_status()


def person_id(server: str, username: str) -> int:
    with api_client(server, username) as http:
        return int(http.get("/api/me").json()["id"])


def message_row(page: Page, text: str) -> Locator:
    return page.get_by_test_id("im-pane").get_by_test_id("im-message").filter(has_text=text).last


def message_action(page: Page, text: str, action: str) -> None:
    row = message_row(page, text)
    row.hover()
    row.get_by_test_id("im-message-more").click()
    page.get_by_role("menuitem", name=action).click()


def no_overflow(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


def test_group_journey_desktop_zh(
    server: str, open_browser: Launch, artifacts: Path, reset_locale: Callable[[str], None]
) -> None:
    for username in ("liufeng", "hanxue", "tangwei"):
        reset_locale(username)
    with api_client(server, "liufeng") as http:  # somewhere to forward to
        http.post(
            "/api/im/conversations", json={"kind": "direct", "person_id": person_id(server, "hanxue")}
        ).raise_for_status()
    dialogs: list[str] = []
    _, owner = open_browser("desktop")
    _, member = open_browser("desktop")
    open_im(owner, server, "liufeng", dialogs)
    open_im(member, server, "hanxue", dialogs)
    token = uuid.uuid4().hex[:6]
    name = f"周报群{token}"

    # 刘锋 creates the group with 韩雪.
    owner.get_by_test_id("im-new").click()
    owner.get_by_role("menuitem", name="创建群聊").click()
    dialog = owner.get_by_role("dialog", name="创建群聊")
    dialog.get_by_label("群名称").fill(name)
    dialog.locator("#member_ids").fill("韩雪")
    owner.locator(".ant-select-item-option", has_text="韩雪").first.click()
    dialog.get_by_label("群名称").click()  # a multiple select stays open after a pick
    expect(owner.locator(".ant-select-dropdown:visible")).to_have_count(0)
    dialog.get_by_role("button", name="创建群聊").click()
    expect(owner.get_by_test_id("im-title")).to_have_text(name)

    # @韩雪, picked from the mention list; she sees the @ badge in her list before opening it.
    composer = owner.get_by_test_id("im-input")
    composer.press_sequentially("@韩")
    owner.get_by_role("option", name="@韩雪").click()
    composer.press_sequentially(f"请看里程碑{token}")
    owner.get_by_test_id("im-send").click()
    expect(message_row(owner, f"里程碑{token}").locator(".im-mention")).to_have_text("@韩雪")
    row = member.get_by_test_id("im-conversation").filter(has_text=name)
    expect(row).to_contain_text("[有人@我]")
    shot(member, artifacts / "desktop-group-1-mentioned.png")
    row.click()
    expect(member.get_by_test_id("im-title")).to_have_text(name)

    # 韩雪 reacts and answers in a thread; 刘锋 sees both, the thread marked unread until he opens it.
    mentioned = message_row(member, f"里程碑{token}")
    mentioned.hover()
    mentioned.get_by_role("button", name="表情回应").click()
    member.get_by_role("option", name="👍").click()
    message_action(member, f"里程碑{token}", "话题回复")
    thread = member.get_by_role("dialog", name="话题")
    thread.get_by_test_id("im-input").fill("收到，周五前给")
    thread.get_by_test_id("im-send").click()
    expect(thread.get_by_test_id("im-message").filter(has_text="收到，周五前给")).to_be_visible()
    member.keyboard.press("Escape")
    root = message_row(owner, f"里程碑{token}")
    expect(root.get_by_role("button", name="👍 1")).to_be_visible()
    expect(root.get_by_test_id("im-thread-unread")).to_have_text("1 条新回复")
    shot(owner, artifacts / "desktop-group-2-reaction-thread.png")
    root.get_by_role("button", name=re.compile("1 条回复")).click()
    expect(owner.get_by_role("dialog", name="话题")).to_contain_text("收到，周五前给")
    owner.keyboard.press("Escape")
    expect(root.get_by_test_id("im-thread-unread")).to_have_count(0)

    # Edit: shown as edited on both sides. Recall: the line on both sides.
    composer.fill(f"初稿{token}")
    owner.get_by_test_id("im-send").click()
    message_action(owner, f"初稿{token}", "编辑")
    edit = owner.get_by_role("dialog", name="编辑消息")
    edit.locator("textarea").fill(f"定稿{token}")
    edit.get_by_role("button", name=re.compile(r"^保\s*存$")).click()
    for page in (owner, member):
        expect(message_row(page, f"定稿{token}")).to_contain_text("（已编辑）")
    composer.fill(f"发错了{token}")
    owner.get_by_test_id("im-send").click()
    message_action(owner, f"发错了{token}", "撤回")
    for page in (owner, member):
        expect(page.get_by_test_id("im-pane").get_by_test_id("im-recalled").last).to_have_text(
            "刘锋 撤回了一条消息"
        )
        expect(page.get_by_test_id("im-pane")).not_to_contain_text(f"发错了{token}")
        listed = page.get_by_test_id("im-conversation").filter(has_text=name)
        expect(listed).to_contain_text("刘锋 撤回了一条消息")
        expect(listed).not_to_contain_text(f"发错了{token}")
    shot(member, artifacts / "desktop-group-3-edited-recalled.png")

    # Forward into the 1:1 with 韩雪.
    message_action(owner, f"定稿{token}", "转发")
    forward = owner.get_by_role("dialog", name="转发到")
    forward.get_by_role("checkbox", name="韩雪").check()
    forward.get_by_role("button", name=re.compile(r"^转\s*发$")).click()
    direct = member.get_by_test_id("im-conversation").filter(has_text="刘锋").filter(has_not_text=name)
    expect(direct).to_contain_text(f"定稿{token}")

    # Search: the hit highlighted; clicking it opens the message in its conversation.
    owner.get_by_test_id("im-search-open").click()
    search = owner.get_by_test_id("im-search-input").locator("input")
    search.fill(f"里程碑{token}")
    search.press("Enter")
    hit = owner.get_by_test_id("im-search-hit").filter(has_text=name)
    expect(hit.locator("mark").first).to_contain_text(token)
    shot(owner, artifacts / "desktop-group-4-search.png")
    hit.click()
    expect(owner).to_have_url(re.compile(r"/im/\d+\?seq=\d+$"))
    expect(owner.get_by_test_id("im-title")).to_have_text(name)
    expect(message_row(owner, f"里程碑{token}")).to_be_in_viewport()

    # Join by link: 刘锋 turns it on; 唐伟, in another browser, opens it, signs in and joins.
    owner.get_by_test_id("im-details").click()
    panel = owner.get_by_test_id("im-member-panel")
    panel.get_by_test_id("im-join-link-toggle").click()
    link = panel.get_by_test_id("im-join-link")
    expect(link).to_contain_text("/im/join/")
    expect(panel.locator(".im-join-qr canvas")).to_be_visible()
    shot(owner, artifacts / "desktop-group-5-join-link.png")
    url = link.inner_text().strip()
    _, joiner = open_browser("desktop")
    joiner.goto(url)
    sign_in(joiner, "tangwei")
    expect(joiner.get_by_test_id("im-join-name")).to_have_text(name)
    expect(joiner.get_by_test_id("im-join-page")).to_contain_text("2 名成员")
    shot(joiner, artifacts / "desktop-group-6-join-page.png")
    joiner.get_by_test_id("im-join-button").click()
    expect(joiner.get_by_test_id("im-title")).to_have_text(name)
    expect(panel).to_contain_text("3 名成员")

    # 刘锋 makes 唐伟 an admin; then tries to leave and is told to hand the group over first.
    newcomer = panel.locator(".ant-list-item").filter(has_text="唐伟")
    newcomer.get_by_test_id("im-member-menu").click()
    owner.get_by_role("menuitem", name="设为管理员").click()
    expect(newcomer).to_contain_text("管理员")
    panel.get_by_test_id("im-leave").click()
    owner.locator(".ant-modal-confirm-confirm").get_by_role("button", name="退出群聊").click()
    refusal = owner.locator(".ant-modal-confirm-error")
    expect(refusal).to_contain_text("群主需要先把群主转让给其他成员")
    shot(owner, artifacts / "desktop-group-7-owner-cannot-leave.png")
    refusal.get_by_role("button", name="知道了").click()
    owner.get_by_role("dialog", name="会话详情与成员").locator(".ant-drawer-close").click()

    # DING 韩雪; she acknowledges; 刘锋 sees it acknowledged.
    message_action(owner, f"定稿{token}", "DING 一下")
    ding = owner.get_by_role("dialog", name="DING 一下")
    ding.get_by_role("checkbox", name="韩雪").check()
    ding.get_by_role("button", name="发送 DING").click()
    status = owner.get_by_role("dialog", name=re.compile("DING 确认情况"))
    expect(status).to_contain_text("DING 确认情况（0/1）")
    banner = member.get_by_test_id("ding-banner")
    expect(banner).to_contain_text("刘锋 给你发了一条 DING")
    shot(member, artifacts / "desktop-group-8-ding.png")
    member.get_by_test_id("ding-ack").click()
    expect(banner).to_have_count(0)
    expect(status).to_contain_text("DING 确认情况（1/1）")
    shot(owner, artifacts / "desktop-group-9-ding-acked.png")
    status.locator(".ant-modal-close").click()

    # He hands the group to 唐伟 and can leave now; 唐伟, the new owner, dissolves it.
    owner.get_by_test_id("im-details").click()
    newcomer.get_by_test_id("im-member-menu").click()
    owner.get_by_role("menuitem", name="转让群主").click()
    owner.locator(".ant-modal-confirm-confirm").get_by_role("button", name="转让群主").click()
    expect(newcomer).to_contain_text("群主")
    expect(panel.locator(".ant-list-item").filter(has_text="刘锋")).to_contain_text("管理员")
    panel.get_by_test_id("im-leave").click()
    owner.locator(".ant-modal-confirm-confirm").get_by_role("button", name="退出群聊").click()
    expect(owner).to_have_url(re.compile(r"/im$"))
    expect(owner.get_by_test_id("im-conversation").filter(has_text=name)).to_have_count(0)
    joiner.get_by_test_id("im-details").click()
    joiner.get_by_test_id("im-dissolve").click()
    confirm = joiner.locator(".ant-modal-confirm-confirm")
    expect(confirm).to_contain_text("聊天记录、群机器人和 Webhook 一并删除")
    shot(joiner, artifacts / "desktop-group-10-dissolve.png")
    confirm.get_by_role("button", name="解散群聊").click()
    expect(joiner).to_have_url(re.compile(r"/im$"))
    expect(member.get_by_test_id("im-conversation").filter(has_text=name)).to_have_count(0)
    expect(member.get_by_text("你不在这个会话中")).to_be_visible()
    shot(member, artifacts / "desktop-group-11-dissolved.png")

    assert dialogs == []
    for page in (owner, member, joiner):
        no_overflow(page)


def test_group_journey_phone_en(server: str, open_browser: Launch, artifacts: Path) -> None:
    for username in ("songjie", "tangwei"):
        set_locale(server, username, "en-US")
    token = uuid.uuid4().hex[:6]
    name = f"Night shift {token}"
    with api_client(server, "songjie") as http:
        group = http.post(
            "/api/im/conversations",
            json={"kind": "group", "name": name, "member_ids": [person_id(server, "fengying")]},
        ).json()
    dialogs: list[str] = []
    try:
        _, admin = open_browser("phone")
        open_im(admin, server, "songjie", dialogs)
        expect(admin.locator("html")).to_have_attribute("lang", "en-US")

        # 宋杰 administers 大数据中心: he makes its department group from the new-chat menu.
        admin.get_by_test_id("im-new").click()
        admin.get_by_role("menuitem", name="New department group").click()
        dialog = admin.get_by_role("dialog", name="New department group")
        dialog.locator("#im-department-pick").click()
        admin.locator(".ant-select-tree-node-content-wrapper", has_text="大数据中心").click()
        shot(admin, artifacts / "phone-group-1-department-pick.png")
        dialog.get_by_role("button", name="Create").click()
        expect(admin.get_by_test_id("im-title")).to_have_text("大数据中心")
        admin.get_by_test_id("im-back").click()
        expect(admin.get_by_test_id("im-conversation").filter(has_text="大数据中心")).to_be_visible()

        # He turns on the join link of his group and copies it.
        admin.get_by_test_id("im-conversation").filter(has_text=name).click()
        admin.get_by_test_id("im-details").click()
        panel = admin.get_by_test_id("im-member-panel")
        panel.get_by_test_id("im-join-link-toggle").click()
        link = panel.get_by_test_id("im-join-link")
        expect(link).to_contain_text("/im/join/")
        panel.get_by_test_id("im-join-link").scroll_into_view_if_needed()
        shot(admin, artifacts / "phone-group-2-join-link.png")
        url = link.inner_text().strip()
        # A group picture of his own.
        picture = io.BytesIO()
        Image.new("RGB", (96, 96), (250, 140, 22)).save(picture, "PNG")
        panel.get_by_test_id("im-avatar-input").set_input_files(
            {"name": "shift.png", "mimeType": "image/png", "buffer": picture.getvalue()}
        )
        expect(panel.locator(".im-group-avatar img")).to_be_visible()
        expect(panel.get_by_role("button", name="Remove picture")).to_be_visible()
        no_overflow(admin)

        # 唐伟, on his phone: a link that is not (or no longer) valid says so; the real one joins.
        _, joiner = open_browser("phone")
        joiner.goto(f"{server}/im/join/not-a-real-link")
        sign_in(joiner, "tangwei")
        expect(joiner.get_by_test_id("im-join-error")).to_have_text(
            "This group link has been turned off or is not valid. Ask a group admin for a new one."
        )
        shot(joiner, artifacts / "phone-group-3-bad-link.png")
        joiner.goto(url)
        expect(joiner.get_by_test_id("im-join-name")).to_have_text(name)
        expect(joiner.get_by_test_id("im-join-page")).to_contain_text("2 members")
        shot(joiner, artifacts / "phone-group-4-join.png")
        joiner.get_by_test_id("im-join-button").click()
        expect(joiner.get_by_test_id("im-title")).to_have_text(name)
        expect(panel).to_contain_text("3 members")
        # Now a member, he sees the group's picture in his list.
        joiner.get_by_test_id("im-back").click()
        expect(joiner.get_by_test_id("im-conversation").filter(has_text=name).locator("img")).to_be_visible()
        joiner.get_by_test_id("im-conversation").filter(has_text=name).click()

        # He says hello and takes it back; both phones show the recall line in English.
        joiner.get_by_test_id("im-input").fill(f"hello {token}")
        joiner.get_by_test_id("im-send").click()
        message_action(joiner, f"hello {token}", "Recall")
        admin.keyboard.press("Escape")
        for page in (joiner, admin):
            expect(page.get_by_test_id("im-recalled").last).to_have_text("唐伟 recalled a message")
        shot(joiner, artifacts / "phone-group-5-recalled.png")
        for page in (admin, joiner):
            no_overflow(page)
        assert dialogs == []
        assert group["id"]
    finally:
        for username in ("songjie", "tangwei"):
            set_locale(server, username, "zh-CN")
