"""Text clean-up for recognised speech: Whisper sometimes writes Mandarin in Traditional characters."""

from __future__ import annotations

from functools import lru_cache
from typing import Any


@lru_cache(maxsize=1)
def _t2s() -> Any:
    from opencc import OpenCC

    return OpenCC("t2s")


def to_simplified(text: str) -> str:
    if not text or text.isascii():
        return text
    converted: str = _t2s().convert(text)
    return converted


def is_chinese(text: str) -> bool:
    """Mostly CJK characters (the language of a transcript recognised with language=auto)."""
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return False
    cjk = sum(1 for c in letters if "\u4e00" <= c <= "\u9fff")
    return cjk * 2 >= len(letters)
