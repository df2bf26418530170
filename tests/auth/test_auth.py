from __future__ import annotations

import datetime as dt

import httpx
import pytest
from sqlalchemy import update

from tests.factories import PASSWORD, Org, sign_in
from tongban.auth.models import AuthSession, LoginThrottle
from tongban.auth.service import SESSION_COOKIE
from tongban.core.db import Database, utcnow


@pytest.fixture
async def people(org: Org):
    root = await org.department("云溪县人民政府")
    liu = await org.person(
        "刘锋", root, username="liufeng", mobile="13900000022", email="liufeng@yunxi.gov.cn"
    )
    wang = await org.person("王建国", root, username="wangjianguo")
    return {"root": root, "liu": liu, "wang": wang}


def fresh(app) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


async def login(
    client: httpx.AsyncClient, login: str, password: str = PASSWORD, **headers: str
) -> httpx.Response:
    return await client.post("/api/auth/login", json={"login": login, "password": password}, headers=headers)


@pytest.mark.parametrize(
    "name", ["liufeng", "LiuFeng", "13900000022", "liufeng@yunxi.gov.cn", "LIUFENG@yunxi.gov.cn"]
)
async def test_sign_in_by_username_mobile_or_email(people, client, name):
    r = await login(client, name)
    assert r.status_code == 200, r.text
    me = r.json()
    assert me["username"] == "liufeng"
    assert me["csrf_token"]
    assert SESSION_COOKIE in r.cookies
    assert (await client.get("/api/me")).json()["id"] == people["liu"].id


async def test_wrong_password_and_unknown_user_look_the_same(people, client):
    wrong = await login(client, "liufeng", "not-the-password-1")
    unknown = await login(client, "nobody-here", "not-the-password-1")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json() == {"code": "invalid_credentials", "message": "账号或密码错误"}
    assert SESSION_COOKIE not in wrong.cookies


async def test_lockout_after_max_failures_and_it_expires(people, client, db: Database, settings):
    for _ in range(settings.login_max_failures):
        assert (await login(client, "liufeng", "wrong-password-1")).status_code == 401
    locked = await login(client, "liufeng", **{"Accept-Language": "en-US"})
    assert locked.status_code == 429
    assert locked.json()["code"] == "login_locked"
    assert (
        locked.json()["message"]
        == f"Too many failed sign-ins; try again in {settings.login_lockout_minutes} minutes"
    )
    assert int(locked.headers["Retry-After"]) > 0
    # Locked per account, whatever spelling is used: upper case, the mobile number or the
    # e-mail address are no way around the lock.
    assert (await login(client, "LIUFENG")).status_code == 429
    assert (await login(client, people["liu"].mobile)).status_code == 429
    assert (await login(client, people["liu"].email)).status_code == 429

    async with db.transaction() as session:
        await session.execute(update(LoginThrottle).values(locked_until=utcnow() - dt.timedelta(seconds=1)))
    assert (await login(client, "liufeng")).status_code == 200


async def test_csrf_is_required_for_cookie_writes(people, app):
    async with fresh(app) as c:
        token = (await login(c, "liufeng")).json()["csrf_token"]
        body = {"timezone": "Asia/Shanghai"}
        missing = await c.patch("/api/me", json=body)
        assert missing.status_code == 403
        assert missing.json()["code"] == "csrf_failed"
        wrong = await c.patch("/api/me", json=body, headers={"X-CSRF-Token": token + "x"})
        assert wrong.status_code == 403
        assert wrong.json()["code"] == "csrf_failed"
        # Reads need no token.
        assert (await c.get("/api/me")).status_code == 200
        ok = await c.patch("/api/me", json=body, headers={"X-CSRF-Token": token})
        assert ok.status_code == 200


async def test_foreign_origin_is_refused(people, app, as_person):
    c = await as_person(people["liu"])
    r = await c.patch("/api/me", json={"locale": "zh-CN"}, headers={"Origin": "https://evil.example"})
    assert r.status_code == 403
    assert r.json()["code"] == "origin_refused"
    same = await c.patch("/api/me", json={"locale": "zh-CN"}, headers={"Origin": "http://testserver"})
    assert same.status_code == 200
    async with fresh(app) as anon:
        r = await login(anon, "liufeng", Origin="https://evil.example")
        assert r.status_code == 403
        assert r.json()["code"] == "origin_refused"


