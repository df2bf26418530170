"""Message search (消息搜索): one service, two engines.

Embedded (SQLite): two FTS5 tables, both keyed by the message id (rowid = im_messages.id),

    im_messages_fts(body, conversation_id UNINDEXED)        -- tokenizer trigram
    im_messages_bigrams(grams, conversation_id UNINDEXED)   -- tokenizer unicode61

Trigrams make any substring of three or more characters findable, which is what Chinese needs
(no word breaker: "房地产" finds "广州市房地产中介"), and they fold Latin case. Two-character terms
have no trigram; for them the second table holds the body as CJK bigrams, as Lucene's
CJKAnalyzer does (`bigrams`): every run of CJK characters becomes its overlapping pairs
("广州市房地产" → "广州 州市 市房 房地 地产"), a lone CJK character stands as itself, and any other
run of letters and digits stays one lower-cased word ("AI-assisted v2" → "ai assisted v2").

The text is stored in both tables rather than read from `im_messages` (external content):
deleting a row from an external-content table needs the exact text that was indexed, and by
the time `index_message` runs after an edit or a recall the message already holds the new
text. With the text kept, "delete by rowid, insert" is always right. Keying rows by the message
id lets a search walk matches newest first (`ORDER BY rowid DESC`) and stop after one page.
Both tables are written only from here, called by `tongban.im.messages` on send, edit and
recall; a recalled message is removed from both, so it can never be found. (The migration
that creates them backfills the bigram table with its own copy of `bigrams`.)

Terms are whitespace separated and all must match (AND). How each term is looked up:

- three characters or more: MATCH on the trigram table, a true substring match;
- exactly two CJK characters: MATCH of that pair on the bigram table — still a substring
  match, since every adjacent pair of the text is indexed ("房产" finds "房产证", not "房地产");
- exactly two letters/digits (not CJK): a prefix query on the bigram table (`"ai"*`), which
  finds words that START with it: "ai" finds "AI" and "aim" but not "said", "20" finds
  "2026" but not "1200". This differs from every other kind of term (and from PostgreSQL,
  below), which match substrings; it is what a search box needs for short Latin words,
  where a substring match mostly finds noise;
- anything else (one character, or two that mix scripts or hold punctuation, like "A股" or
  "C#"): `LIKE '%term%'` on `im_messages.body`. Not on an FTS column: SQLite 3.40's FTS5
  takes a LIKE on its own column into its index when it drives the query, and then matches
  nothing for a short pattern; the body is the same text, as recalled messages are left out
  either way. Such a term is only tested on messages of the caller's conversations: with an
  indexed term beside it, on the MATCH results; alone, on every message of those
  conversations (their (conversation_id, seq) index), so its cost grows with how much the
  caller can read — about 0.2 s for 120,000 messages (see bench/im_search.py).

When both tables are needed, the trigram table drives and the bigram table's matches are a
`rowid IN (…)` list, read in full once: its cost grows with how common the pair is (about
10–25 ms for a pair in 5% of 1,000,000 messages).

Scaled out (PostgreSQL): a `pg_trgm` GIN index on `im_messages.body`; every term becomes
`body ILIKE '%term%'` (a substring match, whatever its length), which that index serves for
three characters or more. Nothing to maintain on write.

Scope: results come only from the caller's conversations (`readable_conversations`) and only
from messages after they joined (`seq > joined_seq`), like history.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from typing import cast

from sqlalchemy import ColumnElement, and_, column, delete, insert, select, table
from sqlalchemy.ext.asyncio import AsyncSession

from tongban.core.errors import Invalid
from tongban.core.pagination import Page, decode_cursor, encode_cursor
from tongban.core.permissions import Actor
from tongban.im.access import access_conversation, readable_conversations
from tongban.im.models import Conversation, Member, Message
from tongban.im.render import render
from tongban.im.search_schemas import ConversationRef, SearchHit
from tongban.org import service as org
from tongban.org.models import Person

FTS = table("im_messages_fts", column("rowid"), column("body"), column("conversation_id"))
BIGRAMS = table("im_messages_bigrams", column("rowid"), column("grams"), column("conversation_id"))
MIN_TRIGRAM = 3
# Characters that are bigrammed (as Lucene's CJKBigramFilter: Han, kana, Hangul): CJK Unified
# Ideographs with extension A and B onwards, compatibility ideographs, 々 and 〇, hiragana and
# katakana (with their phonetic extensions and the half-width forms), Hangul syllables.
_CJK_RANGES = (
    "\u3005\u3007\u3041-\u309f\u30a1-\u30fa\u30fc-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff"
    "\uac00-\ud7af\uf900-\ufaff\uff66-\uff9f\U00020000-\U0003134f"
)
_CJK_RUN = re.compile(f"[{_CJK_RANGES}]+")
_WORD_RUN = re.compile(f"[^\\W_{_CJK_RANGES}]+")  # letters and digits that are not CJK
_TOKEN = re.compile(f"(?P<cjk>{_CJK_RUN.pattern})|{_WORD_RUN.pattern}")
MAX_TERMS = 10
SNIPPET = 160
SNIPPET_BEFORE = 30  # characters of context kept before the first match
MARK_START, MARK_END = "\u0002", "\u0003"
DEFAULT_TIMEZONE = "Asia/Shanghai"


def _is_sqlite(session: AsyncSession) -> bool:
    return session.get_bind().dialect.name == "sqlite"


def bigrams(text: str) -> str:
    """The bigram table's text for `text`: CJK runs as overlapping pairs plus each character on
    its own (so one-character queries are index look-ups too), other letter/digit runs as
    lower-cased words, all separated by spaces."""
    out: list[str] = []
    for m in _TOKEN.finditer(text):
        run = m.group()
        if m.group("cjk") is None:
            out.append(run.lower())
        elif len(run) == 1:
            out.append(run)
        else:
            out += [run[i : i + 2] for i in range(len(run) - 1)]
            out += list(dict.fromkeys(run))
    return " ".join(out)


# Built once: they run for every message sent.
_INDEX_FTS = insert(FTS).prefix_with("OR REPLACE")
_INDEX_BIGRAMS = insert(BIGRAMS).prefix_with("OR REPLACE")


async def index_message(session: AsyncSession, message: Message, *, new: bool = False) -> None:
    """Make the message findable by its current text (on PostgreSQL the index is on the table).

    Rows are written with OR REPLACE on the message id, so a new message needs no delete first
    (`new`): two statements instead of four on the hot path of sending.
    """
    if not _is_sqlite(session):
        return
    if not new:
        await unindex_message(session, message)
    if message.body and message.recalled_at is None:
        await session.execute(
            _INDEX_FTS,
            {"rowid": message.id, "body": message.body, "conversation_id": message.conversation_id},
        )
        await session.execute(
            _INDEX_BIGRAMS,
            {"rowid": message.id, "grams": bigrams(message.body), "conversation_id": message.conversation_id},
        )


async def unindex_message(session: AsyncSession, message: Message) -> None:
    """Never find the message again (recall). PostgreSQL: the recalled row has no body and is
    filtered out anyway."""
    if _is_sqlite(session):
        await session.execute(delete(FTS).where(FTS.c.rowid == message.id))
        await session.execute(delete(BIGRAMS).where(BIGRAMS.c.rowid == message.id))


async def unindex_conversation(session: AsyncSession, conversation_id: int) -> None:
    """Forget a whole conversation's messages (a dissolved group), looked up by rowid."""
    if _is_sqlite(session):
        ids = select(Message.id).where(Message.conversation_id == conversation_id)
        await session.execute(delete(FTS).where(FTS.c.rowid.in_(ids)))
        await session.execute(delete(BIGRAMS).where(BIGRAMS.c.rowid.in_(ids)))


