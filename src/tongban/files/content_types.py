"""What a file is, judged from its bytes, and whether a browser may show it inline.

The client's Content-Type is never used: a browser that trusts it would render an "image" that
is really HTML as a page on our origin. The file name only breaks ties between formats the
bytes already match (a ZIP container is .docx, .xlsx or .pptx by its name).
"""

from __future__ import annotations

import puremagic

# Enough for every signature puremagic knows at a small offset (ZIP, TAR at 257, ...).
SNIFF_BYTES = 64 * 1024
OCTET_STREAM = "application/octet-stream"
TEXT_PLAIN = "text/plain"

# Shown in the browser (Content-Disposition: inline). Everything else is downloaded:
# HTML, SVG and XML can run script, executables must not open with one click.
INLINE_TYPES = frozenset(
    {
        "image/png",
        "image/jpeg",
        "image/gif",
        "image/webp",
        "image/bmp",
        "image/avif",
        "application/pdf",
        TEXT_PLAIN,
    }
)
INLINE_PREFIXES = ("audio/", "video/")


def sniff_content_type(head: bytes, filename: str | None = None) -> str:
    """The media type of a file from its first bytes (up to SNIFF_BYTES)."""
    if head:
        try:
            matches = puremagic.magic_string(head, filename=filename)
        except (puremagic.PureError, ValueError):
            matches = []
        for match in matches:
            if match.mime_type:
                return str(match.mime_type).lower()
    if _looks_like_text(head):
        return TEXT_PLAIN
    return OCTET_STREAM


def _looks_like_text(head: bytes) -> bool:
    if not head or b"\x00" in head:
        return False
    # The sniffed head may end inside a multi-byte character.
    for cut in range(4):
        try:
            (head[: len(head) - cut] if cut else head).decode("utf-8")
        except UnicodeDecodeError:
            continue
        return True
    return False


def is_inline_safe(content_type: str) -> bool:
    return content_type in INLINE_TYPES or content_type.startswith(INLINE_PREFIXES)


def response_media_type(content_type: str) -> str:
    # Only valid UTF-8 is classified as text (see _looks_like_text), so say so.
    return f"{TEXT_PLAIN}; charset=utf-8" if content_type == TEXT_PLAIN else content_type