async def test_personal_access_token(people, app, as_person):
    c = await as_person(people["liu"])
    created = await c.post("/api/auth/tokens", json={"name": "脚本"})
    assert created.status_code == 201
    token = created.json()["token"]
    assert token.startswith("tbp_")
    listed = (await c.get("/api/auth/tokens")).json()
    assert [t["name"] for t in listed] == ["脚本"]
    assert "token" not in listed[0]  # shown only once

    async with fresh(app) as api:
        bearer = {"Authorization": f"Bearer {token}"}
        assert (await api.get("/api/me", headers=bearer)).json()["username"] == "liufeng"
        # No cookie, so no CSRF token is needed for writes.
        assert (await api.patch("/api/me", json={"locale": "en-US"}, headers=bearer)).status_code == 200
        # A token cannot mint tokens.
        assert (await api.post("/api/auth/tokens", json={"name": "more"}, headers=bearer)).status_code == 401
        assert (await api.get("/api/me", headers={"Authorization": "Bearer tbp_made-up"})).status_code == 401

        assert (await c.delete(f"/api/auth/tokens/{created.json()['id']}")).status_code == 204
        assert (await api.get("/api/me", headers=bearer)).status_code == 401


async def test_someone_elses_token_cannot_be_revoked(people, as_person):
    liu = await as_person(people["liu"])
    wang = await as_person(people["wang"])
    token_id = (await liu.post("/api/auth/tokens", json={"name": "x"})).json()["id"]
    assert (await wang.delete(f"/api/auth/tokens/{token_id}")).status_code == 404
    assert len((await liu.get("/api/auth/tokens")).json()) == 1


async def test_logout_ends_the_session_on_the_server(people, app, as_person):
    c = await as_person(people["liu"])
    cookie = c.cookies[SESSION_COOKIE]
    assert (await c.post("/api/auth/logout")).status_code == 204
    async with fresh(app) as replay:
        replay.cookies.set(SESSION_COOKIE, cookie)
        assert (await replay.get("/api/me")).status_code == 401


async def test_logout_all_ends_every_session_of_that_person_only(people, as_person):
    phone = await as_person(people["liu"])
    laptop = await as_person(people["liu"])
    other = await as_person(people["wang"])
    assert (await laptop.post("/api/auth/logout-all")).status_code == 204
    assert (await phone.get("/api/me")).status_code == 401
    assert (await laptop.get("/api/me")).status_code == 401
    assert (await other.get("/api/me")).status_code == 200


async def test_password_change(people, app, as_person):
    here = await as_person(people["liu"])
    elsewhere = await as_person(people["liu"])
    weak = await here.post(
        "/api/auth/password",
        json={"current_password": PASSWORD, "new_password": "short"},
        headers={"Accept-Language": "en-US"},
    )
    assert weak.status_code == 422
    assert weak.json()["fields"] == [
        {
            "field": "body.new_password",
            "code": "field.password_too_short",
            "message": "must be at least 8 characters",
        }
    ]
    wrong = await here.post(
        "/api/auth/password", json={"current_password": "nope", "new_password": "New-pass-2024"}
    )
    assert wrong.status_code == 422
    assert wrong.json()["fields"][0]["field"] == "body.current_password"

    ok = await here.post(
        "/api/auth/password", json={"current_password": PASSWORD, "new_password": "New-pass-2024"}
    )
    assert ok.status_code == 204
    assert (await here.get("/api/me")).status_code == 200
    assert (await elsewhere.get("/api/me")).status_code == 401
    async with fresh(app) as c:
        assert (await login(c, "liufeng")).status_code == 401
        assert (await login(c, "liufeng", "New-pass-2024")).status_code == 200


async def test_expired_session_is_refused(people, as_person, db: Database):
    c = await as_person(people["liu"])
    async with db.transaction() as session:
        await session.execute(update(AuthSession).values(expires_at=utcnow() - dt.timedelta(minutes=1)))
    r = await c.get("/api/me")
    assert r.status_code == 401
    assert r.json()["code"] == "not_authenticated"


async def test_chosen_language_is_used_without_accept_language(people, as_person):
    c = await as_person(people["liu"])
    assert (await c.get("/api/org/people/999999")).json()["message"] == "找不到该成员"
    r = await c.patch("/api/me", json={"locale": "en-US"})
    assert r.status_code == 200
    assert r.json()["locale"] == "en-US"
    assert (await c.get("/api/me")).json()["locale"] == "en-US"
    assert (await c.get("/api/org/people/999999")).json()["message"] == "No such person"
    # An explicit Accept-Language still wins for that request.
    r = await c.get("/api/org/people/999999", headers={"Accept-Language": "zh-CN"})
    assert r.json()["message"] == "找不到该成员"


async def test_deactivated_person_cannot_sign_in(people, client, as_person, db: Database):
    c = await as_person(people["liu"])
    async with db.transaction() as session:
        from tongban.org.models import Person

        await session.execute(update(Person).where(Person.id == people["liu"].id).values(active=False))
    assert (await c.get("/api/me")).status_code == 401
    r = await login(client, "liufeng")
    assert r.status_code == 401
    assert r.json()["code"] == "invalid_credentials"


async def test_sign_in_helper_sets_csrf(people, app):
    async with fresh(app) as c:
        await sign_in(c, people["wang"])
        assert (await c.patch("/api/me", json={"locale": "zh-CN"})).status_code == 200
