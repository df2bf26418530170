"""Pinyin search keys for Chinese names: full readings and initials, heteronyms included."""

from __future__ import annotations

import itertools
import re

from pypinyin import Style, pinyin

MAX_READINGS = 8
_ASCII_WORD = re.compile(r"[a-z0-9]+")


def search_keys(name: str) -> tuple[str, str]:
    """("liufeng", "lf") for 刘锋; space-separated alternatives for heteronyms (曾 zeng/ceng).

    Latin names keep their words: "Anna Kowalska" gives ("annakowalska anna kowalska", "ak").
    """
    lowered = name.strip().lower()
    if not lowered:
        return "", ""
    if lowered.isascii():
        words = _ASCII_WORD.findall(lowered)
        full = "".join(words)
        return " ".join(dict.fromkeys([full, *words])), "".join(w[0] for w in words)
    # Given names read fine in context; surnames are where readings differ (曾 zēng, 单 shàn),
    # so only the first character contributes its alternatives.
    given = pinyin(lowered, style=Style.NORMAL, errors="default")
    surname = pinyin(lowered[0], style=Style.NORMAL, heteronym=True, errors="default")[0]
    per_char = [list(dict.fromkeys([given[0][0], *surname]))[:3]] + [r[:1] for r in given[1:]]
    fulls: list[str] = []
    initials: list[str] = []
    for combo in itertools.islice(itertools.product(*per_char), MAX_READINGS):
        parts = [p for p in combo if p.strip()]
        fulls.append("".join(parts))
        initials.append("".join(p[0] for p in parts if p))
    return " ".join(dict.fromkeys(fulls)), " ".join(dict.fromkeys(initials))
