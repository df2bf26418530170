"""A document's content between Yjs and the formats people bring and take away.

The browser edits a ProseMirror document bound to the Yjs XmlFragment "default" (y-prosemirror):
block nodes are XmlElements named after TipTap's node types, text is XmlText whose formatting
attributes are the marks. Everything here goes through one neutral tree, ProseMirror's JSON
shape (`{"type", "attrs", "content"}`, text nodes with `marks`), so each format needs only a
reader or a writer for that tree.

Only the node and mark types the editor knows are ever built, and link targets are limited to
safe schemes: imported HTML with scripts, event handlers or `javascript:` links loses them here,
before anything reaches the document.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from typing import Any

from markdown_it import MarkdownIt
from pycrdt import Doc, XmlElement, XmlFragment, XmlText

Node = dict[str, Any]
FIELD = "default"  # TipTap's Collaboration extension binds this fragment

BLOCKS = {
    "paragraph",
    "heading",
    "bulletList",
    "orderedList",
    "listItem",
    "taskList",
    "taskItem",
    "blockquote",
    "codeBlock",
    "horizontalRule",
    "table",
    "tableRow",
    "tableHeader",
    "tableCell",
    "image",
    "hardBreak",
    "mention",  # inline: <mention id="person id" label="name"> (TipTap's Mention node)
}
MARKS = {"bold", "italic", "underline", "strike", "code", "link"}
SAFE_URL = re.compile(r"^(https?:|mailto:|/|#)", re.IGNORECASE)


def fragment(doc: Doc[Any]) -> XmlFragment:
    frag: XmlFragment = doc.get(FIELD, type=XmlFragment)
    return frag


def doc_from_state(state: bytes | None) -> Doc[Any]:
    doc: Doc[Any] = Doc()
    if state:
        doc.apply_update(state)
    return doc


# ---- Yjs → tree ------------------------------------------------------------------------------


def to_tree(doc: Doc[Any]) -> list[Node]:
    return [n for child in fragment(doc).children for n in _read(child)]


def _read(item: Any) -> list[Node]:
    if isinstance(item, XmlText):
        nodes: list[Node] = []
        for text, attrs in item.diff():
            if not isinstance(text, str) or not text:
                continue
            node: Node = {"type": "text", "text": text}
            if attrs:
                node["marks"] = [{"type": k, "attrs": v or {}} for k, v in attrs.items() if k in MARKS]
            nodes.append(node)
        return nodes
    if isinstance(item, XmlElement):
        # pycrdt annotates the view's __iter__ as returning an Iterable; it is an iterator.
        element_attrs = {key: value for key, value in item.attributes}  # type: ignore[attr-defined]
        content = [n for child in item.children for n in _read(child)]
        node = {"type": item.tag or "paragraph", "attrs": element_attrs, "content": content}
        return [node]
    return []


# ---- tree → Yjs ------------------------------------------------------------------------------


def write_tree(doc: Doc[Any], nodes: list[Node]) -> None:
    """Replace the document's content with `nodes` (one Yjs transaction: one update)."""
    frag = fragment(doc)
    with doc.transaction():
        del frag.children[0 : len(frag.children)]
        for node in nodes:
            _write(frag, node)


def _write(parent: XmlFragment | XmlElement, node: Node) -> None:
    kind = node.get("type")
    if kind == "text":
        return  # text is written by its block (below), never directly under the fragment
    if kind not in BLOCKS:
        return
    attrs = {k: v for k, v in (node.get("attrs") or {}).items() if v is not None}
    element = parent.children.append(XmlElement(kind, attrs))
    content: list[Node] = node.get("content") or []
    run: XmlText | None = None
    for child in content:
        if child.get("type") == "text":
            if run is None:
                run = element.children.append(XmlText())
            marks = {m["type"]: m.get("attrs") or {} for m in child.get("marks", []) if m["type"] in MARKS}
            run.insert(len(run), child["text"], marks or None)
        else:
            run = None
            _write(element, child)


