"""Export out of the stored Yjs document: Word, PDF (Chinese as real, extractable text),
Markdown and HTML, each read back to check headings, lists and tables survive."""

from __future__ import annotations

import io
import zipfile

from pypdf import PdfReader

from tongban.docs import content, exports
from tongban.docs.imports import read_docx

SOURCE = """# 季度总结

第一段，**加粗**、*斜体*和[链接](https://example.com)。

## 进展

- 完成接口
  - 嵌套一项
- 上线

1. 第一步
2. 第二步

- [ ] 待办
- [x] 已办

> 引用一句

| 负责人 | 状态 |
|---|---|
| 刘锋 | 完成 |
| 韩雪 | 进行中 |
"""


def _shape(nodes: list[content.Node]) -> list[object]:
    """Structure and text, without the attributes formats legitimately differ on."""

    def walk(node: content.Node) -> object:
        if node.get("type") == "text":
            return node["text"]
        kind = node["type"]
        if kind == "heading":
            kind = f"h{node['attrs']['level']}"
        if kind == "taskItem":
            kind = f"task:{bool(node['attrs'].get('checked'))}"
        return [kind, [walk(c) for c in node.get("content") or []]]

    return [walk(n) for n in nodes]


async def _imported(client, name: str, data: bytes) -> dict:
    r = await client.post("/api/docs/import", files={"file": (name, data, "application/octet-stream")})
    assert r.status_code == 201, r.text
    return r.json()


async def test_docx_round_trips_headings_lists_tables_and_marks(team, as_person) -> None:
    liu = await as_person(team["liu"])
    doc = await _imported(liu, "季度总结.md", SOURCE.encode())
    r = await liu.get(f"/api/docs/{doc['id']}/export", params={"format": "docx"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/vnd.openxmlformats-officedocument")
    assert "filename*=UTF-8''%E5%AD%A3" in r.headers["content-disposition"]
    with zipfile.ZipFile(io.BytesIO(r.content)) as archive:  # a package Word can open
        assert {"[Content_Types].xml", "word/document.xml", "word/styles.xml"} <= set(archive.namelist())
    again = await _imported(liu, "again.docx", r.content)
    md = (await liu.get(f"/api/docs/{again['id']}/export")).text
    for piece in (
        "# 季度总结",
        "## 进展",
        "**加粗**",
        "*斜体*",
        "[链接](https://example.com)",
        "- 完成接口\n   - 嵌套一项\n- 上线",
        "1. 第一步\n2. 第二步",
        "- [ ] 待办\n- [x] 已办",
        "> 引用一句",
        "| 负责人 | 状态 |",
        "| 韩雪 | 进行中 |",
    ):
        assert piece in md, (piece, md)
    assert _shape(read_docx(r.content)) == _shape(content.from_markdown(SOURCE))


async def test_pdf_holds_the_chinese_text(team, as_person) -> None:
    liu = await as_person(team["liu"])
    doc = await _imported(liu, "季度总结.md", SOURCE.encode())
    r = await liu.get(f"/api/docs/{doc['id']}/export", params={"format": "pdf"})
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    assert r.content.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(r.content))
    text = "".join(page.extract_text() for page in reader.pages)
    for piece in (
        "季度总结",
        "第一段，加粗、斜体和链接。",
        "嵌套一项",
        "第二步",
        "□ 待办",
        "■ 已办",
        "刘锋",
        "进行中",
    ):
        assert piece in text, (piece, text)
    fonts = {
        str(f.get_object()["/BaseFont"]) for p in reader.pages for f in p["/Resources"]["/Font"].values()
    }
    assert any("WenQuanYi" in f for f in fonts), fonts  # embedded, so it renders without the font
    assert reader.metadata is not None and reader.metadata.title == "季度总结"


async def test_markdown_and_html_round_trip(team, as_person) -> None:
    liu = await as_person(team["liu"])
    doc = await _imported(liu, "季度总结.md", SOURCE.encode())
    want = _shape(content.from_markdown(SOURCE))
    md = (await liu.get(f"/api/docs/{doc['id']}/export", params={"format": "markdown"})).text
    assert _shape(content.from_markdown(md)) == want
    page = (await liu.get(f"/api/docs/{doc['id']}/export", params={"format": "html"})).text
    from_html = content.from_html(page)
    assert _shape(from_html)[0] == ["h1", ["季度总结"]]
    flat = str(_shape(from_html))
    for piece in (
        "'h2', ['进展']",
        "'bulletList'",
        "'orderedList'",
        "'table'",
        "'tableHeader', [['paragraph', ['负责人']]]",
    ):
        assert piece in flat, (piece, flat)


async def test_export_needs_read_access_and_a_known_format(team, as_person) -> None:
    liu, han = await as_person(team["liu"]), await as_person(team["han"])
    doc = await _imported(liu, "私密.md", b"# secret")
    assert (await han.get(f"/api/docs/{doc['id']}/export", params={"format": "pdf"})).status_code == 403
    assert (await liu.get(f"/api/docs/{doc['id']}/export", params={"format": "exe"})).status_code == 422


def test_pdf_never_opens_image_sources() -> None:
    """fpdf2 would read an <img src> path: the PDF's HTML carries images as their alt text only."""
    nodes = [{"type": "image", "attrs": {"src": "/etc/passwd", "alt": "示意图"}}]
    assert "<img" not in exports.pdf_html(nodes) and "示意图" in exports.pdf_html(nodes)
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(exports.to_pdf(nodes, "图"))).pages)
    assert "示意图" in text
