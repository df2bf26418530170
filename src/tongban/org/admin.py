"""Bootstrapping an organisation admin from the command line."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tongban.auth.passwords import check_policy
from tongban.auth.service import set_password
from tongban.core.config import Settings
from tongban.core.errors import Invalid
from tongban.org.models import Department, Membership, Person, RoleAssignment
from tongban.org.pinyin import search_keys


async def create_org_admin(
    session: AsyncSession, settings: Settings, username: str, name: str, password: str, department: str | None
) -> Person:
    check_policy(password, username=username, field="password")
    if (await session.execute(select(Person.id).where(Person.username == username))).first():
        raise Invalid("username", "username_taken")
    root = (
        (
            await session.execute(
                select(Department).where(Department.parent_id.is_(None)).order_by(Department.id)
            )
        )
        .scalars()
        .first()
    )
    if root is None or (department and root.name != department):
        root = Department(name=department or "组织", parent_id=None)
        session.add(root)
        await session.flush()
        root.path = f"/{root.id}/"
    pinyin_full, initials = search_keys(name)
    person = Person(username=username, name=name, name_pinyin=pinyin_full, name_initials=initials)
    session.add(person)
    await session.flush()
    session.add(Membership(person_id=person.id, department_id=root.id, is_primary=True))
    session.add(RoleAssignment(person_id=person.id, role="org_admin", department_id=None))
    await set_password(session, settings, person.id, password)
    return person
