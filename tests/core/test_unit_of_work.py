"""One request is one transaction; side effects wait for the commit."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update

from tests.factories import Org
from tongban.auth.models import AuthSession
from tongban.core.db import utcnow
from tongban.org.models import Department


async def test_failed_request_writes_nothing(org: Org, as_person, db):
    root = await org.department("根")
    admin = await org.person("管理员", root, role="org_admin")
    c = await as_person(admin)
    # The person row is inserted and flushed before the second department turns out not to
    # exist: the request fails and the half-made person must not remain.
    body = {"name": "半成品", "username": "halfdone", "department_ids": [root.id, 999999]}
    r = await c.post("/api/org/people", json=body)
    assert r.status_code == 422
    assert r.json()["fields"][0]["field"] == "body.department_ids"
    assert (await c.get("/api/org/people", params={"q": "halfdone"})).json()["items"] == []
    body["department_ids"] = [root.id]
    assert (await c.post("/api/org/people", json=body)).status_code == 201


async def test_write_with_a_session_due_for_refresh_does_not_deadlock(org: Org, as_person, db):
    root = await org.department("根")
    admin = await org.person("管理员", root, role="org_admin")
    c = await as_person(admin)
    async with db.transaction() as session:
        await session.execute(update(AuthSession).values(last_seen_at=utcnow() - dt.timedelta(days=1)))
    r = await c.post("/api/org/departments", json={"name": "新部门", "parent_id": root.id})
    assert r.status_code == 201, r.text
    async with db.transaction(write=False) as session:
        seen = (await session.execute(select(AuthSession.last_seen_at))).scalar_one()
        assert utcnow() - seen < dt.timedelta(minutes=1)
        assert (await session.execute(select(Department).where(Department.name == "新部门"))).scalar_one()


async def test_malformed_json_is_422_naming_the_problem(org: Org, client):
    r = await client.post(
        "/api/auth/login",
        content=b"{not json",
        headers={"content-type": "application/json", "accept-language": "en"},
    )
    assert r.status_code == 422
    assert r.json()["code"] == "malformed_json"
    assert r.json()["message"] == "The request body is not valid JSON"
