"""Keywords and key points of a transcript.

Keywords: jieba's TF-IDF restricted to nouns for Chinese, with the office's domain words in its
dictionary so 灾情统计 stays one word instead of 灾情 + 统计; YAKE for English. Each keyword
lists the start times of the segments it occurs in, for the chips that jump playback.

Key points: an extractive summary — the segments most similar to the rest of the transcript
(degree centrality over TF-IDF cosine similarity, as in LexRank), kept in time order, with
their start times. Nothing is generated: every key point is a sentence that was said.
"""

from __future__ import annotations

import math
import re
import threading
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

from tongban.minutes.text import is_chinese

DOMAIN_WORDS = (
    "灾情统计",
    "审批流程",
    "防汛抗旱",
    "应急预案",
    "财政预算",
    "政务服务",
    "营商环境",
    "乡村振兴",
    "安全生产",
    "信访工作",
    "会议纪要",
    "项目申报",
    "一网通办",
    "数字政府",
)
NOUN_TAGS = ("n", "nr", "ns", "nt", "nz", "vn", "nw")
MAX_KEYWORDS = 10
_jieba_lock = threading.Lock()
_jieba_ready = False


class _Seg(Protocol):
    position: int
    start: float
    text: str


def configure(data_dir: Path) -> None:
    """Load jieba once, with its cache under the data directory (not /tmp) and the domain words."""
    global _jieba_ready
    with _jieba_lock:
        if _jieba_ready:
            return
        import jieba

        folder = data_dir / "cache"
        folder.mkdir(parents=True, exist_ok=True)
        jieba.dt.tmp_dir = str(folder)
        jieba.setLogLevel(30)
        for word in DOMAIN_WORDS:
            jieba.add_word(word, freq=20000, tag="n")
        _jieba_ready = True


def keywords_zh(text: str) -> list[tuple[str, float]]:
    import jieba.analyse

    found: list[tuple[str, float]] = jieba.analyse.extract_tags(
        text, topK=MAX_KEYWORDS, withWeight=True, allowPOS=NOUN_TAGS
    )
    return [(w, float(s)) for w, s in found if len(w) > 1]


def keywords_en(text: str) -> list[tuple[str, float]]:
    import yake

    extractor = yake.KeywordExtractor(lan="en", n=2, top=MAX_KEYWORDS, dedupLim=0.7)
    found = extractor.extract_keywords(text)
    # YAKE scores are "lower is better"; turn them into a weight where higher is better.
    return [(w, round(1.0 / (1.0 + float(s)), 4)) for w, s in found]


def _tokens(text: str, chinese: bool) -> list[str]:
    if chinese:
        chars = [c for c in text if "\u4e00" <= c <= "\u9fff" or c.isalnum()]
        return ["".join(chars[i : i + 2]) for i in range(len(chars) - 1)] or chars
    return [w for w in re.findall(r"[a-z0-9']+", text.lower()) if len(w) > 2]


def key_points(segments: Sequence[_Seg], chinese: bool, limit: int = 5) -> list[dict[str, Any]]:
    docs = [Counter(_tokens(s.text, chinese)) for s in segments]
    n = len(docs)
    if n == 0:
        return []
    df: Counter[str] = Counter()
    for d in docs:
        df.update(d.keys())
    vectors = []
    for d in docs:
        vec = {t: c * math.log((1 + n) / (1 + df[t])) + 1e-9 for t, c in d.items()}
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        vectors.append({t: v / norm for t, v in vec.items()})
    scores = []
    for i, a in enumerate(vectors):
        total = 0.0
        for j, b in enumerate(vectors):
            if i != j:
                total += sum(v * b.get(t, 0.0) for t, v in a.items())
        # Longer sentences carry more; very short ones ("好的") are rarely the point.
        scores.append(total + 0.01 * min(len(segments[i].text), 60))
    count = min(limit, max(1, math.ceil(n / 4)))
    best = sorted(sorted(range(n), key=lambda i: -scores[i])[:count])
    return [
        {"text": segments[i].text, "start": segments[i].start, "segment": segments[i].position} for i in best
    ]


def analyse(segments: Sequence[_Seg], language: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    text = "\n".join(s.text for s in segments)
    chinese = language == "zh" or (language == "auto" and is_chinese(text))
    found = keywords_zh(text) if chinese else keywords_en(text)
    keywords = []
    for word, weight in found:
        needle = word.lower()
        times = [s.start for s in segments if needle in s.text.lower()]
        if times:
            keywords.append({"word": word, "weight": round(weight, 4), "times": times})
    return keywords, key_points(segments, chinese)
