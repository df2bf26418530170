"""Who may call what in minutes: every /api/minutes endpoint × every role, with the status.

Roles, seen from one finished minutes (with one segment):

    anonymous    no session
    outsider     signed in, not shared with them
    org_admin    organisation admin, not shared either: running the organisation gives no right
                 to read a colleague's recordings
    viewer       shared with them by name
    dept_member  in a department it is shared with
    owner        uploaded the recording

Cancel and retry answer the owner 409 here (the minutes are done): the owner got past the
access check, which is what this matrix is about; the job's life is tested in test_api.
"""

from __future__ import annotations

import io
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import av
import httpx
import numpy as np
import pytest
from fastapi import FastAPI

from tests.authz import check_matrix_is_current, matrix_cases
from tests.factories import Org, sign_in
from tongban.core.db import utcnow
from tongban.minutes.models import MinutesRecord, MinutesSegment, MinutesShare

ROLES = ("anonymous", "outsider", "org_admin", "viewer", "dept_member", "owner")
COVERED_PREFIXES = ("/api/minutes",)


@dataclass
class World:
    people: dict[str, Any]
    minutes_id: int
    segment_id: int
    silent_file_id: str
    upload_id: str
    client: httpx.AsyncClient


Call = Callable[[httpx.AsyncClient, World], Awaitable[httpx.Response]]


def statuses(
    anonymous: int, outsider: int, org_admin: int, viewer: int, dept_member: int, owner: int
) -> dict[str, int]:
    return dict(zip(ROLES, (anonymous, outsider, org_admin, viewer, dept_member, owner), strict=True))


def readers(ok: int = 200) -> dict[str, int]:
    return statuses(401, 404, 404, ok, ok, ok)


def owner_only(ok: int = 200) -> dict[str, int]:
    return statuses(401, 404, 404, 403, 403, ok)


def mm(w: World, tail: str = "") -> str:
    return f"/api/minutes/{w.minutes_id}{tail}"


MATRIX: dict[tuple[str, str], tuple[dict[str, int], Call]] = {
    ("GET", "/api/minutes"): (statuses(401, 200, 200, 200, 200, 200), lambda c, w: c.get("/api/minutes")),
    ("POST", "/api/minutes"): (
        # The recording is the owner's file: nobody else may make minutes of it.
        statuses(401, 422, 422, 422, 422, 201),
        lambda c, w: c.post("/api/minutes", json={"file_id": w.silent_file_id}),
    ),
    ("GET", "/api/minutes/{minutes_id}"): (readers(), lambda c, w: c.get(mm(w))),
    ("DELETE", "/api/minutes/{minutes_id}"): (owner_only(204), lambda c, w: c.delete(mm(w))),
    ("POST", "/api/minutes/{minutes_id}/cancel"): (owner_only(409), lambda c, w: c.post(mm(w, "/cancel"))),
    ("POST", "/api/minutes/{minutes_id}/retry"): (owner_only(409), lambda c, w: c.post(mm(w, "/retry"))),
    ("GET", "/api/minutes/{minutes_id}/transcript"): (readers(), lambda c, w: c.get(mm(w, "/transcript"))),
    ("PATCH", "/api/minutes/{minutes_id}/segments/{segment_id}"): (
        owner_only(),
        lambda c, w: c.patch(mm(w, f"/segments/{w.segment_id}"), json={"text": "改正后的文字"}),
    ),
    ("POST", "/api/minutes/{minutes_id}/speakers"): (
        owner_only(),
        lambda c, w: c.post(mm(w, "/speakers"), json={"label": "Speaker 1", "name": "林律师"}),
    ),
    ("GET", "/api/minutes/{minutes_id}/search"): (
        readers(),
        lambda c, w: c.get(mm(w, "/search"), params={"q": "budget"}),
    ),
    ("GET", "/api/minutes/{minutes_id}/shares"): (owner_only(), lambda c, w: c.get(mm(w, "/shares"))),
    ("PUT", "/api/minutes/{minutes_id}/shares"): (
        owner_only(),
        lambda c, w: c.put(mm(w, "/shares"), json={"person_ids": [w.people["viewer"].id]}),
    ),
    ("POST", "/api/minutes/uploads"): (
        statuses(401, 201, 201, 201, 201, 201),
        lambda c, w: c.post("/api/minutes/uploads", json={"name": "a.ogg", "size": 10}),
    ),
    # An upload is its uploader's alone (the owner began this one); others see none (404).
    ("GET", "/api/minutes/uploads/{upload_id}"): (
        statuses(401, 404, 404, 404, 404, 200),
        lambda c, w: c.get(f"/api/minutes/uploads/{w.upload_id}"),
    ),
    ("PUT", "/api/minutes/uploads/{upload_id}/chunks/{index}"): (
        statuses(401, 404, 404, 404, 404, 204),
        lambda c, w: c.put(f"/api/minutes/uploads/{w.upload_id}/chunks/0", content=b"0123456789"),
    ),
    ("POST", "/api/minutes/uploads/{upload_id}/complete"): (
        statuses(401, 404, 404, 404, 404, 409),  # 409: the owner has not sent the chunk yet
        lambda c, w: c.post(f"/api/minutes/uploads/{w.upload_id}/complete", json={}),
    ),
}


