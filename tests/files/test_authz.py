"""Who may call what in files: every /api/files endpoint × every role.

Roles, seen from one image uploaded by its owner and shared (a read grant) with one person:

    anonymous   no session
    stranger    signed in, neither the owner nor granted
    org_admin   organisation admin: administering people gives no right to their files
    granted     given read access (the file was shared into their chat, approval, ...)
    owner       uploaded it

A file that may not be read answers 404, never 403, so file ids tell a stranger nothing.
"""

from __future__ import annotations

import io
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from PIL import Image

from tests.authz import check_matrix_is_current, matrix_cases
from tests.factories import Org, sign_in
from tongban.core.db import Database
from tongban.files import service

ROLES = ("anonymous", "stranger", "org_admin", "granted", "owner")
COVERED_PREFIXES = ("/api/files",)


@dataclass
class World:
    people: dict[str, Any]
    file_id: str
    client: httpx.AsyncClient


Call = Callable[[httpx.AsyncClient, World], Awaitable[httpx.Response]]


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (10, 120, 200)).save(out, "PNG")
    return out.getvalue()


def readers(ok: int = 200) -> dict[str, int]:
    return dict(zip(ROLES, (401, 404, 404, ok, ok), strict=True))


MATRIX: dict[tuple[str, str], tuple[dict[str, int], Call]] = {
    ("POST", "/api/files"): (
        dict(zip(ROLES, (401, 201, 201, 201, 201), strict=True)),
        lambda c, w: c.post("/api/files", files={"file": ("note.txt", "通知".encode(), "text/plain")}),
    ),
    ("GET", "/api/files/{file_id}"): (readers(), lambda c, w: c.get(f"/api/files/{w.file_id}")),
    ("GET", "/api/files/{file_id}/content"): (
        readers(),
        lambda c, w: c.get(f"/api/files/{w.file_id}/content"),
    ),
    ("GET", "/api/files/{file_id}/thumbnail"): (
        readers(),
        lambda c, w: c.get(f"/api/files/{w.file_id}/thumbnail"),
    ),
}


@pytest.fixture
async def world(org: Org, app: FastAPI, db: Database) -> Any:
    root = await org.department("云溪县人民政府")
    office = await org.department("县政府办公室", root)
    people = {
        "owner": await org.person("李娜", office),
        "granted": await org.person("张伟", office),
        "stranger": await org.person("王芳", office),
        "org_admin": await org.person("系统管理员", root, role="org_admin"),
    }
    people["anonymous"] = people["stranger"]
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as setup:
        owner = await sign_in(setup, people["owner"])
        r = await owner.post("/api/files", files={"file": ("现场.png", _png(), "image/png")})
        assert r.status_code == 201, r.text
        file_id = r.json()["id"]
    async with db.transaction() as session:
        await service.grant_read(session, file_id, [people["granted"].id])
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield World(people, file_id, c)


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
