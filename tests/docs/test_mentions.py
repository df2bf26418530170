"""Fresh text for search within seconds of typing, and @mentions that notify once.

Both run after the updates' commit (docs/refresh.py): the editor's content is written over the
Yjs socket exactly as the browser's TipTap writes it (<paragraph> with text and <mention>)."""

from __future__ import annotations

import asyncio
import time

from tests.docs.conftest import new_doc, share, ydoc
from tongban.docs import content


def para(*parts: object) -> content.Node:
    inline: list[content.Node] = []
    for part in parts:
        if isinstance(part, str):
            inline.append({"type": "text", "text": part})
        else:
            person_id, label = part  # type: ignore[misc]
            inline.append({"type": "mention", "attrs": {"id": str(person_id), "label": label}})
    return {"type": "paragraph", "content": inline}


async def eventually(check, timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while True:
        result = await check()
        if result or time.monotonic() > deadline:
            return result
        await asyncio.sleep(0.1)


async def inbox(client) -> list[dict]:
    r = await client.get("/api/notify/notifications")
    assert r.status_code == 200, r.text
    return [n for n in r.json()["items"] if n["capability"] == "docs"]


async def test_search_finds_fresh_edits_within_seconds(team, as_person, live_server) -> None:
    liu = await as_person(team["liu"])
    doc = await new_doc(liu, "会议纪要")
    y = await ydoc(live_server, liu, doc["id"])
    content.write_tree(y.doc, [para("讨论了新版审批流程 quarterly roadmap")])
    started = time.monotonic()

    async def found() -> bool:
        hits = (await liu.get("/api/docs/search", params={"q": "审批流程 ROADMAP"})).json()
        return [h["document"]["id"] for h in hits] == [doc["id"]]

    assert await eventually(found), "fresh text never became searchable"
    assert time.monotonic() - started < 8  # well before compaction (500 updates) or closing
    # The list excerpt is fresh too, and the socket is still open (nothing was compacted).
    assert "审批流程" in (await liu.get(f"/api/docs/{doc['id']}")).json()["excerpt"]
    await y.close()


async def test_a_new_mention_notifies_once_with_a_link(team, as_person, live_server) -> None:
    liu, han, song = [await as_person(team[k]) for k in ("liu", "han", "song")]
    doc = await new_doc(liu, "季度计划")
    await share(liu, doc["id"], "viewer", person_id=team["han"].id)
    y = await ydoc(live_server, liu, doc["id"])
    content.write_tree(y.doc, [para("请 ", (team["han"].id, "韩雪"), " 看一下预算")])

    async def told() -> list[dict]:
        return await inbox(han)

    (note,) = await eventually(told)
    assert note["title"] == "刘锋 在《季度计划》中提到了你"
    assert note["link"] == f"/docs/{doc['id']}"
    assert "@韩雪" in note["body"] and "预算" in note["body"]
    # More typing, a second sync, the same mention again: still one notification.
    content.write_tree(y.doc, [para("请 ", (team["han"].id, "韩雪"), " 看一下预算，今天内")])
    await asyncio.sleep(2.5)
    assert len(await inbox(han)) == 1
    # Search text shows the mention as @name.
    hits = (await liu.get("/api/docs/search", params={"q": "@韩雪"})).json()
    assert [h["document"]["id"] for h in hits] == [doc["id"]]
    # Mentioning yourself tells nobody.
    assert await inbox(song) == []
    assert await inbox(liu) == []
    await y.close()


async def test_a_mentioned_person_without_access_learns_nothing(team, as_person, live_server) -> None:
    liu, tao = await as_person(team["liu"]), await as_person(team["tao"])
    doc = await new_doc(liu, "机密方案")
    y = await ydoc(live_server, liu, doc["id"])
    content.write_tree(y.doc, [para("需要 ", (team["tao"].id, "陶海锋"), " 协助：底价 300 万")])

    async def asked() -> list[dict]:
        return await inbox(liu)

    (prompt,) = await eventually(asked)
    # The author is asked to share, with a link that opens the share dialog for that person.
    assert "陶海锋" in prompt["title"] and "分享" in prompt["title"]
    assert prompt["link"] == f"/docs/{doc['id']}?share={team['tao'].id}"
    # 陶海锋 gets nothing: not the text, not the title.
    await asyncio.sleep(1.5)
    assert await inbox(tao) == []
    assert (await tao.get(f"/api/docs/{doc['id']}")).status_code == 403
    await y.close()
