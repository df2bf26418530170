"""Reading an uploaded file into the content tree: Markdown, HTML (sanitised), DOCX.

DOCX is read with the standard library (a DOCX is a zip of WordprocessingML): paragraphs,
headings by style, bold/italic/underline/strike runs, lists as bullet paragraphs, tables. That is
what people bring from Word into a shared document; layout (fonts, columns, page setup) is not
carried over, as in every web editor.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import PurePath
from xml.etree import ElementTree as ET

from fastapi import UploadFile

from tongban.core.errors import Invalid
from tongban.docs import content

MAX_IMPORT = 10 * 1024 * 1024
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


async def read_upload(file: UploadFile) -> tuple[str, list[content.Node]]:
    name = PurePath(file.filename or "document").name
    stem, suffix = PurePath(name).stem[:200], PurePath(name).suffix.lower()
    data = await file.read(MAX_IMPORT + 1)
    if len(data) > MAX_IMPORT:
        raise Invalid("body.file", "field.docs_too_large", limit=MAX_IMPORT // (1024 * 1024))
    if suffix in (".md", ".markdown", ".txt"):
        return stem, content.from_markdown(_decode(data))
    if suffix in (".html", ".htm"):
        return stem, content.from_html(_decode(data))
    if suffix == ".docx":
        return stem, read_docx(data)
    raise Invalid("body.file", "field.docs_import_type")


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise Invalid("body.file", "field.docs_bad_import", reason="encoding")


def read_docx(data: bytes) -> list[content.Node]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            xml = archive.read("word/document.xml")
        # The standard parser resolves no external entities and expat (≥ 2.4) caps entity
        # expansion, so an uploaded document cannot reach files or blow up memory this way.
        root = ET.fromstring(xml)  # noqa: S314
    except (zipfile.BadZipFile, KeyError, ET.ParseError, OSError) as exc:
        raise Invalid("body.file", "field.docs_bad_import", reason=type(exc).__name__) from exc
    body = root.find(f"{W}body")
    if body is None:
        raise Invalid("body.file", "field.docs_bad_import", reason="no body")
    nodes: list[content.Node] = []
    bullets: content.Node | None = None
    for element in body:
        if element.tag == f"{W}tbl":
            bullets = None
            nodes.append(_table(element))
            continue
        if element.tag != f"{W}p":
            continue
        style = element.find(f"{W}pPr/{W}pStyle")
        style_name = (style.get(f"{W}val") or "") if style is not None else ""
        inline = _runs(element)
        is_list = element.find(f"{W}pPr/{W}numPr") is not None or style_name.lower().startswith("list")
        if is_list:
            if bullets is None:
                bullets = {"type": "bulletList", "attrs": {}, "content": []}
                nodes.append(bullets)
            para = {"type": "paragraph", "attrs": {}, "content": inline}
            bullets["content"].append({"type": "listItem", "attrs": {}, "content": [para]})
            continue
        bullets = None
        lowered = style_name.lower()
        if lowered.startswith("heading") and lowered[7:].isdigit():
            level = min(max(int(lowered[7:]), 1), 6)
            nodes.append({"type": "heading", "attrs": {"level": level}, "content": inline})
        elif lowered == "title":
            nodes.append({"type": "heading", "attrs": {"level": 1}, "content": inline})
        else:
            nodes.append({"type": "paragraph", "attrs": {}, "content": inline})
    return nodes


def _runs(paragraph: ET.Element) -> list[content.Node]:
    out: list[content.Node] = []
    for run in paragraph.iter(f"{W}r"):
        text = "".join(t.text or "" for t in run.iter(f"{W}t"))
        if not text:
            continue
        props = run.find(f"{W}rPr")
        marks = []
        if props is not None:
            for tag, mark in (("b", "bold"), ("i", "italic"), ("u", "underline"), ("strike", "strike")):
                el = props.find(f"{W}{tag}")
                if el is not None and el.get(f"{W}val") not in ("0", "false", "none"):
                    marks.append({"type": mark, "attrs": {}})
        node: content.Node = {"type": "text", "text": text}
        if marks:
            node["marks"] = marks
        out.append(node)
    return out


def _table(table: ET.Element) -> content.Node:
    rows = []
    for i, tr in enumerate(table.findall(f"{W}tr")):
        cells = []
        for tc in tr.findall(f"{W}tc"):
            paras = [{"type": "paragraph", "attrs": {}, "content": _runs(p)} for p in tc.findall(f"{W}p")]
            kind = "tableHeader" if i == 0 else "tableCell"
            cells.append(
                {"type": kind, "attrs": {}, "content": paras or [{"type": "paragraph", "content": []}]}
            )
        rows.append({"type": "tableRow", "attrs": {}, "content": cells})
    return {"type": "table", "attrs": {}, "content": rows}
