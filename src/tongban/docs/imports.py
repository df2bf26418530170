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
R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"


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
            names = set(archive.namelist())
            numbering = archive.read("word/numbering.xml") if "word/numbering.xml" in names else b""
            rels = (
                archive.read("word/_rels/document.xml.rels")
                if "word/_rels/document.xml.rels" in names
                else b""
            )
        # The standard parser resolves no external entities and expat (≥ 2.4) caps entity
        # expansion, so an uploaded document cannot reach files or blow up memory this way.
        root = ET.fromstring(xml)  # noqa: S314
        ordered = _ordered_numbers(numbering)
        links = _links(rels)
    except (zipfile.BadZipFile, KeyError, ET.ParseError, OSError) as exc:
        raise Invalid("body.file", "field.docs_bad_import", reason=type(exc).__name__) from exc
    body = root.find(f"{W}body")
    if body is None:
        raise Invalid("body.file", "field.docs_bad_import", reason="no body")
    nodes: list[content.Node] = []
    lists: list[content.Node] = []  # the open list at each nesting level
    for element in body:
        if element.tag == f"{W}tbl":
            lists = []
            nodes.append(_table(element, links))
            continue
        if element.tag != f"{W}p":
            continue
        style = element.find(f"{W}pPr/{W}pStyle")
        style_name = (style.get(f"{W}val") or "") if style is not None else ""
        lowered = style_name.lower()
        inline = _runs(element, links)
        num = element.find(f"{W}pPr/{W}numPr")
        if num is not None or lowered.startswith("list"):
            level_el = num.find(f"{W}ilvl") if num is not None else None
            num_el = num.find(f"{W}numId") if num is not None else None
            level = min(int(level_el.get(f"{W}val") or 0), 8) if level_el is not None else 0
            num_id = (num_el.get(f"{W}val") or "") if num_el is not None else ""
            kind = "orderedList" if num_id in ordered or lowered.startswith("listnumber") else "bulletList"
            _list_item(nodes, lists, min(level, len(lists)), kind, inline)
            continue
        lists = []
        if lowered.startswith("heading") and lowered[7:].isdigit():
            level = min(max(int(lowered[7:]), 1), 6)
            nodes.append({"type": "heading", "attrs": {"level": level}, "content": inline})
        elif lowered == "title":
            nodes.append({"type": "heading", "attrs": {"level": 1}, "content": inline})
        elif lowered in ("quote", "intensequote"):
            para = {"type": "paragraph", "attrs": {}, "content": inline}
            nodes.append({"type": "blockquote", "attrs": {}, "content": [para]})
        elif lowered in ("code", "sourcecode", "htmlpreformatted"):
            text = "".join(n.get("text", "") if n["type"] == "text" else "\n" for n in inline)
            nodes.append(
                {
                    "type": "codeBlock",
                    "attrs": {},
                    "content": [{"type": "text", "text": text}] if text else [],
                }
            )
        else:
            nodes.append({"type": "paragraph", "attrs": {}, "content": inline})
    root_node: content.Node = {"type": "doc", "content": nodes}
    content.checklists(root_node)  # "☐ item" lists (ours, and Word users' habit) become check lists
    return nodes


def _list_item(
    nodes: list[content.Node], lists: list[content.Node], level: int, kind: str, inline: list[content.Node]
) -> None:
    del lists[level + 1 :]
    if len(lists) > level and lists[level]["type"] != kind:
        del lists[level:]
    if len(lists) <= level:
        new: content.Node = {"type": kind, "attrs": {}, "content": []}
        if level == 0:
            nodes.append(new)
        else:  # nested: inside the parent level's last item
            lists[level - 1]["content"][-1]["content"].append(new)
        lists.append(new)
    para = {"type": "paragraph", "attrs": {}, "content": inline}
    lists[level]["content"].append({"type": "listItem", "attrs": {}, "content": [para]})


def _ordered_numbers(numbering: bytes) -> set[str]:
    """numIds whose first level counts (decimal, letters, 一二三…) rather than bullets."""
    if not numbering:
        return set()
    root = ET.fromstring(numbering)  # noqa: S314 - see read_docx
    counting = set()
    for abstract in root.findall(f"{W}abstractNum"):
        fmt = abstract.find(f"{W}lvl/{W}numFmt")
        if fmt is not None and fmt.get(f"{W}val") not in ("bullet", "none", None):
            counting.add(abstract.get(f"{W}abstractNumId"))
    out = set()
    for num in root.findall(f"{W}num"):
        ref = num.find(f"{W}abstractNumId")
        if ref is not None and ref.get(f"{W}val") in counting:
            out.add(num.get(f"{W}numId") or "")
    return out


def _links(rels: bytes) -> dict[str, str]:
    if not rels:
        return {}
    root = ET.fromstring(rels)  # noqa: S314 - see read_docx
    return {
        rel.get("Id") or "": rel.get("Target") or ""
        for rel in root
        if (rel.get("Type") or "").endswith("/hyperlink")
    }


def _runs(paragraph: ET.Element, links: dict[str, str] | None = None) -> list[content.Node]:
    out: list[content.Node] = []
    for child in paragraph:
        if child.tag == f"{W}hyperlink":
            href = (links or {}).get(child.get(f"{R}id") or "", "")
            link = [{"type": "link", "attrs": {"href": href}}] if content.SAFE_URL.match(href) else []
            for node in _runs(child, links):
                if node["type"] == "text" and link:
                    node["marks"] = [*node.get("marks", []), *link]
                out.append(node)
        elif child.tag == f"{W}r":
            out.extend(_run(child))
        elif child.tag not in (f"{W}pPr", f"{W}del", f"{W}rPr"):
            out.extend(_runs(child, links))  # runs wrapped in w:ins, w:smartTag, w:sdt …
    return out


def _run(run: ET.Element) -> list[content.Node]:
    out: list[content.Node] = []
    props = run.find(f"{W}rPr")
    marks = []
    if props is not None:
        for tag, mark in (("b", "bold"), ("i", "italic"), ("u", "underline"), ("strike", "strike")):
            el = props.find(f"{W}{tag}")
            if el is not None and el.get(f"{W}val") not in ("0", "false", "none"):
                marks.append({"type": mark, "attrs": {}})
    for part in run:
        if part.tag == f"{W}br":
            out.append({"type": "hardBreak", "attrs": {}, "content": []})
        elif part.tag == f"{W}t" and part.text:
            node: content.Node = {"type": "text", "text": part.text}
            if marks:
                node["marks"] = [dict(m) for m in marks]
            out.append(node)
    return out


def _table(table: ET.Element, links: dict[str, str]) -> content.Node:
    rows = []
    for i, tr in enumerate(table.findall(f"{W}tr")):
        cells = []
        for tc in tr.findall(f"{W}tc"):
            paras = [
                {"type": "paragraph", "attrs": {}, "content": _runs(p, links)} for p in tc.findall(f"{W}p")
            ]
            kind = "tableHeader" if i == 0 else "tableCell"
            cells.append(
                {"type": kind, "attrs": {}, "content": paras or [{"type": "paragraph", "content": []}]}
            )
        rows.append({"type": "tableRow", "attrs": {}, "content": cells})
    return {"type": "table", "attrs": {}, "content": rows}