def state_from_tree(nodes: list[Node]) -> bytes:
    doc: Doc[Any] = Doc()
    write_tree(doc, nodes)
    return doc.get_update()


# ---- tree → text / Markdown / HTML --------------------------------------------------------------


def mention_label(node: Node) -> str:
    attrs = node.get("attrs") or {}
    return "@" + str(attrs.get("label") or attrs.get("id") or "")


def mentions_as_text(nodes: list[Node]) -> list[Node]:
    """The tree with each @mention as plain text "@name", for the formats that have no such
    thing (Markdown, HTML, Word, PDF)."""
    out: list[Node] = []
    for node in nodes:
        if node.get("type") == "mention":
            out.append({"type": "text", "text": mention_label(node)})
        elif node.get("content"):
            out.append({**node, "content": mentions_as_text(node["content"])})
        else:
            out.append(node)
    return out


def mentioned_ids(nodes: list[Node]) -> set[int]:
    """The person ids @mentioned anywhere in the tree."""
    found: set[int] = set()
    for node in nodes:
        if node.get("type") == "mention":
            raw = str((node.get("attrs") or {}).get("id") or "")
            if raw.isdigit():
                found.add(int(raw))
        found |= mentioned_ids(node.get("content") or [])
    return found


def _inline_text(node: Node) -> str:
    if node.get("type") == "text":
        return str(node.get("text", ""))
    if node.get("type") == "mention":
        return mention_label(node)
    if node.get("type") == "hardBreak":
        return "\n"
    return "".join(_inline_text(c) for c in node.get("content") or [])


def to_text(nodes: list[Node]) -> str:
    lines: list[str] = []

    def walk(node: Node) -> None:
        content = node.get("content") or []
        if any(c.get("type") == "text" for c in content) or node.get("type") in ("paragraph", "heading"):
            lines.append(_inline_text(node))
            return
        for child in content:
            walk(child)

    for n in nodes:
        walk(n)
    return "\n".join(lines).strip()


def _md_inline(nodes: list[Node]) -> str:
    out = []
    for n in nodes:
        if n.get("type") == "hardBreak":
            out.append("  \n")
            continue
        text = str(n.get("text", ""))
        marks = {m["type"]: m.get("attrs") or {} for m in n.get("marks", [])}
        if "code" in marks:
            text = f"`{text}`"
        if "bold" in marks:
            text = f"**{text}**"
        if "italic" in marks:
            text = f"*{text}*"
        if "strike" in marks:
            text = f"~~{text}~~"
        if "link" in marks and SAFE_URL.match(str(marks["link"].get("href", ""))):
            text = f"[{text}]({marks['link']['href']})"
        out.append(text)
    return "".join(out)


def to_markdown(nodes: list[Node]) -> str:
    blocks = [_md_block(n, "") for n in nodes]
    return "\n\n".join(b for b in blocks if b is not None).strip() + "\n"


def _md_block(node: Node, indent: str) -> str | None:
    kind = node.get("type")
    content: list[Node] = node.get("content") or []
    attrs = node.get("attrs") or {}
    if kind == "paragraph":
        return indent + _md_inline(content)
    if kind == "heading":
        return "#" * int(attrs.get("level") or 1) + " " + _md_inline(content)
    if kind == "blockquote":
        inner = "\n\n".join(filter(None, (_md_block(c, "") for c in content)))
        return "\n".join("> " + line for line in inner.splitlines())
    if kind == "codeBlock":
        return f"```{attrs.get('language') or ''}\n{_inline_text(node)}\n```"
    if kind == "horizontalRule":
        return "---"
    if kind == "image":
        return f"![{attrs.get('alt') or ''}]({attrs.get('src') or ''})"
    if kind in ("bulletList", "orderedList", "taskList"):
        lines = []
        for i, item in enumerate(content, start=int(attrs.get("start") or 1)):
            bullet = f"{i}." if kind == "orderedList" else "-"
            if kind == "taskList":
                bullet += " [x]" if (item.get("attrs") or {}).get("checked") else " [ ]"
            parts = [_md_block(c, "") or "" for c in item.get("content") or []]
            first, rest = (parts[0] if parts else ""), parts[1:]
            lines.append(f"{indent}{bullet} {first}")
            lines.extend("\n".join("   " + x for x in r.splitlines()) for r in rest)
        return "\n".join(lines)
    if kind == "table":
        rows = [[_md_inline(_cells_inline(c)) for c in row.get("content") or []] for row in content]
        if not rows:
            return None
        width = max(len(r) for r in rows)
        rows = [r + [""] * (width - len(r)) for r in rows]
        out = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * width]
        out += ["| " + " | ".join(r) + " |" for r in rows[1:]]
        return "\n".join(out)
    return _md_inline(content) if content else None