def parse_terms(q: str) -> list[str]:
    terms = list(dict.fromkeys(q.split()))[:MAX_TERMS]
    if not terms:
        raise Invalid("query.q", "field.missing")
    return terms


def _like_pattern(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _fts_phrase(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def _bigram_query(term: str) -> str | None:
    """The bigram table's MATCH for a two-character term: the pair itself when both are CJK,
    a word prefix when both are letters/digits; None when it has no such form (see above)."""
    if len(term) == 1 and _CJK_RUN.fullmatch(term):
        return _fts_phrase(term)  # indexed on its own beside the pairs
    if len(term) != 2:
        return None
    if _CJK_RUN.fullmatch(term):
        return _fts_phrase(term)
    if _WORD_RUN.fullmatch(term):
        return _fts_phrase(term.lower()) + "*"
    return None


async def search_messages(
    session: AsyncSession,
    actor: Actor,
    q: str,
    *,
    conversation_id: int | None = None,
    sender_id: int | None = None,
    has_file: bool | None = None,
    date_from: dt.datetime | None = None,
    date_to: dt.datetime | None = None,
    cursor: str | None = None,
    limit: int = 20,
) -> Page[SearchHit]:
    """Messages of the caller's conversations containing every term of `q`, newest first.

    `date_from` is inclusive and `date_to` exclusive. A `conversation_id` the caller is not in
    is refused (403 `im_not_member`) before anything is counted, so it leaks nothing.
    """
    terms = parse_terms(q)
    if conversation_id is not None:
        await access_conversation(session, actor, conversation_id)
    after = decode_cursor(cursor)
    if after is not None and not (len(after) == 1 and isinstance(after[0], int)):
        raise Invalid("query.cursor", "field.invalid")

    stmt = readable_conversations(actor).join(Message, Message.conversation_id == Conversation.id)
    conditions: list[ColumnElement[bool]] = [
        Message.seq > Member.joined_seq,
        Message.recalled_at.is_(None),
    ]
    sqlite = _is_sqlite(session)
    contains = Message.body.like if sqlite else Message.body.ilike  # SQLite's LIKE ignores Latin case
    key: ColumnElement[int] = Message.id.expression
    if sqlite:
        long_terms = [t for t in terms if len(t) >= MIN_TRIGRAM]
        pairs = {t: match for t in terms if (match := _bigram_query(t)) is not None}
        # The rest is tested on `im_messages.body`, never on an FTS column: FTS5 (3.40) takes a
        # LIKE on its own column into its index and then finds nothing for < 3 characters.
        conditions += [
            contains(_like_pattern(t), escape="\\") for t in terms if len(t) < MIN_TRIGRAM and t not in pairs
        ]
        # Matches come out of FTS5 in rowid order: ordering by it lets a page stop early.
        if long_terms:
            stmt = stmt.join(FTS, FTS.c.rowid == Message.id)
            conditions.append(FTS.c.body.op("MATCH")(" ".join(_fts_phrase(t) for t in long_terms)))
            key = FTS.c.rowid
        if pairs:
            pair_match = BIGRAMS.c.grams.op("MATCH")(" ".join(pairs.values()))
            if long_terms:
                # Semi-join on rowid: the bigram matches are read once into a list that each
                # trigram match is looked up in. A plain join would run the bigram MATCH again
                # for every trigram match (~0.5 ms each, 350 ms for "proposal 方案").
                conditions.append(Message.id.in_(select(BIGRAMS.c.rowid).where(pair_match)))
            else:
                stmt = stmt.join(BIGRAMS, BIGRAMS.c.rowid == Message.id)
                conditions.append(pair_match)
                key = BIGRAMS.c.rowid
        if not long_terms and not pairs:
            # Only LIKE terms: walk the caller's conversations through their (conversation, seq)
            # index and sort what matches, rather than let SQLite walk every message in the
            # installation by id to honour ORDER BY (`+ 0` keeps it off the primary key).
            key = Message.id + 0
    else:
        conditions += [contains(_like_pattern(t), escape="\\") for t in terms]
    if conversation_id is not None:
        conditions.append(Message.conversation_id == conversation_id)
    if sender_id is not None:
        conditions.append(Message.sender_id == sender_id)
    if has_file is not None:
        with_file = Message.kind.in_(("image", "file"))
        conditions.append(with_file if has_file else ~with_file)
    if date_from is not None:
        conditions.append(Message.created_at >= date_from)
    if date_to is not None:
        conditions.append(Message.created_at < date_to)
    if after is not None:
        conditions.append(key < after[0])
    stmt = stmt.add_columns(Message).where(and_(*conditions)).order_by(key.desc()).limit(limit + 1)

    # The typed scope has two entities; the message was added to it.
    rows = cast(list[tuple[Conversation, Member, Message]], (await session.execute(stmt)).all())
    page = rows[:limit]
    messages = [m for _, _, m in page]
    rendered = await render(session, actor.person_id, messages)
    names = await _conversation_names(session, actor, [c for c, _, _ in page])
    items = [
        SearchHit(
            message=read,
            conversation=ConversationRef(id=c.id, name=names.get(c.id, c.name)),
            snippet=snippet(m.body, terms),
        )
        for (c, _, m), read in zip(page, rendered, strict=True)
    ]
    next_cursor = encode_cursor([messages[-1].id]) if len(rows) > limit else None
    return Page[SearchHit](items=items, next_cursor=next_cursor)


async def _conversation_names(
    session: AsyncSession, actor: Actor, conversations: list[Conversation]
) -> dict[int, str]:
    """A 1:1 chat is called by the other person's name, as in the conversation list."""
    directs = {c.id for c in conversations if c.kind == "direct"}
    if not directs:
        return {}
    rows = await session.execute(
        select(Member.conversation_id, Member.person_id).where(
            Member.conversation_id.in_(directs), Member.person_id != actor.person_id
        )
    )
    pairs = rows.all()
    names = await org.names_of(session, [pid for _, pid in pairs])
    return {cid: names.get(pid, "") for cid, pid in pairs}


def snippet(body: str, terms: list[str]) -> str:
    """At most `SNIPPET` characters of `body` around the first match, every match in the window
    wrapped in \\u0002…\\u0003 (the client renders them as highlight; they never occur in text)."""
    spans = sorted(
        (m.start(), m.end())
        for term in terms
        for m in re.finditer(re.escape(term), body, flags=re.IGNORECASE)
    )
    if not spans:
        return body[:SNIPPET]
    first = spans[0][0]
    start = max(0, min(first - SNIPPET_BEFORE, len(body) - SNIPPET))
    end = min(len(body), start + SNIPPET)
    merged: list[list[int]] = []
    for s, e in spans:
        s, e = max(s, start), min(e, end)
        if s >= e:
            continue
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    out, pos = [], start
    for s, e in merged:
        out += [body[pos:s], MARK_START, body[s:e], MARK_END]
        pos = e
    out.append(body[pos:end])
    return "".join(out)


async def day_bounds(
    session: AsyncSession, actor: Actor, date_from: dt.date | None, date_to: dt.date | None
) -> tuple[dt.datetime | None, dt.datetime | None]:
    """Calendar days in the caller's own time zone → [from, to) instants; `date_to` is inclusive."""
    if date_from is None and date_to is None:
        return None, None
    # A read of the org chart's time-zone column only (as in notify); org owns and writes people.
    name = await session.scalar(select(Person.timezone).where(Person.id == actor.person_id))
    try:
        zone = zoneinfo.ZoneInfo(name or DEFAULT_TIMEZONE)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo(DEFAULT_TIMEZONE)
    start = dt.datetime.combine(date_from, dt.time(), zone) if date_from else None
    end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time(), zone) if date_to else None
    return start, end
