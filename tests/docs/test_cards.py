"""A document in a chat: shared as a card, unfurled from a pasted link, refreshed on rename;
a member without access sees the card but cannot open the document."""

from __future__ import annotations

from tests.docs.conftest import new_doc


async def test_doc_card_in_a_group(team, as_person) -> None:
    liu, han = await as_person(team["liu"]), await as_person(team["han"])
    doc = await new_doc(liu, "项目方案")
    group = (
        await liu.post(
            "/api/im/conversations", json={"kind": "group", "name": "项目组", "member_ids": [team["han"].id]}
        )
    ).json()
    r = await liu.post(
        f"/api/im/conversations/{group['id']}/messages",
        json={"client_msg_id": "card-0001", "body": "请看", "card": {"type": "doc", "ref": str(doc["id"])}},
    )
    assert r.status_code == 201, r.text
    card = r.json()["card"]
    assert card["title"] == "项目方案" and card["link"] == f"/docs/{doc['id']}"
    assert {"label": "所有者", "value": "刘锋"} in card["fields"]
    # 韩雪 may not share a card of a document she cannot read (the same answer as a missing one).
    r = await han.post(
        f"/api/im/conversations/{group['id']}/messages",
        json={"client_msg_id": "card-0002", "body": "", "card": {"type": "doc", "ref": str(doc["id"])}},
    )
    assert r.status_code == 422
    assert (await han.get(f"/api/docs/{doc['id']}")).status_code == 403  # the card opens nothing
    # Renamed and link-shared: the card follows.
    await liu.patch(f"/api/docs/{doc['id']}", json={"title": "项目方案（定稿）", "link_role": "editor"})
    items = (await han.get(f"/api/im/conversations/{group['id']}/messages")).json()["items"]
    shown = next(m["card"] for m in items if m.get("card"))
    assert shown["title"] == "项目方案（定稿）"
    assert {"label": "链接权限", "value": "组织内可编辑"} in shown["fields"]
    assert (await han.get(f"/api/docs/{doc['id']}")).json()["my_role"] == "editor"