def _cells_inline(cell: Node) -> list[Node]:
    nodes: list[Node] = []
    for block in cell.get("content") or []:
        nodes.extend(block.get("content") or [])
    return nodes


def to_html(nodes: list[Node], title: str = "") -> str:
    body = "".join(_html(n) for n in nodes)
    head = f"<meta charset='utf-8'><title>{html.escape(title)}</title>"
    return f"<!doctype html><html><head>{head}</head><body>{body}</body></html>"


TAGS = {
    "paragraph": "p",
    "bulletList": "ul",
    "orderedList": "ol",
    "taskList": "ul",
    "listItem": "li",
    "taskItem": "li",
    "blockquote": "blockquote",
    "table": "table",
    "tableRow": "tr",
    "tableHeader": "th",
    "tableCell": "td",
}
MARK_TAGS = {"bold": "strong", "italic": "em", "underline": "u", "strike": "s", "code": "code"}


def _html(node: Node) -> str:
    kind = node.get("type")
    attrs = node.get("attrs") or {}
    if kind == "text":
        text = html.escape(str(node.get("text", "")))
        for mark in node.get("marks", []):
            if mark["type"] in MARK_TAGS:
                tag = MARK_TAGS[mark["type"]]
                text = f"<{tag}>{text}</{tag}>"
            elif mark["type"] == "link":
                href = str((mark.get("attrs") or {}).get("href", ""))
                if SAFE_URL.match(href):
                    text = f'<a href="{html.escape(href)}">{text}</a>'
        return text
    inner = "".join(_html(c) for c in node.get("content") or [])
    if kind == "heading":
        level = min(max(int(attrs.get("level") or 1), 1), 6)
        return f"<h{level}>{inner}</h{level}>"
    if kind == "codeBlock":
        return f"<pre><code>{html.escape(_inline_text(node))}</code></pre>"
    if kind == "horizontalRule":
        return "<hr>"
    if kind == "hardBreak":
        return "<br>"
    if kind == "image":
        src = str(attrs.get("src") or "")
        return (
            f'<img src="{html.escape(src)}" alt="{html.escape(str(attrs.get("alt") or ""))}">'
            if SAFE_URL.match(src)
            else ""
        )
    if kind == "taskItem":
        box = "☑" if attrs.get("checked") else "☐"
        return f"<li>{box} {inner}</li>"
    html_tag = TAGS.get(str(kind))
    return f"<{html_tag}>{inner}</{html_tag}>" if html_tag else inner


# ---- Markdown → tree ---------------------------------------------------------------------------

_MD = MarkdownIt("commonmark").enable(["table", "strikethrough"])


