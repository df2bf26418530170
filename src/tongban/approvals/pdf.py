"""The record of a finished request as a PDF: form, route, timeline with signatures.

`render_record` is the one function that produces it, so a signer (the seals capability) can
wrap it: `sign(render_record(...))`. Pages are drawn with Pillow in a CJK font and saved as
PDF pages, which needs nothing beyond the imaging library the files capability already uses."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageFont

FONT_PATHS = (
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
)
WIDTH, HEIGHT, MARGIN = 1240, 1754, 90  # A4 at 150 dpi


@dataclass
class Entry:
    when: str
    who: str
    what: str
    comment: str = ""
    signature: bytes | None = None


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for path in FONT_PATHS:
        if path.exists():
            return ImageFont.truetype(str(path), size, index=0)
    return ImageFont.load_default(size)


class _Pages:
    def __init__(self) -> None:
        self.pages: list[Image.Image] = []
        self.y = HEIGHT
        self.text_font, self.title_font, self.small = _font(28), _font(44), _font(22)

    def _page(self) -> ImageDraw.ImageDraw:
        return ImageDraw.Draw(self.pages[-1])

    def need(self, height: int) -> ImageDraw.ImageDraw:
        if self.y + height > HEIGHT - MARGIN:
            self.pages.append(Image.new("RGB", (WIDTH, HEIGHT), "white"))
            self.y = MARGIN
        return self._page()

    def line(self, text: str, *, font: Any = None, color: str = "#1f1f1f", indent: int = 0) -> None:
        font = font or self.text_font
        for chunk in _wrap(text, font, WIDTH - 2 * MARGIN - indent):
            draw = self.need(42)
            draw.text((MARGIN + indent, self.y), chunk, font=font, fill=color)
            self.y += 42

    def image(self, data: bytes, indent: int) -> None:
        try:
            picture = Image.open(io.BytesIO(data)).convert("RGBA")
        except Exception:  # an unreadable image is left out; the entry's text remains
            return
        picture.thumbnail((360, 160))
        self.need(picture.height + 10)
        background = Image.new("RGB", picture.size, "white")
        background.paste(picture, mask=picture.split()[-1])
        self.pages[-1].paste(background, (MARGIN + indent, self.y))
        self.y += picture.height + 10


def _wrap(text: str, font: Any, width: int) -> list[str]:
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        current = ""
        for ch in paragraph:
            if font.getlength(current + ch) > width:
                lines.append(current)
                current = ch
            else:
                current += ch
        lines.append(current)
    return lines


def render_record(
    title: str, status: str, fields: list[tuple[str, str]], entries: list[Entry], footer: str
) -> bytes:
    doc = _Pages()
    doc.line(title, font=doc.title_font)
    doc.line(status, color="#0958d9")
    doc.y += 10
    for label, value in fields:
        doc.line(f"{label}：{value}")
    doc.y += 20
    for entry in entries:
        doc.line(f"{entry.when}  {entry.who}  {entry.what}", color="#1f1f1f")
        if entry.comment:
            doc.line(entry.comment, indent=40, color="#595959")
        if entry.signature:
            doc.image(entry.signature, indent=40)
        doc.y += 8
    doc.line(footer, font=doc.small, color="#8c8c8c")
    out = io.BytesIO()
    doc.pages[0].save(out, format="PDF", save_all=True, append_images=doc.pages[1:], resolution=150)
    return out.getvalue()
