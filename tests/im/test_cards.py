"""Cards: an object of another capability shown in a chat, described only by its owner."""

from __future__ import annotations

from sqlalchemy import select

from tests.im.conftest import cid, send
from tongban.core.events.models import EventRecord
from tongban.core.permissions import Actor
from tongban.im import cards
from tongban.im.cards import CardData
from tongban.org import service as org_service

# A stand-in owner capability for these tests: notes that only the listed people may read.
NOTES: dict[str, tuple[str, set[int]]] = {}


async def note_card(session, actor: Actor, ref: str) -> CardData | None:
    note = NOTES.get(ref)
    if note is None or actor.person_id not in note[1]:
        return None
    return CardData(
        title=note[0],
        link=f"/notes/{ref}",
        summary="灾情统计",
        fields=[("金额", "6,000 元")],
        status="审批中",
    )


cards.register_card_type("test_note", note_card)


async def _group(client, team, *keys: str) -> dict:
    r = await client.post(
        "/api/im/conversations",
        json={"kind": "group", "name": "项目组", "member_ids": [team[k].id for k in keys]},
    )
    assert r.status_code == 200, r.text
    return r.json()


async def test_a_shared_card_is_described_by_its_owner_and_reaches_every_member(team, as_person):
    liu, han = await as_person(team["liu"]), await as_person(team["han"])
    NOTES["7"] = ("差旅审批", {team["liu"].id})
    group = await _group(liu, team, "han")
    sent = await send(liu, group["id"], "请看", card={"type": "test_note", "ref": "7"})
    assert sent["kind"] == "card"
    card = sent["card"]
    assert (card["type"], card["ref"], card["title"], card["link"]) == (
        "test_note",
        "7",
        "差旅审批",
        "/notes/7",
    )
    assert card["fields"] == [{"label": "金额", "value": "6,000 元"}] and card["status"] == "审批中"
    history = (await han.get(f"/api/im/conversations/{group['id']}/messages")).json()
    assert history["items"][-1]["card"] == card


async def test_a_card_cannot_be_made_up_or_probe_for_objects(team, as_person):
    liu = await as_person(team["liu"])
    NOTES["8"] = ("别人的笔记", {team["han"].id})  # liu may not read it
    group = await _group(liu, team, "han")
    url = f"/api/im/conversations/{group['id']}/messages"
    for ref in (
        {"type": "test_note", "ref": "8"},
        {"type": "test_note", "ref": "404"},
        {"type": "nope", "ref": "1"},
    ):
        r = await liu.post(url, json={"client_msg_id": cid(), "card": ref})
        assert r.status_code == 422, r.text
        assert r.json()["fields"][0]["field"] == "body.card"
    # The client cannot supply the description itself.
    forged = {"type": "test_note", "ref": "7", "title": "伪造", "link": "/notes/7"}
    r = await liu.post(url, json={"client_msg_id": cid(), "card": forged})
    assert r.status_code == 422
    r = await liu.post(
        url,
        json={"client_msg_id": cid(), "card": {"type": "Bad Type", "ref": "1"}},
        headers={"Accept-Language": "en"},
    )
    assert r.status_code == 422


async def test_a_pasted_link_unfurls_only_when_the_sender_may_read_it(team, as_person):
    liu = await as_person(team["liu"])
    NOTES["9"] = ("会议纪要", {team["liu"].id})
    NOTES["10"] = ("保密", {team["han"].id})
    group = await _group(liu, team, "han")
    shown = await send(liu, group["id"], "http://x/notes/9", link_card={"type": "test_note", "ref": "9"})
    assert (
        shown["kind"] == "card"
        and shown["card"]["title"] == "会议纪要"
        and shown["body"] == "http://x/notes/9"
    )
    plain = await send(liu, group["id"], "http://x/notes/10", link_card={"type": "test_note", "ref": "10"})
    assert plain["kind"] == "text" and plain["card"] is None


async def test_the_owner_refreshes_cards_live_and_recall_removes_them(team, as_person, db):
    liu, han = await as_person(team["liu"]), await as_person(team["han"])
    NOTES["11"] = ("请假审批", {team["liu"].id})
    group = await _group(liu, team, "han")
    first = await send(liu, group["id"], "", card={"type": "test_note", "ref": "11"})
    second = await send(liu, group["id"], "再看", card={"type": "test_note", "ref": "11"})
    async with db.transaction() as session:
        changed = await cards.update_cards(
            session, "test_note", "11", CardData(title="请假审批", link="/notes/11", status="已通过")
        )
    assert changed == 2
    history = (await han.get(f"/api/im/conversations/{group['id']}/messages")).json()["items"]
    assert [m["card"]["status"] for m in history if m["card"]] == ["已通过", "已通过"]
    async with db.transaction() as session:
        again = await cards.update_cards(
            session, "test_note", "11", CardData(title="请假审批", link="/notes/11", status="已通过")
        )
        updates = (
            (
                await session.execute(
                    select(EventRecord.payload).where(
                        EventRecord.person_id == team["han"].id, EventRecord.type == "im.message_updated"
                    )
                )
            )
            .scalars()
            .all()
        )
    assert again == 0  # nothing changed, nothing sent
    assert {u["message"]["id"] for u in updates} == {first["id"], second["id"]}

    r = await liu.post(f"/api/im/messages/{first['id']}/recall")
    assert r.status_code == 200 and r.json()["card"] is None
    async with db.transaction() as session:
        assert (
            await cards.update_cards(session, "test_note", "11", CardData(title="x", link="/notes/11")) == 1
        )


async def test_forward_keeps_the_card_and_share_card_posts_one(team, as_person, db):
    liu, song = await as_person(team["liu"]), await as_person(team["song"])
    NOTES["12"] = ("台风灾情统计", {team["liu"].id})
    group = await _group(liu, team, "han")
    other = await _group(liu, team, "song")
    async with db.transaction() as session:
        actor = await org_service.actor_for(session, team["liu"].id)
        assert actor is not None
        message = await cards.share_card(session, actor, group["id"], "test_note", "12", body="请各乡镇填报")
        message_id = message.id
    r = await liu.post(f"/api/im/messages/{message_id}/forward", json={"conversation_ids": [other["id"]]})
    assert r.status_code == 200, r.text
    history = (await song.get(f"/api/im/conversations/{other['id']}/messages")).json()["items"]
    assert history[-1]["card"]["title"] == "台风灾情统计" and history[-1]["body"] == "请各乡镇填报"