def silent_wav() -> bytes:
    buffer = io.BytesIO()
    with av.open(buffer, "w", format="wav") as out:
        stream = out.add_stream("pcm_s16le", rate=16000, layout="mono")
        frame = av.AudioFrame.from_ndarray(np.zeros((1, 8000), dtype=np.int16), format="s16", layout="mono")
        frame.sample_rate = 16000
        for packet in stream.encode(frame):
            out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return buffer.getvalue()


@pytest.fixture
async def world(org: Org, app: FastAPI) -> Any:
    root = await org.department("律师事务所")
    team = await org.department("诉讼部", root)
    shared_team = await org.department("非诉部", root)
    people = {
        "owner": await org.person("林律师", team, username="lin"),
        "viewer": await org.person("周律师", team, username="zhou"),
        "dept_member": await org.person("吴律师", shared_team, username="wu"),
        "outsider": await org.person("路人", root, username="passer"),
        "org_admin": await org.person("系统管理员", root, username="admin", role="org_admin"),
    }
    people["anonymous"] = people["outsider"]
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as setup:
        owner = await sign_in(setup, people["owner"])
        r = await owner.post("/api/files", files={"file": ("quiet.wav", silent_wav())})
        file_id = r.json()["id"]
        upload_id = (await owner.post("/api/minutes/uploads", json={"name": "a.ogg", "size": 10})).json()[
            "upload_id"
        ]
    db = app.state.db
    # A finished minutes written directly: the matrix is about access, not about the recogniser.
    async with db.transaction() as session:
        record = MinutesRecord(
            owner_id=people["owner"].id,
            title="预算会",
            file_id=file_id,
            language="en",
            status="done",
            progress=1.0,
            duration=3.0,
            keywords=[],
            key_points=[],
            speaker_names={},
            finished_at=utcnow(),
        )
        session.add(record)
        await session.flush()
        segment = MinutesSegment(
            minutes_id=record.id,
            position=0,
            start=0.0,
            end=2.0,
            text="The budget meeting.",
            original_text="The budget meeting.",
            words=[[0.0, 0.3, " The"], [0.3, 0.9, " budget"], [0.9, 2.0, " meeting."]],
            speaker="Speaker 1",
        )
        session.add(segment)
        session.add(MinutesShare(minutes_id=record.id, person_id=people["viewer"].id))
        session.add(MinutesShare(minutes_id=record.id, department_id=shared_team.id))
        await session.flush()
        ids = (record.id, segment.id)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield World(people, ids[0], ids[1], file_id, upload_id, c)


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
