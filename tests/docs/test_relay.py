"""The Yjs socket with real pycrdt clients: editors converge, viewers and bad messages are
refused, late joiners see cursors, revoking access closes the socket, updates are stored."""

from __future__ import annotations

import asyncio

import pytest
import websockets
from pycrdt import Doc, Text

from tests.docs.conftest import new_doc, share, ydoc
from tests.docs.yclient import awareness_frame
from tongban.docs import store
from tongban.docs.relay import sync_frame


async def test_two_editors_converge_and_updates_are_stored(team, as_person, live_server, db) -> None:
    liu, han = await as_person(team["liu"]), await as_person(team["han"])
    doc = await new_doc(liu)
    await share(liu, doc["id"], "editor", person_id=team["han"].id)
    a, b = await ydoc(live_server, liu, doc["id"]), await ydoc(live_server, han, doc["id"])
    a.text += "你好"
    await b.wait(lambda: str(b.text) == "你好")
    b.text += "，世界"
    await a.wait(lambda: str(a.text) == "你好，世界")
    for i in range(50):
        (a if i % 2 else b).text.insert(0, str(i % 10))
    await a.wait(lambda: len(str(a.text)) == 55)
    await b.wait(lambda: str(b.text) == str(a.text))
    # Everything relayed is in the database.
    async with db.transaction(write=False) as session:
        stored, _ = await store.load(session, doc["id"])
    assert str(stored.get("t", type=Text)) == str(a.text)
    # A newcomer gets it all in sync step 2.
    c = await ydoc(live_server, liu, doc["id"])
    assert str(c.text) == str(a.text)
    for y in (a, b, c):
        await y.close()


async def test_offline_edits_merge_on_reconnect(team, as_person, live_server) -> None:
    liu = await as_person(team["liu"])
    doc = await new_doc(liu)
    a = await ydoc(live_server, liu, doc["id"])
    a.text += "在线"
    offline: Doc = Doc()
    offline.apply_update(a.doc.get_update())
    await asyncio.sleep(0.2)
    offline.get("t", type=Text).insert(0, "离线")  # made while disconnected
    cookie = f"tongban_session={liu.cookies['tongban_session']}"
    from tests.docs.yclient import YClient

    b = await YClient.connect(
        f"ws://{live_server}/api/docs/ws/{doc['id']}", cookie, f"http://{live_server}", doc=offline
    )
    await a.wait(lambda: str(a.text) == "离线在线")
    await b.close()
    await a.close()


async def test_viewer_updates_are_refused_and_never_relayed(team, as_person, live_server, db) -> None:
    liu, han = await as_person(team["liu"]), await as_person(team["han"])
    doc = await new_doc(liu)
    await share(liu, doc["id"], "viewer", person_id=team["han"].id)
    editor, viewer = await ydoc(live_server, liu, doc["id"]), await ydoc(live_server, han, doc["id"])
    editor.text += "正文"
    await viewer.wait(lambda: str(viewer.text) == "正文")  # viewers receive updates
    viewer.text += "篡改"
    code, reason = await asyncio.wait_for(viewer.closed, 5)
    assert code == 4403 and reason == "read-only"
    await asyncio.sleep(0.2)
    assert str(editor.text) == "正文"
    async with db.transaction(write=False) as session:
        stored, _ = await store.load(session, doc["id"])
    assert str(stored.get("t", type=Text)) == "正文"
    await editor.close()


async def test_malformed_and_huge_messages_close_the_socket_and_leave_the_document(
    team, as_person, live_server
) -> None:
    liu = await as_person(team["liu"])
    doc = await new_doc(liu)
    good = await ydoc(live_server, liu, doc["id"])
    good.text += "完好"
    for frame, code in (
        (sync_frame(2, b"\x01\x02\x03\xff\xff"), 4400),  # not a Yjs update
        (b"\x07\x00", 4400),  # unknown message type
        (sync_frame(2, b"x" * (10 * 1024 * 1024)), 1009),  # a 10 MB paste
    ):
        bad = await ydoc(live_server, liu, doc["id"])
        await bad.send_raw(frame)
        assert (await asyncio.wait_for(bad.closed, 5))[0] == code
    good.text += "如初"
    fresh = await ydoc(live_server, liu, doc["id"])
    await fresh.wait(lambda: str(fresh.text) == "完好如初")
    await good.close()
    await fresh.close()


async def test_late_joiner_sees_existing_cursors_and_departures(team, as_person, live_server) -> None:
    liu, han = await as_person(team["liu"]), await as_person(team["han"])
    doc = await new_doc(liu)
    await share(liu, doc["id"], "viewer", person_id=team["han"].id)
    a = await ydoc(live_server, liu, doc["id"])
    await a.send_raw(awareness_frame(111, 1, {"user": {"name": "刘锋", "color": "#f00"}}))
    await asyncio.sleep(0.2)
    b = await ydoc(live_server, han, doc["id"])
    await b.wait(lambda: b.awareness.get(111, {}).get("user", {}).get("name") == "刘锋")
    # A re-sent state with the same clock (y-websocket clients echo what they receive) is dropped.
    before = a.received
    await b.send_raw(awareness_frame(111, 1, {"user": {"name": "刘锋", "color": "#f00"}}))
    await b.send_raw(awareness_frame(222, 1, {"user": {"name": "韩雪"}}))
    await a.wait(lambda: 222 in a.awareness)
    assert a.received == before + 1
    await a.close()
    await b.wait(lambda: b.awareness.get(111, "x") is None)
    await b.close()


async def test_revoking_access_closes_open_sockets(team, as_person, live_server) -> None:
    liu, han = await as_person(team["liu"]), await as_person(team["han"])
    doc = await new_doc(liu)
    grant = await share(liu, doc["id"], "editor", person_id=team["han"].id)
    b = await ydoc(live_server, han, doc["id"])
    assert (await liu.delete(f"/api/docs/{doc['id']}/access/{grant['id']}")).status_code == 204
    code, reason = await asyncio.wait_for(b.closed, 5)
    assert code == 4403 and reason == "access revoked"


async def test_handshake_needs_access_and_a_good_origin(team, as_person, live_server) -> None:
    liu, tao = await as_person(team["liu"]), await as_person(team["tao"])
    doc = await new_doc(liu)
    cookie = f"tongban_session={tao.cookies['tongban_session']}"
    url = f"ws://{live_server}/api/docs/ws/{doc['id']}"
    with pytest.raises(websockets.InvalidStatus) as refused:
        await websockets.connect(url, additional_headers={"Cookie": cookie}, origin=f"http://{live_server}")
    assert refused.value.response.status_code == 403
    own = f"tongban_session={liu.cookies['tongban_session']}"
    with pytest.raises(websockets.InvalidStatus):
        await websockets.connect(url, additional_headers={"Cookie": own}, origin="http://evil.example")
    with pytest.raises(websockets.InvalidStatus):
        await websockets.connect(url, origin=f"http://{live_server}")


async def test_content_replaced_on_the_server_reaches_open_editors(team, as_person, live_server) -> None:
    """Imports and restores are ordinary updates: an open editor receives them."""
    liu = await as_person(team["liu"])
    doc = await new_doc(liu)
    a = await ydoc(live_server, liu, doc["id"])
    copy = (await liu.post(f"/api/docs/{doc['id']}/copy")).json()
    b = await ydoc(live_server, liu, copy["id"])
    assert str(b.text) == ""
    await a.close()
    await b.close()
