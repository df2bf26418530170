"""Directory search: name, pinyin, initials, phone, e-mail — best matches first."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, case, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from tongban.core.pagination import Page, decode_cursor, encode_cursor
from tongban.core.permissions import Actor
from tongban.org.models import Membership, Person
from tongban.org.schemas import PersonSummary
from tongban.org.service import readable_people, subtree_ids, summaries


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _matching(raw: str) -> tuple[ColumnElement[bool], ColumnElement[int]]:
    """The filter and the rank for a query, testing only the columns it could match.

    Each extra LIKE is evaluated on every person, so a query of digits looks only at phones and
    employee numbers, one of Latin letters at readings, e-mail and username, one with Chinese
    characters at names: with 10,000 people that keeps a search well inside 30 ms.
    """
    text = raw.lower()
    like = _escape_like(text)
    name_exact = Person.name == raw
    name_prefix = Person.name.startswith(raw, autoescape=True)
    if text.replace("+", "").replace("-", "").replace(" ", "").isdigit():
        condition = or_(
            Person.mobile.contains(text, autoescape=True),
            Person.employee_no == raw,
            Person.username.startswith(text, autoescape=True),
        )
        return condition, case((Person.employee_no == raw, 0), else_=4)
    if text.isascii():
        # Readings are space-separated alternatives; a leading space makes "% lf%" a word prefix.
        initials = (" " + Person.name_initials).like(f"% {like}%", escape="\\")
        pinyin = (" " + Person.name_pinyin).like(f"% {like}%", escape="\\")
        condition = or_(
            initials,
            pinyin,
            Person.name.contains(raw, autoescape=True),  # Latin names ("Kowal")
            Person.email.startswith(text, autoescape=True),
            Person.username.startswith(text, autoescape=True),
            Person.employee_no == raw,
        )
        return condition, case((name_exact, 0), (name_prefix, 1), (initials, 2), (pinyin, 3), else_=4)
    condition = Person.name.contains(raw, autoescape=True)
    return condition, case((name_exact, 0), (name_prefix, 1), else_=4)


async def search_people(
    session: AsyncSession,
    actor: Actor,
    *,
    q: str | None = None,
    department_id: int | None = None,
    include_sub: bool = False,
    include_inactive: bool = False,
    cursor: str | None = None,
    limit: int = 50,
) -> Page[PersonSummary]:
    stmt = readable_people(actor, include_inactive=include_inactive)
    rank = None
    text = (q or "").strip()
    if text:
        condition, rank = _matching(text)
        stmt = stmt.where(condition)
    if department_id is not None:
        ids = await subtree_ids(session, [department_id]) if include_sub else {department_id}
        stmt = stmt.where(
            Person.id.in_(select(Membership.person_id).where(Membership.department_id.in_(ids)))
        )
    sort_key = rank if rank is not None else case((Person.active.is_(True), 0), else_=1)
    stmt = stmt.add_columns(sort_key.label("rank")).order_by(sort_key, Person.name_pinyin, Person.id)
    after = decode_cursor(cursor)
    if after is not None and len(after) == 3:
        a_rank, a_pinyin, a_id = after
        stmt = stmt.where(
            or_(
                sort_key > a_rank,
                and_(sort_key == a_rank, Person.name_pinyin > a_pinyin),
                and_(sort_key == a_rank, Person.name_pinyin == a_pinyin, Person.id > a_id),
            )
        )
    rows = (await session.execute(stmt.limit(limit + 1))).all()
    people = [row[0] for row in rows[:limit]]
    next_cursor = None
    if len(rows) > limit:
        last: Any = rows[limit - 1]  # (Person, rank): the rank column is added above
        last_person, last_rank = last[0], last[1]
        next_cursor = encode_cursor([last_rank, last_person.name_pinyin, last_person.id])
    return Page(items=await summaries(session, people), next_cursor=next_cursor)
