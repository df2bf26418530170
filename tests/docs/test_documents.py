"""Documents over HTTP: create, list, share (people, departments, link), move, copy, delete,
import and export."""

from __future__ import annotations

import io
import zipfile

from tests.docs.conftest import new_doc, share


async def test_create_list_and_share_with_a_person(team, as_person) -> None:
    liu, han, tao = [await as_person(team[k]) for k in ("liu", "han", "tao")]
    doc = await new_doc(liu, "项目周报")
    assert doc["my_role"] == "owner" and doc["owner"]["name"] == "刘锋"
    assert [d["id"] for d in (await liu.get("/api/docs")).json()] == [doc["id"]]
    assert (await han.get(f"/api/docs/{doc['id']}")).status_code == 403
    assert (await han.get("/api/docs", params={"scope": "shared"})).json() == []

    grant = await share(liu, doc["id"], "viewer", person_id=team["han"].id)
    assert grant["person"]["name"] == "韩雪"
    seen = (await han.get(f"/api/docs/{doc['id']}")).json()
    assert seen["my_role"] == "viewer"
    assert [d["id"] for d in (await han.get("/api/docs", params={"scope": "shared"})).json()] == [doc["id"]]
    # A viewer cannot rename, share or delete.
    assert (await han.patch(f"/api/docs/{doc['id']}", json={"title": "x"})).status_code == 403
    r = await han.post(f"/api/docs/{doc['id']}/access", json={"role": "editor", "person_id": team["tao"].id})
    assert r.status_code == 403
    # Upgraded to editor: may rename.
    await share(liu, doc["id"], "editor", person_id=team["han"].id)
    assert (await han.patch(f"/api/docs/{doc['id']}", json={"title": "项目周报（改）"})).json()[
        "title"
    ] == "项目周报（改）"
    assert (await tao.get(f"/api/docs/{doc['id']}")).status_code == 403
    # Revoked: gone again.
    await liu.delete(f"/api/docs/{doc['id']}/access/{grant['id']}")
    assert (await han.get(f"/api/docs/{doc['id']}")).status_code == 403


async def test_department_grant_reaches_sub_departments(team, as_person) -> None:
    liu, han, tao = [await as_person(team[k]) for k in ("liu", "han", "tao")]
    doc = await new_doc(liu)
    await share(liu, doc["id"], "commenter", department_id=team["root"].id)
    assert (await han.get(f"/api/docs/{doc['id']}")).json()["my_role"] == "commenter"
    assert (await tao.get(f"/api/docs/{doc['id']}")).json()["my_role"] == "commenter"
    # A direct grant is stronger than the department's.
    await share(liu, doc["id"], "editor", person_id=team["han"].id)
    assert (await han.get(f"/api/docs/{doc['id']}")).json()["my_role"] == "editor"


async def test_link_sharing_inside_the_organisation(team, as_person) -> None:
    liu, tao = await as_person(team["liu"]), await as_person(team["tao"])
    doc = await new_doc(liu)
    assert (await tao.get(f"/api/docs/{doc['id']}")).status_code == 403
    r = await liu.patch(f"/api/docs/{doc['id']}", json={"link_role": "viewer"})
    assert r.json()["link_role"] == "viewer"
    assert (await tao.get(f"/api/docs/{doc['id']}")).json()["my_role"] == "viewer"
    # Not listed until opened; then under "recent".
    assert (await tao.get("/api/docs", params={"scope": "recent"})).json() == []
    assert (await tao.post(f"/api/docs/{doc['id']}/open")).status_code == 204
    assert [d["id"] for d in (await tao.get("/api/docs", params={"scope": "recent"})).json()] == [doc["id"]]
    await liu.patch(f"/api/docs/{doc['id']}", json={"link_role": "none"})
    assert (await tao.get(f"/api/docs/{doc['id']}")).status_code == 403
    assert (await tao.get("/api/docs", params={"scope": "recent"})).json() == []


async def test_pages_move_copy_star_delete(team, as_person) -> None:
    liu = await as_person(team["liu"])
    space = await new_doc(liu, "知识库")
    page = await new_doc(liu, "第一章", parent_id=space["id"])
    assert [d["id"] for d in (await liu.get("/api/docs")).json()] == [space["id"]]
    children = (await liu.get("/api/docs", params={"parent_id": space["id"]})).json()
    assert [d["id"] for d in children] == [page["id"]]
    r = await liu.patch(f"/api/docs/{space['id']}", json={"move": True, "parent_id": page["id"]})
    assert r.status_code == 422 and r.json()["fields"][0]["field"] == "body.parent_id"
    moved = (await liu.patch(f"/api/docs/{page['id']}", json={"move": True, "parent_id": None})).json()
    assert moved["parent_id"] is None
    assert (await liu.put(f"/api/docs/{page['id']}/star")).status_code == 204
    assert [d["id"] for d in (await liu.get("/api/docs", params={"scope": "starred"})).json()] == [page["id"]]
    copy = (await liu.post(f"/api/docs/{page['id']}/copy")).json()
    assert copy["title"] == "第一章 (copy)"
    assert (await liu.delete(f"/api/docs/{page['id']}")).status_code == 204
    assert (await liu.get(f"/api/docs/{page['id']}")).status_code == 403


