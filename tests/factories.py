"""Small factories for test data, and a signed-in client helper."""

from __future__ import annotations

import itertools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tongban.auth.service import set_password
from tongban.core.config import Settings
from tongban.core.db import Database
from tongban.org.models import Department, Membership, Person, RoleAssignment
from tongban.org.pinyin import search_keys

PASSWORD = "correct-horse-9"
_seq = itertools.count(1)


@dataclass
class Org:
    db: Database
    settings: Settings

    async def department(self, name: str, parent: Department | None = None) -> Department:
        async with self.db.transaction() as session:
            dept = Department(name=name, parent_id=parent.id if parent else None)
            session.add(dept)
            await session.flush()
            dept.path = f"{parent.path if parent else '/'}{dept.id}/"
        return dept

    async def person(
        self,
        name: str,
        department: Department,
        *,
        username: str | None = None,
        role: str | None = None,
        admin_of: Department | None = None,
        **fields: Any,
    ) -> Person:
        n = next(_seq)
        pinyin_full, initials = search_keys(name)
        async with self.db.transaction() as session:
            person = Person(
                username=username or f"user{n}",
                name=name,
                name_pinyin=pinyin_full,
                name_initials=initials,
                **fields,
            )
            session.add(person)
            await session.flush()
            session.add(Membership(person_id=person.id, department_id=department.id, is_primary=True))
            if role == "org_admin":
                session.add(RoleAssignment(person_id=person.id, role="org_admin"))
            if admin_of is not None:
                session.add(RoleAssignment(person_id=person.id, role="dept_admin", department_id=admin_of.id))
            await set_password(session, self.settings, person.id, PASSWORD)
        return person


@pytest.fixture
def org(db: Database, settings: Settings) -> Org:
    return Org(db, settings)


SignIn = Callable[[Person], Awaitable[httpx.AsyncClient]]


async def sign_in(client: httpx.AsyncClient, person: Person, password: str = PASSWORD) -> httpx.AsyncClient:
    """Sign `client` in and make it send the CSRF header from then on."""
    response = await client.post("/api/auth/login", json={"login": person.username, "password": password})
    assert response.status_code == 200, response.text
    client.headers["X-CSRF-Token"] = response.json()["csrf_token"]
    return client


@pytest.fixture
async def as_person(app: Any) -> Any:
    """Factory for independent signed-in clients: `c = await as_person(person)`."""
    clients: list[httpx.AsyncClient] = []

    async def make(person: Person) -> httpx.AsyncClient:
        c = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")
        clients.append(c)
        return await sign_in(c, person)

    yield make
    for c in clients:
        await c.aclose()
