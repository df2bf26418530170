"""Finding documents by title and text, only among those the caller may read."""

from __future__ import annotations

from tests.docs.conftest import share

MARK_START, MARK_END = "\u0002", "\u0003"


async def _import(client, name: str, text: str) -> dict:
    r = await client.post("/api/docs/import", files={"file": (name, text.encode(), "text/markdown")})
    assert r.status_code == 201, r.text
    return r.json()


async def _found(client, q: str) -> list[str]:
    r = await client.get("/api/docs/search", params={"q": q})
    assert r.status_code == 200, r.text
    return [hit["document"]["title"] for hit in r.json()]


async def test_titles_and_text_in_chinese_and_english(team, as_person) -> None:
    liu = await as_person(team["liu"])
    await _import(liu, "广州项目周报.md", "# 进展\n\n房地产中介系统上线，Release v2 shipped.")
    await _import(liu, "预算.md", "明年的预算草案")
    assert await _found(liu, "周报") == ["广州项目周报"]  # two characters, title
    assert await _found(liu, "房地产") == ["广州项目周报"]  # text
    assert await _found(liu, "RELEASE") == ["广州项目周报"]  # Latin case ignored
    assert await _found(liu, "上线 v2") == ["广州项目周报"]  # every term must match
    assert await _found(liu, "上线 预算") == []
    assert await _found(liu, "%") == []  # LIKE wildcards are plain characters
    (hit,) = (await liu.get("/api/docs/search", params={"q": "中介"})).json()
    assert f"{MARK_START}中介{MARK_END}" in hit["snippet"]
    assert hit["document"]["my_role"] == "owner"


async def test_only_what_the_caller_may_read(team, as_person) -> None:
    liu, han, tao = [await as_person(team[k]) for k in ("liu", "han", "tao")]
    secret = await _import(liu, "机密方案.md", "只有刘锋能看")
    shared = await _import(liu, "共享方案.md", "大家都能看")
    await share(liu, shared["id"], "viewer", person_id=team["han"].id)
    assert await _found(han, "方案") == ["共享方案"]
    assert await _found(tao, "方案") == []
    # A link-shared document is found once the person has opened it (as in "recent").
    assert (await liu.patch(f"/api/docs/{secret['id']}", json={"link_role": "viewer"})).status_code == 200
    assert await _found(tao, "机密") == []
    assert (await tao.post(f"/api/docs/{secret['id']}/open")).status_code == 204
    assert await _found(tao, "机密") == ["机密方案"]
    # Deleted documents are never found.
    assert (await liu.delete(f"/api/docs/{shared['id']}")).status_code == 204
    assert await _found(han, "方案") == []
    assert (await han.get("/api/docs/search", params={"q": " "})).status_code == 422
