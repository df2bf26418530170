"""Directory search: name, pinyin, initials, phone, e-mail — best matches first."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, case, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from tongban.core.pagination import Page, decode_cursor, encode_cursor
from tongban.core.permissions import Actor
from tongban.org.models import Membership, Person
from tongban.org.schemas import PersonSummary
from tongban.org.service import readable_people, subtree_ids, summaries


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


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
    text = (q or "").strip().lower()
    if text:
        like = _escape_like(text)
        # Readings are space-separated alternatives; a leading space makes "% lf%" a word prefix.
        rank = case(
            (Person.name == q, 0),
            (Person.name.startswith(text, autoescape=True), 1),
            ((" " + Person.name_initials).like(f"% {like}%", escape="\\"), 2),
            ((" " + Person.name_pinyin).like(f"% {like}%", escape="\\"), 3),
            else_=4,
        )
        stmt = stmt.where(
            or_(
                Person.name.contains(text, autoescape=True),
                (" " + Person.name_initials).like(f"% {like}%", escape="\\"),
                (" " + Person.name_pinyin).like(f"% {like}%", escape="\\"),
                Person.mobile.contains(text, autoescape=True),
                Person.email.startswith(text, autoescape=True),
                Person.username.startswith(text, autoescape=True),
                Person.employee_no == text,
            )
        )
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
