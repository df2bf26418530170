"""The check-in code as a picture: PNG and inline SVG (segno), and an A4 poster as PDF (reportlab).

The poster draws the code as vector squares, so it prints sharp at any size, and writes the
title with reportlab's built-in Chinese font (STSong-Light, a CID font every PDF reader
supplies), so no font file ships with Tongban.
"""

from __future__ import annotations

import io

import segno
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from tongban.core import i18n

i18n.register(
    {
        "meetings.poster.scan": ("请用手机扫码签到", "Scan with your phone to check in"),
        "meetings.poster.time": ("时间：{when}", "Time: {when}"),
        "meetings.poster.place": ("地点：{where}", "Place: {where}"),
    }
)

FONT = "STSong-Light"


def checkin_url(base_url: str, meeting_id: int, token: str) -> str:
    return f"{base_url.rstrip('/')}/meetings/checkin/{meeting_id}?t={token}"


def _code(url: str) -> segno.QRCode:
    # Level M survives a smudge or a glare on a printed sheet and keeps the code small enough
    # for an old phone camera at a metre.
    return segno.make(url, error="m", micro=False)


def png(url: str, scale: int = 12) -> bytes:
    out = io.BytesIO()
    _code(url).save(out, kind="png", scale=scale, border=4)
    return out.getvalue()


def svg(url: str) -> str:
    """Scalable inline SVG (viewBox, no fixed size) for the full-screen display."""
    return str(_code(url).svg_inline(scale=1, border=2, omitsize=True))


def pdf(url: str, title: str, when: str, where: str) -> bytes:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=A4)
    page.setTitle(title)
    width, height = A4
    page.setFont(FONT, 26)
    page.drawCentredString(width / 2, height - 40 * mm, title[:40])
    page.setFont(FONT, 14)
    page.drawCentredString(width / 2, height - 52 * mm, i18n.t("meetings.poster.time", when=when))
    if where:
        page.drawCentredString(width / 2, height - 60 * mm, i18n.t("meetings.poster.place", where=where[:60]))
    code = _code(url)
    rows = [list(row) for row in code.matrix]
    border = 4
    cells = len(rows) + 2 * border
    side = 140 * mm
    cell = side / cells
    left, top = (width - side) / 2, height - 70 * mm
    page.setFillColorRGB(0, 0, 0)
    for y, row in enumerate(rows):
        for x, dark in enumerate(row):
            if dark:
                page.rect(
                    left + (x + border) * cell, top - (y + border + 1) * cell, cell, cell, stroke=0, fill=1
                )
    page.setFont(FONT, 18)
    page.drawCentredString(width / 2, top - side - 14 * mm, i18n.t("meetings.poster.scan"))
    page.showPage()
    page.save()
    return out.getvalue()