async def test_bad_input_names_the_field_in_the_callers_language(team, as_person) -> None:
    liu = await as_person(team["liu"])
    r = await liu.post(
        "/api/docs", json={"title": "x", "parent_id": 999999}, headers={"Accept-Language": "en-US"}
    )
    assert r.status_code == 422
    assert r.json()["fields"][0]["field"] == "body.parent_id"
    doc = await new_doc(liu)
    r = await liu.post(f"/api/docs/{doc['id']}/access", json={"role": "editor", "person_id": 999999})
    assert r.status_code == 422 and r.json()["fields"][0]["field"] == "body.person_id"
    r = await liu.post(f"/api/docs/{doc['id']}/access", json={"role": "owner", "person_id": team["han"].id})
    assert r.status_code == 422


MARKDOWN = """# 年度计划

第一段，**加粗**和*斜体*，[链接](https://example.com)。

- [ ] 待办一
- [x] 已完成

1. 第一
2. 第二

> 引用

```python
print("hi")
```

| 列一 | 列二 |
|---|---|
| 甲 | 乙 |
"""


async def test_markdown_import_export_round_trip(team, as_person) -> None:
    liu = await as_person(team["liu"])
    r = await liu.post(
        "/api/docs/import", files={"file": ("年度计划.md", MARKDOWN.encode(), "text/markdown")}
    )
    assert r.status_code == 201, r.text
    doc = r.json()
    assert doc["title"] == "年度计划" and doc["excerpt"].startswith("年度计划")
    md = (await liu.get(f"/api/docs/{doc['id']}/export", params={"format": "markdown"})).text
    for piece in (
        "# 年度计划",
        "**加粗**",
        "*斜体*",
        "[链接](https://example.com)",
        "- [ ] 待办一",
        "- [x] 已完成",
        "1. 第一",
        "> 引用",
        '```python\nprint("hi")\n```',
        "| 甲 | 乙 |",
    ):
        assert piece in md, (piece, md)
    html = (await liu.get(f"/api/docs/{doc['id']}/export", params={"format": "html"})).text
    assert "<h1>年度计划</h1>" in html and "<strong>加粗</strong>" in html


async def test_html_import_is_sanitised(team, as_person) -> None:
    liu = await as_person(team["liu"])
    dirty = (
        '<h2 onclick="alert(1)">标题</h2><script>alert("x")</script>'
        '<p>正文<a href="javascript:alert(2)">坏链接</a><img src=x onerror=alert(3)></p>'
        '<p><b>粗</b> <a href="https://ok.example">好链接</a></p><style>p{}</style>'
    )
    r = await liu.post("/api/docs/import", files={"file": ("页.html", dirty.encode(), "text/html")})
    assert r.status_code == 201, r.text
    html = (await liu.get(f"/api/docs/{r.json()['id']}/export", params={"format": "html"})).text
    assert (
        "<script" not in html and "alert" not in html and "javascript:" not in html and "onerror" not in html
    )
    assert "<h2>标题</h2>" in html and '<a href="https://ok.example">好链接</a>' in html


def _docx(paragraphs: str) -> bytes:
    body = f'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{paragraphs}</w:body></w:document>'
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("word/document.xml", body)
    return out.getvalue()


async def test_docx_import_and_broken_docx(team, as_person) -> None:
    liu = await as_person(team["liu"])
    docx = _docx(
        '<w:p><w:pPr><w:pStyle w:val="Heading1"/></w:pPr><w:r><w:t>通知</w:t></w:r></w:p>'
        "<w:p><w:r><w:rPr><w:b/></w:rPr><w:t>重要</w:t></w:r><w:r><w:t>内容</w:t></w:r></w:p>"
    )
    r = await liu.post("/api/docs/import", files={"file": ("通知.docx", docx, "application/octet-stream")})
    assert r.status_code == 201, r.text
    md = (await liu.get(f"/api/docs/{r.json()['id']}/export")).text
    assert "# 通知" in md and "**重要**内容" in md
    r = await liu.post(
        "/api/docs/import",
        files={"file": ("坏.docx", b"not a zip", "application/octet-stream")},
        headers={"Accept-Language": "en-US"},
    )
    assert r.status_code == 422
    assert r.json()["fields"][0]["field"] == "body.file" and "cannot read" in r.json()["fields"][0]["message"]
    r = await liu.post("/api/docs/import", files={"file": ("x.exe", b"MZ", "application/octet-stream")})
    assert r.status_code == 422
