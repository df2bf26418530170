"""Draws the PWA icons (a rounded blue square with 通) into web/public/icons.

Run from the repository root: `uv run python web/scripts/make_icons.py`.
"""

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

FONT = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"
BLUE = (22, 119, 255, 255)
OUT = Path(__file__).resolve().parent.parent / "public" / "icons"


def draw(size: int, *, maskable: bool = False) -> Image.Image:
    scale = 4  # draw large and shrink for smooth edges
    big = size * scale
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    d = ImageDraw.Draw(image)
    if maskable:
        d.rectangle((0, 0, big, big), fill=BLUE)  # the platform cuts its own shape
        glyph = int(big * 0.5)
    else:
        margin = int(big * 0.04)
        d.rounded_rectangle((margin, margin, big - margin, big - margin), radius=int(big * 0.22), fill=BLUE)
        glyph = int(big * 0.62)
    font = ImageFont.truetype(FONT, glyph)
    box = d.textbbox((0, 0), "通", font=font)
    x = (big - (box[2] - box[0])) / 2 - box[0]
    y = (big - (box[3] - box[1])) / 2 - box[1]
    d.text((x, y), "通", font=font, fill=(255, 255, 255, 255))
    return image.resize((size, size), Image.Resampling.LANCZOS)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    draw(192).save(OUT / "icon-192.png")
    draw(512).save(OUT / "icon-512.png")
    draw(512, maskable=True).save(OUT / "icon-maskable-512.png")
    draw(180, maskable=True).convert("RGB").save(OUT / "apple-touch-icon.png")


if __name__ == "__main__":
    main()
