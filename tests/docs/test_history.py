"""Version history (named and automatic versions, diff, restore as a new change) and comments
(anchored threads, replies, mentions that notify, resolve)."""

from __future__ import annotations

import asyncio

from pycrdt import Doc, XmlElement, XmlFragment, XmlText

from tests.docs.conftest import new_doc, share, ydoc


async def _import(client, text: str) -> dict:
    r = await client.post("/api/docs/import", files={"file": ("方案.md", text.encode(), "text/markdown")})
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


async def test_named_version_diff_and_restore(team, as_person, live_server) -> None:
    liu = await as_person(team["liu"])
    doc = await _import(liu, "# 方案\n\n第一段")
    r = await liu.post(f"/api/docs/{doc['id']}/versions", json={"name": "初稿"})
    assert r.status_code == 201, r.text
    v1 = r.json()
    assert v1["name"] == "初稿" and v1["created_by"]["name"] == "刘锋"

    y = await ydoc(live_server, liu, doc["id"])
    frag = y.doc.get("default", type=XmlFragment)
    assert "第一段" in str(frag)
    para = frag.children.append(XmlElement("paragraph"))
    para.children.append(XmlText("第二段"))

    async def exported() -> str:
        return (await liu.get(f"/api/docs/{doc['id']}/export", params={"format": "text"})).text

    for _ in range(100):
        if "第二段" in await exported():
            break
        await asyncio.sleep(0.05)
    diff = (await liu.get(f"/api/docs/{doc['id']}/versions/{v1['id']}/diff")).json()
    assert {"op": "added", "text": "第二段"} in diff and {"op": "same", "text": "方案"} in diff

    state = (await liu.get(f"/api/docs/{doc['id']}/versions/{v1['id']}/state")).content
    old: Doc = Doc()
    old.apply_update(state)
    assert "第二段" not in str(old.get("default", type=XmlFragment))

    assert (await liu.post(f"/api/docs/{doc['id']}/versions/{v1['id']}/restore")).status_code == 204
    await y.wait(lambda: "第二段" not in str(frag) and "第一段" in str(frag))  # the open editor follows
    assert "第二段" not in await exported()
    listed = (await liu.get(f"/api/docs/{doc['id']}/versions")).json()
    assert [v["name"] for v in listed] == ["", "初稿"]  # what was replaced is kept
    assert "第二段" in listed[0]["excerpt"]
    await y.close()


async def test_versions_need_the_right_role(team, as_person) -> None:
    liu, han = await as_person(team["liu"]), await as_person(team["han"])
    doc = await _import(liu, "正文")
    await share(liu, doc["id"], "viewer", person_id=team["han"].id)
    assert (await han.get(f"/api/docs/{doc['id']}/versions")).status_code == 200
    assert (await han.post(f"/api/docs/{doc['id']}/versions", json={"name": "x"})).status_code == 403
    v = (await liu.post(f"/api/docs/{doc['id']}/versions", json={"name": "v"})).json()
    assert (await han.post(f"/api/docs/{doc['id']}/versions/{v['id']}/restore")).status_code == 403
    r = await liu.get(f"/api/docs/{doc['id']}/versions/999999/diff")
    assert r.status_code == 422 and r.json()["fields"][0]["field"] == "path.version_id"


async def test_comment_threads_mentions_and_resolve(team, as_person) -> None:
    liu, han, song, tao = [await as_person(team[k]) for k in ("liu", "han", "song", "tao")]
    doc = await new_doc(liu, "预算")
    await share(liu, doc["id"], "commenter", person_id=team["song"].id)
    await share(liu, doc["id"], "viewer", person_id=team["han"].id)
    anchor = {"start": "AQIDBA==", "end": "BQYHCA=="}
    r = await song.post(
        f"/api/docs/{doc['id']}/comments",
        json={
            "body": "@韩雪 @陶海锋 这个数字对吗？",
            "anchor": anchor,
            "quote": "120 万",
            "mention_ids": [team["han"].id, team["tao"].id],
        },
    )
    assert r.status_code == 201, r.text
    thread = r.json()
    assert thread["anchor"] == anchor and thread["author"]["name"] == "宋杰" and not thread["resolved"]
    # 韩雪 may read the document and is told; 陶海锋 may not, and is not.
    han_notes = (await han.get("/api/notify/notifications")).json()["items"]
    assert any("预算" in n["title"] and n["link"].startswith(f"/docs/{doc['id']}") for n in han_notes)
    tao_notes = (await tao.get("/api/notify/notifications")).json()["items"]
    assert not any("预算" in n["title"] for n in tao_notes)
    # Viewers read comments but may not write them.
    assert (await han.get(f"/api/docs/{doc['id']}/comments")).status_code == 200
    r = await han.post(f"/api/docs/{doc['id']}/comments", json={"body": "x"})
    assert r.status_code == 403
    reply = (
        await liu.post(f"/api/docs/{doc['id']}/comments", json={"body": "对的", "parent_id": thread["id"]})
    ).json()
    r = await liu.post(
        f"/api/docs/{doc['id']}/comments", json={"body": "x", "parent_id": reply["id"]}
    )  # replies are one level deep
    assert r.status_code == 422 and r.json()["fields"][0]["field"] == "body.parent_id"
    resolved = (
        await song.patch(f"/api/docs/{doc['id']}/comments/{reply['id']}", json={"resolved": True})
    ).json()
    assert (
        resolved["id"] == thread["id"] and resolved["resolved"] and resolved["resolved_by"]["name"] == "宋杰"
    )
    listed = (await liu.get(f"/api/docs/{doc['id']}/comments")).json()
    assert [c["id"] for c in listed] == [thread["id"], reply["id"]] and listed[0]["resolved"]
    # 宋杰 may not delete 刘锋's reply; the owner may delete anyone's.
    assert (await song.delete(f"/api/docs/{doc['id']}/comments/{reply['id']}")).status_code == 403
    assert (await liu.delete(f"/api/docs/{doc['id']}/comments/{thread['id']}")).status_code == 204
    assert (await liu.get(f"/api/docs/{doc['id']}/comments")).json() == []
