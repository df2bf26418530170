"""Messages (消息): a 1:1 chat delivered live, rendered safely, and read receipts going back."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Dialog, Page, expect

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
