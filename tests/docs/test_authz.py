"""Who may call what in documents: every /api/docs endpoint × every role, with the status.

Roles, seen from one document (周报) that its owner shared:

    anonymous   no session
    outsider    signed in, no grant (an org admin is no different: running the organisation
                gives no right to read its documents)
    viewer      granted view
    commenter   granted comment
    editor      granted edit
    owner       created it

The socket (/api/docs/ws/{id}) enforces the same roles: tests/docs/test_relay.py.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.authz import check_matrix_is_current, matrix_cases
from tests.docs.test_images import png
from tests.factories import Org, sign_in

ROLES = ("anonymous", "outsider", "viewer", "commenter", "editor", "owner")
COVERED_PREFIXES = ("/api/docs",)


@dataclass
class World:
    people: dict[str, Any]
    doc: dict[str, Any]
    grant: dict[str, Any]
    version: dict[str, Any]
    comment: dict[str, Any]
    image: dict[str, Any]
    client: httpx.AsyncClient


Call = Callable[[httpx.AsyncClient, World], Awaitable[httpx.Response]]


def statuses(
    anonymous: int, outsider: int, viewer: int, commenter: int, editor: int, owner: int
) -> dict[str, int]:
    return dict(zip(ROLES, (anonymous, outsider, viewer, commenter, editor, owner), strict=True))


def signed_in(ok: int = 200) -> dict[str, int]:
    return statuses(401, ok, ok, ok, ok, ok)


def readers(ok: int = 200) -> dict[str, int]:
    return statuses(401, 403, ok, ok, ok, ok)


def commenters(ok: int = 200) -> dict[str, int]:
    return statuses(401, 403, 403, ok, ok, ok)


def editors(ok: int = 200) -> dict[str, int]:
    return statuses(401, 403, 403, 403, ok, ok)


def owner(ok: int = 200) -> dict[str, int]:
    return statuses(401, 403, 403, 403, 403, ok)


def d(w: World, tail: str = "") -> str:
    return f"/api/docs/{w.doc['id']}{tail}"


MATRIX: dict[tuple[str, str], tuple[dict[str, int], Call]] = {
    ("GET", "/api/docs"): (signed_in(), lambda c, w: c.get("/api/docs", params={"scope": "shared"})),
    ("POST", "/api/docs"): (signed_in(201), lambda c, w: c.post("/api/docs", json={"title": "新文档"})),
    ("POST", "/api/docs/import"): (
        signed_in(201),
        lambda c, w: c.post("/api/docs/import", files={"file": ("a.md", b"# hi", "text/markdown")}),
    ),
    ("GET", "/api/docs/{document_id}"): (readers(), lambda c, w: c.get(d(w))),
    ("POST", "/api/docs/{document_id}/open"): (readers(204), lambda c, w: c.post(d(w, "/open"))),
    ("PATCH", "/api/docs/{document_id}"): (editors(), lambda c, w: c.patch(d(w), json={"title": "改名"})),
    ("DELETE", "/api/docs/{document_id}"): (owner(204), lambda c, w: c.delete(d(w))),
    ("POST", "/api/docs/{document_id}/copy"): (readers(201), lambda c, w: c.post(d(w, "/copy"))),
    ("PUT", "/api/docs/{document_id}/star"): (readers(204), lambda c, w: c.put(d(w, "/star"))),
    ("DELETE", "/api/docs/{document_id}/star"): (readers(204), lambda c, w: c.delete(d(w, "/star"))),
    ("GET", "/api/docs/{document_id}/access"): (readers(), lambda c, w: c.get(d(w, "/access"))),
    ("POST", "/api/docs/{document_id}/access"): (
        owner(),
        lambda c, w: c.post(d(w, "/access"), json={"role": "viewer", "person_id": w.people["outsider"].id}),
    ),
    ("DELETE", "/api/docs/{document_id}/access/{grant_id}"): (
        owner(204),
        lambda c, w: c.delete(d(w, f"/access/{w.grant['id']}")),
    ),
    ("GET", "/api/docs/{document_id}/state"): (readers(), lambda c, w: c.get(d(w, "/state"))),
    ("GET", "/api/docs/search"): (signed_in(), lambda c, w: c.get("/api/docs/search", params={"q": "周报"})),
    ("GET", "/api/docs/{document_id}/export"): (readers(), lambda c, w: c.get(d(w, "/export"))),
    # ---- images ----
    ("POST", "/api/docs/{document_id}/images"): (
        editors(201),
        lambda c, w: c.post(d(w, "/images"), files={"file": ("a.png", png(), "image/png")}),
    ),
    ("GET", "/api/docs/images/{file_id}"): (
        statuses(401, 404, 200, 200, 200, 200),  # a stranger is not told the image exists
        lambda c, w: c.get(f"/api/docs/images/{w.image['id']}"),
    ),
    # ---- version history ----
    ("GET", "/api/docs/{document_id}/versions"): (readers(), lambda c, w: c.get(d(w, "/versions"))),
    ("POST", "/api/docs/{document_id}/versions"): (
        editors(201),
        lambda c, w: c.post(d(w, "/versions"), json={"name": "定稿"}),
    ),
    ("GET", "/api/docs/{document_id}/versions/{version_id}/state"): (
        readers(),
        lambda c, w: c.get(d(w, f"/versions/{w.version['id']}/state")),
    ),
    ("GET", "/api/docs/{document_id}/versions/{version_id}/diff"): (
        readers(),
        lambda c, w: c.get(d(w, f"/versions/{w.version['id']}/diff")),
    ),
    ("POST", "/api/docs/{document_id}/versions/{version_id}/restore"): (
        editors(204),
        lambda c, w: c.post(d(w, f"/versions/{w.version['id']}/restore")),
    ),
    # ---- comments (the one in the world is the owner's) ----
    ("GET", "/api/docs/{document_id}/comments"): (readers(), lambda c, w: c.get(d(w, "/comments"))),
    ("POST", "/api/docs/{document_id}/comments"): (
        commenters(201),
        lambda c, w: c.post(d(w, "/comments"), json={"body": "请核对"}),
    ),
    ("PATCH", "/api/docs/{document_id}/comments/{comment_id}"): (
        commenters(),
        lambda c, w: c.patch(d(w, f"/comments/{w.comment['id']}"), json={"resolved": True}),
    ),
    ("DELETE", "/api/docs/{document_id}/comments/{comment_id}"): (
        owner(204),  # the author, or the owner; here they are the same person
        lambda c, w: c.delete(d(w, f"/comments/{w.comment['id']}")),
    ),
}


@pytest.fixture
async def world(org: Org, app: FastAPI) -> Any:
    root = await org.department("云溪县人民政府")
    bigdata = await org.department("大数据中心", root)
    farm = await org.department("农业农村局", root)
    people = {
        "owner": await org.person("刘锋", bigdata, username="liufeng"),
        "editor": await org.person("韩雪", bigdata, username="hanxue"),
        "commenter": await org.person("宋杰", bigdata, username="songjie"),
        "viewer": await org.person("赵敏", bigdata, username="zhaomin"),
        "outsider": await org.person("陶海锋", farm, username="taohaifeng"),
        "extra": await org.person("王芳", farm, username="wangfang"),
    }
    people["anonymous"] = people["outsider"]
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as setup:
        owner_client = await sign_in(setup, people["owner"])
        doc = (await owner_client.post("/api/docs", json={"title": "周报"})).json()
        for role in ("editor", "commenter", "viewer"):
            r = await owner_client.post(
                f"/api/docs/{doc['id']}/access", json={"role": role, "person_id": people[role].id}
            )
            assert r.status_code == 200, r.text
        grant = (
            await owner_client.post(
                f"/api/docs/{doc['id']}/access", json={"role": "viewer", "person_id": people["extra"].id}
            )
        ).json()
        version = (await owner_client.post(f"/api/docs/{doc['id']}/versions", json={"name": "初稿"})).json()
        comment = (await owner_client.post(f"/api/docs/{doc['id']}/comments", json={"body": "看这里"})).json()
        image = (
            await owner_client.post(
                f"/api/docs/{doc['id']}/images", files={"file": ("a.png", png(), "image/png")}
            )
        ).json()
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield World(people, doc, grant, version, comment, image, c)


@pytest.mark.parametrize(("method", "path", "role", "expected"), matrix_cases(MATRIX, ROLES))
async def test_matrix(world: World, method: str, path: str, role: str, expected: int) -> None:
    c = world.client
    if role != "anonymous":
        await sign_in(c, world.people[role])
    _expected, call = MATRIX[(method, path)]
    r = await call(c, world)
    assert r.status_code == expected, r.text


def test_matrix_is_current() -> None:
    check_matrix_is_current(MATRIX, COVERED_PREFIXES)
