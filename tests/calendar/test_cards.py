"""Events as chat cards: share an invitation into a group (optionally inviting its members),
a pasted link unfurls, the card follows changes and cancellation, and nobody can card an event
they may not read."""

from __future__ import annotations

from tests.calendar.conftest import create
from tests.factories import sign_in


async def group(client, name: str, member_ids: list[int]) -> int:
    r = await client.post(
        "/api/im/conversations", json={"kind": "group", "name": name, "member_ids": member_ids}
    )
    assert r.status_code == 200, r.text
    return int(r.json()["id"])


async def cards_in(client, conversation_id: int) -> list[dict]:
    r = await client.get(f"/api/im/conversations/{conversation_id}/messages")
    assert r.status_code == 200, r.text
    return [m["card"] for m in r.json()["items"] if m.get("card")]


async def test_share_an_invitation_into_a_group(client, team, as_person):
    await sign_in(client, team["liu"])
    towns = await group(client, "乡镇调度群", [team["nie"].id, team["han"].id])
    event = await create(client, title="调度会", rrule="FREQ=WEEKLY;BYDAY=MO,TH", location="3号会议室")

    r = await client.post(
        f"/api/calendar/events/{event['id']}/share",
        json={"conversation_id": towns, "note": "请各乡镇准时参加", "invite": True},
    )
    assert r.status_code == 200, r.text
    assert r.json()["invited"] == 2
    nie = await as_person(team["nie"])
    [card] = await cards_in(nie, towns)
    assert card["type"] == "calendar_event" and card["link"] == f"/calendar/events/{event['id']}"
    assert card["title"] == "调度会" and card["status"] == "邀请"
    values = {f["label"]: f["value"] for f in card["fields"]}
    assert values["时间"] == "2026-03-23 09:00–10:00 (Asia/Shanghai)"
    assert values["地点"] == "3号会议室" and values["组织者"] == "刘锋"
    # The invited member can answer from the card's page.
    r = await nie.post(f"/api/calendar/events/{event['id']}/rsvp", json={"status": "accepted"})
    assert r.status_code == 200, r.text

    # A change refreshes the card; cancelling marks it cancelled.
    await client.patch(f"/api/calendar/events/{event['id']}", json={"title": "调度会（改到下午）"})
    [card] = await cards_in(nie, towns)
    assert card["title"] == "调度会（改到下午）"
    await client.delete(f"/api/calendar/events/{event['id']}")
    [card] = await cards_in(nie, towns)
    assert card["status"] == "已取消"


async def test_share_without_inviting_and_the_rules(client, team, as_person):
    await sign_in(client, team["liu"])
    towns = await group(client, "乡镇群", [team["nie"].id])
    event = await create(client, title="内部会")
    r = await client.post(f"/api/calendar/events/{event['id']}/share", json={"conversation_id": towns})
    assert r.status_code == 200 and r.json()["invited"] == 0
    attendees = (await client.get(f"/api/calendar/events/{event['id']}")).json()["attendees"]
    assert [a["person_id"] for a in attendees] == [team["liu"].id]

    # Someone who cannot read the event cannot card it, share it, nor paste it as a card.
    tao = await as_person(team["tao"])
    mine = await group(tao, "陶的群", [team["nie"].id])
    r = await tao.post(f"/api/calendar/events/{event['id']}/share", json={"conversation_id": mine})
    assert r.status_code == 404
    r = await tao.post(
        f"/api/im/conversations/{mine}/messages",
        json={"body": "看看", "card": {"type": "calendar_event", "ref": str(event["id"])}},
    )
    assert r.status_code == 422
    # An invitee may share (not invite others); a conversation one is not in is refused.
    nie = await as_person(team["nie"])
    invited = await create(client, title="带队会", attendee_ids=[team["nie"].id])
    r = await nie.post(f"/api/calendar/events/{invited['id']}/share", json={"conversation_id": towns})
    assert r.status_code == 200, r.text
    r = await nie.post(
        f"/api/calendar/events/{invited['id']}/share", json={"conversation_id": towns, "invite": True}
    )
    assert r.status_code == 403
    r = await client.post(f"/api/calendar/events/{event['id']}/share", json={"conversation_id": mine})
    assert r.status_code in (403, 404)
