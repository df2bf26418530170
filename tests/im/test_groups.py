"""Running a group: join links (on, off, reset, expired), picture, admins, handing over and leaving."""

from __future__ import annotations

import datetime as dt
import io

from PIL import Image
from sqlalchemy import update

from tongban.core.db import utcnow
from tongban.im.models import Conversation


async def _group(client, name: str, *member_ids: int) -> dict:
    r = await client.post(
        "/api/im/conversations", json={"kind": "group", "name": name, "member_ids": list(member_ids)}
    )
    assert r.status_code == 200, r.text
    return r.json()


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 64), (200, 60, 40)).save(out, "PNG")
    return out.getvalue()


async def test_join_link_preview_join_turn_off_and_reset(team, as_person):
    liu, han, tao = [await as_person(team[k]) for k in ("liu", "han", "tao")]
    group = await _group(liu, "防汛值班群", team["han"].id)
    assert group["join_by_link"] is False and group["link_token"] is None

    on = (await liu.patch(f"/api/im/conversations/{group['id']}", json={"join_by_link": True})).json()
    token = on["link_token"]
    assert token and on["link_expires_at"]
    # Plain members do not see the link (they may not hand it out).
    assert (await han.get(f"/api/im/conversations/{group['id']}")).json()["link_token"] is None
    # Turning it on again keeps the same link.
    again = (await liu.patch(f"/api/im/conversations/{group['id']}", json={"join_by_link": True})).json()
    assert again["link_token"] == token

    preview = (await tao.get(f"/api/im/join/{token}")).json()
    assert preview == {
        "conversation_id": group["id"],
        "name": "防汛值班群",
        "avatar_file_id": None,
        "member_count": 2,
        "already_member": False,
    }
    joined = await tao.post(f"/api/im/join/{token}")
    assert joined.status_code == 200 and joined.json()["member_count"] == 3
    assert (await tao.get(f"/api/im/join/{token}")).json()["already_member"] is True
    assert (await tao.post(f"/api/im/join/{token}")).json()["member_count"] == 3  # joining twice is once

    # A reset link replaces the old one.
    reset = (await liu.post(f"/api/im/conversations/{group['id']}/link")).json()
    assert reset["link_token"] not in (None, token)
    stale = await tao.get(f"/api/im/join/{token}", headers={"Accept-Language": "en-US"})
    assert stale.status_code == 404 and stale.json()["code"] == "im_link_invalid"

    # Off: the link is dead for good, in the caller's language.
    await liu.patch(f"/api/im/conversations/{group['id']}", json={"join_by_link": False})
    r = await han.post(f"/api/im/join/{reset['link_token']}")
    assert r.status_code == 404 and "群链接已关闭" in r.json()["message"]
    r = await liu.post(f"/api/im/conversations/{group['id']}/link")
    assert r.status_code == 404


async def test_an_expired_link_says_so(team, as_person, db):
    liu, tao = await as_person(team["liu"]), await as_person(team["tao"])
    group = await _group(liu, "临时群", team["han"].id)
    token = (await liu.patch(f"/api/im/conversations/{group['id']}", json={"join_by_link": True})).json()[
        "link_token"
    ]
    async with db.transaction() as session:
        await session.execute(
            update(Conversation)
            .where(Conversation.id == group["id"])
            .values(link_expires_at=utcnow() - dt.timedelta(minutes=1))
        )
    for r in (await tao.get(f"/api/im/join/{token}"), await tao.post(f"/api/im/join/{token}")):
        assert r.status_code == 410 and r.json()["code"] == "im_link_expired"
    members = (await liu.get(f"/api/im/conversations/{group['id']}/members")).json()
    assert team["tao"].id not in [m["person_id"] for m in members]