def from_markdown(source: str) -> list[Node]:
    tokens = _MD.parse(source)
    root: Node = {"type": "doc", "content": []}
    stack: list[Node] = [root]
    block_map = {
        "paragraph_open": "paragraph",
        "heading_open": "heading",
        "bullet_list_open": "bulletList",
        "ordered_list_open": "orderedList",
        "list_item_open": "listItem",
        "blockquote_open": "blockquote",
        "table_open": "table",
        "tr_open": "tableRow",
        "th_open": "tableHeader",
        "td_open": "tableCell",
    }
    for tok in tokens:
        if tok.type in block_map:
            node: Node = {"type": block_map[tok.type], "attrs": {}, "content": []}
            if tok.type == "heading_open":
                node["attrs"]["level"] = int(tok.tag[1])
            stack[-1]["content"].append(node)
            stack.append(node)
            if tok.type in ("th_open", "td_open"):  # cells hold paragraphs in the editor's schema
                para: Node = {"type": "paragraph", "attrs": {}, "content": []}
                node["content"].append(para)
                stack.append(para)
        elif tok.type.endswith("_close") and tok.type.replace("_close", "_open") in block_map:
            if tok.type in ("th_close", "td_close"):
                stack.pop()
            stack.pop()
        elif tok.type in ("thead_open", "thead_close", "tbody_open", "tbody_close"):
            continue
        elif tok.type == "inline":
            stack[-1]["content"].extend(_md_inline_tokens(tok.children or []))
        elif tok.type in ("fence", "code_block"):
            lang = (tok.info or "").strip().split(" ")[0]
            text = tok.content.rstrip("\n")
            code: Node = {"type": "codeBlock", "attrs": {"language": lang or None}, "content": []}
            if text:
                code["content"].append({"type": "text", "text": text})
            stack[-1]["content"].append(code)
        elif tok.type == "hr":
            stack[-1]["content"].append({"type": "horizontalRule", "attrs": {}, "content": []})
    checklists(root)
    return list(root["content"])


def _md_inline_tokens(children: list[Any]) -> list[Node]:
    out: list[Node] = []
    marks: list[dict[str, Any]] = []
    names = {"strong": "bold", "em": "italic", "s": "strike"}
    for tok in children:
        kind = tok.type
        if kind.endswith("_open") and kind[:-5] in names:
            marks.append({"type": names[kind[:-5]], "attrs": {}})
        elif kind.endswith("_close") and kind[:-6] in names:
            marks = [m for m in marks if m["type"] != names[kind[:-6]]]
        elif kind == "link_open":
            href = str(tok.attrs.get("href", ""))
            if SAFE_URL.match(href):
                marks.append({"type": "link", "attrs": {"href": href}})
        elif kind == "link_close":
            marks = [m for m in marks if m["type"] != "link"]
        elif kind in ("text", "code_inline") and tok.content:
            extra = [{"type": "code", "attrs": {}}] if kind == "code_inline" else []
            node: Node = {"type": "text", "text": tok.content}
            if marks or extra:
                node["marks"] = [dict(m) for m in marks] + extra
            out.append(node)
        elif kind in ("softbreak",):
            out.append({"type": "text", "text": " "})
        elif kind == "hardbreak":
            out.append({"type": "hardBreak", "attrs": {}, "content": []})
        elif kind == "image":
            src = str(tok.attrs.get("src", ""))
            if SAFE_URL.match(src):
                out.append({"type": "text", "text": tok.content or src})
    return out


def checklists(node: Node) -> None:
    """GitHub-style "- [ ] item" lists become check lists."""
    for child in node.get("content") or []:
        checklists(child)
    if node.get("type") != "bulletList":
        return
    items = node.get("content") or []

    def box(item: Node) -> bool | None:
        first = (item.get("content") or [{}])[0]
        texts = first.get("content") or []
        if not texts or texts[0].get("type") != "text":
            return None
        m = re.match(r"^(?:\[( |x|X)\]|([☐☑☒])) ?", texts[0]["text"])
        if m is None:
            return None
        return (m.group(1) or "").lower() == "x" or m.group(2) in ("☑", "☒")

    checks = [box(i) for i in items]
    if not items or any(c is None for c in checks):
        return
    node["type"] = "taskList"
    for item, checked in zip(items, checks, strict=True):
        item["type"] = "taskItem"
        item["attrs"] = {"checked": bool(checked)}
        texts = item["content"][0]["content"]
        texts[0]["text"] = re.sub(r"^(?:\[( |x|X)\]|([☐☑☒])) ?", "", texts[0]["text"])
        if not texts[0]["text"]:
            del texts[0]  # the box was a run of its own (Word)


# ---- HTML → tree (sanitising: only the editor's own nodes and marks survive) -----------------


HTML_BLOCKS = {
    "p": "paragraph",
    "ul": "bulletList",
    "ol": "orderedList",
    "li": "listItem",
    "blockquote": "blockquote",
    "table": "table",
    "tr": "tableRow",
    "th": "tableHeader",
    "td": "tableCell",
    "pre": "codeBlock",
}
HTML_MARKS = {"b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline", "s": "strike"}
HTML_MARKS.update({"del": "strike", "strike": "strike", "code": "code"})
# Dropped with everything inside them.
HTML_DROP = {"script", "style", "iframe", "object", "embed", "template", "noscript", "head", "svg"}


class _HtmlReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root: Node = {"type": "doc", "content": []}
        self.stack: list[tuple[str, Node]] = [("", self.root)]
        self.marks: list[tuple[str, dict[str, Any]]] = []
        self.dropping = 0

    def _open(self, tag: str, node: Node) -> None:
        self.stack[-1][1]["content"].append(node)
        self.stack.append((tag, node))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in HTML_DROP:
            self.dropping += 1
            return
        if self.dropping:
            return
        a = dict(attrs)
        if tag in HTML_BLOCKS:
            self._open(tag, {"type": HTML_BLOCKS[tag], "attrs": {}, "content": []})
        elif re.fullmatch(r"h[1-6]", tag):
            self._open(tag, {"type": "heading", "attrs": {"level": int(tag[1])}, "content": []})
        elif tag in HTML_MARKS:
            self.marks.append((tag, {"type": HTML_MARKS[tag], "attrs": {}}))
        elif tag == "a":
            href = a.get("href") or ""
            self.marks.append(
                (tag, {"type": "link", "attrs": {"href": href}} if SAFE_URL.match(href) else {})
            )
        elif tag == "br":
            self._container()["content"].append({"type": "hardBreak", "attrs": {}, "content": []})
        elif tag == "hr":
            self.stack[-1][1]["content"].append({"type": "horizontalRule", "attrs": {}, "content": []})

    def handle_endtag(self, tag: str) -> None:
        if tag in HTML_DROP:
            self.dropping = max(0, self.dropping - 1)
            return
        if self.dropping:
            return
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                return
        for i in range(len(self.marks) - 1, -1, -1):
            if self.marks[i][0] == tag:
                del self.marks[i]
                return

    def _container(self) -> Node:
        node = self.stack[-1][1]
        if node["type"] in (
            "doc",
            "bulletList",
            "orderedList",
            "listItem",
            "blockquote",
            "tableCell",
            "tableHeader",
            "table",
            "tableRow",
        ):
            para: Node = {"type": "paragraph", "attrs": {}, "content": []}
            if node["type"] in ("table", "tableRow"):
                return para  # stray text between cells is dropped
            self._open("", para)
            self.stack.pop()
            return para
        return node

    def handle_data(self, data: str) -> None:
        if self.dropping or not data.strip():
            return
        text: Node = {
            "type": "text",
            "text": re.sub(r"\s+", " ", data) if self.stack[-1][1]["type"] != "codeBlock" else data,
        }
        marks = [m for _, m in self.marks if m]
        if marks:
            text["marks"] = [dict(m) for m in marks]
        container = self._container()
        content = container["content"]
        if content and content[-1].get("type") == "text" and content[-1].get("marks") == text.get("marks"):
            content[-1]["text"] += text["text"]
        else:
            content.append(text)


def from_html(source: str) -> list[Node]:
    reader = _HtmlReader()
    reader.feed(source)
    reader.close()
    return list(reader.root["content"])