async def test_admins_owner_transfer_and_leaving(team, as_person):
    liu, han, song = [await as_person(team[k]) for k in ("liu", "han", "song")]
    group = await _group(liu, "项目组", team["han"].id, team["song"].id)
    url = f"/api/im/conversations/{group['id']}"

    assert (await liu.patch(f"{url}/members/{team['han'].id}", json={"role": "admin"})).status_code == 204
    roles = {m["person_id"]: m["role"] for m in (await liu.get(f"{url}/members")).json()}
    assert roles[team["han"].id] == "admin"
    # An admin may not make admins, nor touch the owner.
    r = await han.patch(f"{url}/members/{team['song'].id}", json={"role": "admin"})
    assert r.status_code == 403
    r = await han.patch(f"{url}/members/{team['liu'].id}", json={"role": "member"})
    assert r.status_code == 422 and r.json()["fields"][0]["field"] == "path.person_id"

    # The owner cannot simply leave: the server says what to do first.
    r = await liu.delete(f"{url}/members/{team['liu'].id}", headers={"Accept-Language": "en-US"})
    assert r.status_code == 409 and r.json()["code"] == "im_owner_must_transfer"
    assert "hand the group over" in r.json()["message"]

    # Only the owner hands over, and only to a member.
    assert (await han.post(f"{url}/owner", json={"person_id": team["han"].id})).status_code == 403
    r = await liu.post(f"{url}/owner", json={"person_id": team["tao"].id})
    assert r.status_code == 422 and r.json()["fields"][0]["field"] == "body.person_id"
    handed = await liu.post(f"{url}/owner", json={"person_id": team["song"].id})
    assert handed.status_code == 200 and handed.json()["my_role"] == "admin"
    roles = {m["person_id"]: m["role"] for m in (await song.get(f"{url}/members")).json()}
    assert roles == {team["song"].id: "owner", team["liu"].id: "admin", team["han"].id: "admin"}
    assert (await song.get(url)).json()["my_role"] == "owner"

    # Now the former owner may leave.
    assert (await liu.delete(f"{url}/members/{team['liu'].id}")).status_code == 204
    assert (await liu.get(url)).status_code == 403


async def test_group_picture_is_seen_by_members_and_later_joiners(team, as_person):
    liu, han, tao = [await as_person(team[k]) for k in ("liu", "han", "tao")]
    group = await _group(liu, "宣传组", team["han"].id)
    url = f"/api/im/conversations/{group['id']}"
    text = (await liu.post("/api/files", files={"file": ("a.txt", b"hello", "text/plain")})).json()
    r = await liu.patch(url, json={"avatar_file_id": text["id"]})
    assert r.status_code == 422 and r.json()["fields"][0]["field"] == "body.avatar_file_id"
    # Someone else's picture cannot be taken either.
    theirs = (await han.post("/api/files", files={"file": ("b.png", _png(), "image/png")})).json()
    assert (await liu.patch(url, json={"avatar_file_id": theirs["id"]})).status_code == 422

    picture = (await liu.post("/api/files", files={"file": ("logo.png", _png(), "image/png")})).json()
    r = await liu.patch(url, json={"avatar_file_id": picture["id"]})
    assert r.status_code == 200 and r.json()["avatar_file_id"] == picture["id"]
    assert (await han.get(f"/api/files/{picture['id']}/thumbnail")).status_code == 200
    assert (await tao.get(f"/api/files/{picture['id']}/thumbnail")).status_code == 404
    await liu.post(f"{url}/members", json={"person_ids": [team["tao"].id]})
    assert (await tao.get(f"/api/files/{picture['id']}/thumbnail")).status_code == 200
    listed = {c["id"]: c for c in (await tao.get("/api/im/conversations")).json()}
    assert listed[group["id"]]["avatar_file_id"] == picture["id"]

    # A plain member may not change it; null takes it away.
    assert (await han.patch(url, json={"avatar_file_id": None})).status_code == 403
    assert (await liu.patch(url, json={"avatar_file_id": None})).json()["avatar_file_id"] is None


async def test_department_group_members_follow_the_chart_only(team, as_person):
    song, liu, tao = [await as_person(team[k]) for k in ("song", "liu", "tao")]
    group = (
        await song.post("/api/im/conversations/department", json={"department_id": team["bigdata"].id})
    ).json()
    url = f"/api/im/conversations/{group['id']}"
    for r in (
        await song.post(f"{url}/members", json={"person_ids": [team["tao"].id]}),
        await liu.delete(f"{url}/members/{team['liu'].id}"),
        await song.patch(url, json={"join_by_link": True}),
    ):
        assert r.status_code == 409 and r.json()["code"] == "im_department_members_fixed"
    # Its admins are still the owner's to make.
    assert (await song.patch(f"{url}/members/{team['liu'].id}", json={"role": "admin"})).status_code == 204
    assert tao  # 陶海锋 stays outside: he is not in the department
