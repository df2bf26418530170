"""Word (DOCX) and PDF out of the neutral tree (docs/content.py), built on the server from the
stored Yjs document.

DOCX is written by hand as WordprocessingML: the styles it names (Heading1–6, ListBullet,
ListNumber, Quote, Code) are defined in its own styles.xml and lists carry real numbering, so
Word shows them as headings and lists and our importer (docs/imports.py) reads them back as such.

PDF goes through fpdf2's HTML layout with WenQuanYi Zen Hei embedded (subset) as a Unicode
TrueType font, so Chinese text is real text: selectable, searchable, extractable. The HTML it
is given is our own (below), never the user's: an `<img>` would make fpdf2 open whatever path
or URL its `src` names. So images never go through HTML: the document's own uploaded images
arrive as bytes (`pictures`, keyed by src, read by docs/images.py from the blob store) and are
placed between the HTML blocks (PDF) or embedded as media parts (DOCX); any other image becomes
its alt text.
"""

from __future__ import annotations

import html
import io
import zipfile
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from tongban.docs.content import SAFE_URL, Node

# ---- DOCX ---------------------------------------------------------------------------------------

_NS = (
    'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
    'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
    'xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture"'
)
EMU_PER_PX = 9525  # at 96 dpi
MAX_WIDTH_PX = 600  # the text column of an A4 page with 2.5 cm margins


def picture(data: bytes) -> tuple[bytes, str, int, int] | None:
    """(bytes, extension, width px, height px) fit for DOCX and PDF: JPEG and PNG as they are,
    GIF and WebP as PNG (first frame). None when the bytes do not decode."""
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
            if image.format in ("JPEG", "PNG"):
                return data, "jpeg" if image.format == "JPEG" else "png", width, height
            out = io.BytesIO()
            image.convert("RGBA").save(out, "PNG")
            return out.getvalue(), "png", width, height
    except Exception:
        return None


def fit(width: int, height: int) -> tuple[int, int]:
    if width <= MAX_WIDTH_PX or width <= 0:
        return width, height
    return MAX_WIDTH_PX, max(1, round(height * MAX_WIDTH_PX / width))


BULLET_NUM, ORDERED_NUM = 1, 2


class _Docx:
    def __init__(self, pictures: dict[str, bytes] | None = None) -> None:
        self.body: list[str] = []
        self.links: list[str] = []  # external hyperlink targets, r:id = "link{index}"
        self.pictures = pictures or {}
        self.media: list[tuple[str, bytes]] = []  # word/media/<name>, r:id = "img{index}"

    def drawing(self, data: bytes) -> bool:
        found = picture(data)
        if found is None:
            return False
        raw, ext, width, height = found
        width, height = fit(width, height)
        self.media.append((f"image{len(self.media) + 1}.{ext}", raw))
        n = len(self.media)
        cx, cy = width * EMU_PER_PX, height * EMU_PER_PX
        self.body.append(
            f'<w:p><w:r><w:drawing><wp:inline distT="0" distB="0" distL="0" distR="0">'
            f'<wp:extent cx="{cx}" cy="{cy}"/><wp:docPr id="{n}" name="Picture {n}"/>'
            '<a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture">'
            f'<pic:pic><pic:nvPicPr><pic:cNvPr id="{n}" name="image{n}"/><pic:cNvPicPr/></pic:nvPicPr>'
            f'<pic:blipFill><a:blip r:embed="img{n}"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill>'
            f'<pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="{cx}" cy="{cy}"/></a:xfrm>'
            '<a:prstGeom prst="rect"><a:avLst/></a:prstGeom></pic:spPr></pic:pic>'
            "</a:graphicData></a:graphic></wp:inline></w:drawing></w:r></w:p>"
        )
        return True

    def runs(self, nodes: list[Node]) -> str:
        out = []
        for node in nodes:
            if node.get("type") == "hardBreak":
                out.append("<w:r><w:br/></w:r>")
                continue
            if node.get("type") != "text":
                continue
            marks = {m["type"]: m.get("attrs") or {} for m in node.get("marks", [])}
            props = "".join(tag for mark, tag in _RUN_PROPS if mark in marks)
            text = str(node.get("text", ""))
            rpr = f"<w:rPr>{props}</w:rPr>" if props else ""
            run = f'<w:r>{rpr}<w:t xml:space="preserve">{escape(text)}</w:t></w:r>'
            href = str((marks.get("link") or {}).get("href", ""))
            if "link" in marks and SAFE_URL.match(href):
                self.links.append(href)
                run = f'<w:hyperlink r:id="link{len(self.links)}">{run}</w:hyperlink>'
            out.append(run)
        return "".join(out)

    def para(self, inline: list[Node], style: str = "", extra: str = "", prefix: str = "") -> None:
        props = (f'<w:pStyle w:val="{style}"/>' if style else "") + extra
        lead = f'<w:r><w:t xml:space="preserve">{escape(prefix)}</w:t></w:r>' if prefix else ""
        self.body.append(f"<w:p>{f'<w:pPr>{props}</w:pPr>' if props else ''}{lead}{self.runs(inline)}</w:p>")

    def block(self, node: Node, depth: int = 0) -> None:
        kind = node.get("type")
        attrs = node.get("attrs") or {}
        content: list[Node] = node.get("content") or []
        if kind == "heading":
            self.para(content, f"Heading{min(max(int(attrs.get('level') or 1), 1), 6)}")
        elif kind == "paragraph":
            self.para(content)
        elif kind == "blockquote":
            for child in content:
                self.para(_inline(child), "Quote")
        elif kind == "codeBlock":
            lines = _text(node).split("\n")
            runs: list[Node] = []
            for i, line in enumerate(lines):
                if i:
                    runs.append({"type": "hardBreak"})
                runs.append({"type": "text", "text": line, "marks": [{"type": "code"}]})
            self.para(runs, "Code")
        elif kind == "horizontalRule":
            border = '<w:pBdr><w:bottom w:val="single" w:sz="6" w:space="1" w:color="auto"/></w:pBdr>'
            self.para([], extra=border)
        elif kind == "image":
            data = self.pictures.get(str(attrs.get("src") or ""))
            if data is not None and self.drawing(data):
                return
            alt = str(attrs.get("alt") or attrs.get("title") or "")
            if alt:
                self.para([{"type": "text", "text": alt, "marks": [{"type": "italic"}]}])
        elif kind in ("bulletList", "orderedList", "taskList"):
            style, num = ("ListNumber", ORDERED_NUM) if kind == "orderedList" else ("ListBullet", BULLET_NUM)
            numbering = f'<w:numPr><w:ilvl w:val="{min(depth, 8)}"/><w:numId w:val="{num}"/></w:numPr>'
            for item in content:
                prefix = ""
                if kind == "taskList":
                    prefix = "☒ " if (item.get("attrs") or {}).get("checked") else "☐ "
                children = item.get("content") or []
                first = children[0] if children else {"type": "paragraph"}
                self.para(_inline(first), style, numbering, prefix)
                for child in children[1:]:
                    if child.get("type") in ("bulletList", "orderedList", "taskList"):
                        self.block(child, depth + 1)
                    else:
                        self.para(_inline(child), extra=f'<w:ind w:left="{720 * (depth + 1)}"/>')
        elif kind == "table":
            self.body.append(self.table(content))

    def table(self, rows: list[Node]) -> str:
        borders = "".join(
            f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="999999"/>'
            for side in ("top", "left", "bottom", "right", "insideH", "insideV")
        )
        out = [
            f'<w:tbl><w:tblPr><w:tblW w:w="0" w:type="auto"/><w:tblBorders>{borders}</w:tblBorders></w:tblPr>'
        ]
        for i, row in enumerate(rows):
            out.append("<w:tr><w:trPr><w:tblHeader/></w:trPr>" if i == 0 else "<w:tr>")
            for cell in row.get("content") or []:
                header = cell.get("type") == "tableHeader"
                paras = []
                for block in cell.get("content") or [{"type": "paragraph"}]:
                    paras.append(f"<w:p>{self.runs(_inline(block))}</w:p>")
                shade = (
                    '<w:tcPr><w:shd w:val="clear" w:color="auto" w:fill="F0F0F0"/></w:tcPr>' if header else ""
                )
                out.append(f"<w:tc>{shade}{''.join(paras) or '<w:p/>'}</w:tc>")
            out.append("</w:tr>")
        out.append("</w:tbl>")
        return "".join(out)


_RUN_PROPS = (
    ("code", '<w:rFonts w:ascii="Consolas" w:hAnsi="Consolas"/>'),
    ("link", '<w:rStyle w:val="Hyperlink"/>'),
    ("bold", "<w:b/>"),
    ("italic", "<w:i/>"),
    ("strike", "<w:strike/>"),
    ("underline", '<w:u w:val="single"/>'),
)


def _inline(node: Node) -> list[Node]:
    """A block's inline content; nested blocks (a quote's paragraphs) are flattened to text."""
    content: list[Node] = node.get("content") or []
    if all(c.get("type") in ("text", "hardBreak") for c in content):
        return content
    out: list[Node] = []
    for child in content:
        if child.get("type") in ("text", "hardBreak"):
            out.append(child)
        else:
            out.extend(_inline(child))
    return out


def _text(node: Node) -> str:
    if node.get("type") == "text":
        return str(node.get("text", ""))
    return "".join(_text(c) for c in node.get("content") or [])


def _styles() -> str:
    def style(sid: str, name: str, ppr: str = "", rpr: str = "", kind: str = "paragraph") -> str:
        return (
            f'<w:style w:type="{kind}" w:styleId="{sid}"><w:name w:val="{name}"/><w:basedOn w:val="Normal"/>'
            f"<w:pPr>{ppr}</w:pPr><w:rPr>{rpr}</w:rPr></w:style>"
        )

    sizes = {1: 36, 2: 30, 3: 26, 4: 24, 5: 22, 6: 22}
    headings = "".join(
        style(
            f"Heading{n}",
            f"heading {n}",
            f'<w:keepNext/><w:spacing w:before="240" w:after="120"/><w:outlineLvl w:val="{n - 1}"/>',
            f'<w:b/><w:sz w:val="{sizes[n]}"/>',
        )
        for n in range(1, 7)
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:styles {_NS}>'
        '<w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii="Calibri" w:hAnsi="Calibri" '
        'w:eastAsia="Microsoft YaHei"/><w:sz w:val="22"/></w:rPr></w:rPrDefault></w:docDefaults>'
        '<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/>'
        '<w:pPr><w:spacing w:after="120"/></w:pPr></w:style>'
        + headings
        + style("ListBullet", "List Bullet")
        + style("ListNumber", "List Number")
        + style("Quote", "Quote", '<w:ind w:left="720"/>', '<w:i/><w:color w:val="595959"/>')
        + style("Code", "Code", "", '<w:rFonts w:ascii="Consolas" w:hAnsi="Consolas"/><w:sz w:val="20"/>')
        + '<w:style w:type="character" w:styleId="Hyperlink"><w:name w:val="Hyperlink"/>'
        '<w:rPr><w:color w:val="0563C1"/><w:u w:val="single"/></w:rPr></w:style>'
        "</w:styles>"
    )


def _numbering() -> str:
    def levels(fmt: str) -> str:
        out = []
        for lvl in range(9):
            text = "•" if fmt == "bullet" else f"%{lvl + 1}."
            out.append(
                f'<w:lvl w:ilvl="{lvl}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/>'
                f'<w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/>'
                f'<w:pPr><w:ind w:left="{720 * (lvl + 1)}" w:hanging="360"/></w:pPr></w:lvl>'
            )
        return "".join(out)

    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:numbering {_NS}>'
        f'<w:abstractNum w:abstractNumId="0">{levels("bullet")}</w:abstractNum>'
        f'<w:abstractNum w:abstractNumId="1">{levels("decimal")}</w:abstractNum>'
        f'<w:num w:numId="{BULLET_NUM}"><w:abstractNumId w:val="0"/></w:num>'
        f'<w:num w:numId="{ORDERED_NUM}"><w:abstractNumId w:val="1"/></w:num>'
        "</w:numbering>"
    )


_OXML = "application/vnd.openxmlformats-officedocument.wordprocessingml"
_PKG = "http://schemas.openxmlformats.org/package/2006"
_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Default Extension="png" ContentType="image/png"/>'
    '<Default Extension="jpeg" ContentType="image/jpeg"/>'
    '<Override PartName="/word/document.xml" '
    f'ContentType="{_OXML}.document.main+xml"/>'
    '<Override PartName="/word/styles.xml" '
    f'ContentType="{_OXML}.styles+xml"/>'
    '<Override PartName="/word/numbering.xml" '
    f'ContentType="{_OXML}.numbering+xml"/>'
    '<Override PartName="/docProps/core.xml" '
    'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
    "</Types>"
)
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="word/document.xml"/>'
    f'<Relationship Id="rId2" Type="{_PKG}/relationships/metadata/core-properties" '
    'Target="docProps/core.xml"/>'
    "</Relationships>"
)


def to_docx(nodes: list[Node], title: str, pictures: dict[str, bytes] | None = None) -> bytes:
    """Blocking when there are pictures (they are decoded): call it in a worker thread."""
    writer = _Docx(pictures)
    for node in nodes:
        writer.block(node)
    document = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document {_NS}><w:body>'
        + "".join(writer.body)
        + '<w:sectPr><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="1440" w:right="1440" '
        'w:bottom="1440" w:left="1440" w:header="720" w:footer="720" w:gutter="0"/></w:sectPr>'
        "</w:body></w:document>"
    )
    rels = [
        f'<Relationship Id="rStyles" Type="{_REL}/styles" Target="styles.xml"/>',
        f'<Relationship Id="rNumbering" Type="{_REL}/numbering" Target="numbering.xml"/>',
    ]
    rels += [
        f'<Relationship Id="link{i}" Type="{_REL}/hyperlink" Target={quoteattr(href)} TargetMode="External"/>'
        for i, href in enumerate(writer.links, start=1)
    ]
    rels += [
        f'<Relationship Id="img{i}" Type="{_REL}/image" Target="media/{name}"/>'
        for i, (name, _) in enumerate(writer.media, start=1)
    ]
    core = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<cp:coreProperties xmlns:cp="{_PKG}/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f"<dc:title>{escape(title)}</dc:title></cp:coreProperties>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _ROOT_RELS)
        archive.writestr("docProps/core.xml", core)
        archive.writestr("word/document.xml", document)
        archive.writestr("word/styles.xml", _styles())
        archive.writestr("word/numbering.xml", _numbering())
        for name, data in writer.media:
            archive.writestr(f"word/media/{name}", data)
        archive.writestr(
            "word/_rels/document.xml.rels",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            + "".join(rels)
            + "</Relationships>",
        )
    return out.getvalue()


# ---- PDF ----------------------------------------------------------------------------------------

FONT_PATHS = (
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
)
_PDF_MARKS = {"bold": "b", "italic": "i", "underline": "u", "code": "code"}


def _pdf_inline(nodes: list[Node]) -> str:
    out = []
    for node in nodes:
        if node.get("type") == "hardBreak":
            out.append("<br>")
            continue
        if node.get("type") != "text":
            out.append(_pdf_inline(node.get("content") or []))
            continue
        text = html.escape(str(node.get("text", "")))
        for mark in node.get("marks", []):
            kind = mark["type"]
            if kind in _PDF_MARKS:
                text = f"<{_PDF_MARKS[kind]}>{text}</{_PDF_MARKS[kind]}>"
            elif kind == "link":
                href = str((mark.get("attrs") or {}).get("href", ""))
                if SAFE_URL.match(href):
                    text = f'<a href="{html.escape(href)}">{text}</a>'
        out.append(text)
    return "".join(out)


def _pdf_block(node: Node) -> str:
    kind = node.get("type")
    attrs = node.get("attrs") or {}
    content: list[Node] = node.get("content") or []
    if kind == "heading":
        level = min(max(int(attrs.get("level") or 1), 1), 6)
        return f"<h{level}>{_pdf_inline(content)}</h{level}>"
    if kind == "paragraph":
        return f"<p>{_pdf_inline(content)}</p>"
    if kind == "blockquote":
        return "<blockquote>" + "<br>".join(_pdf_inline(_inline(c)) for c in content) + "</blockquote>"
    if kind == "codeBlock":
        return f"<pre>{html.escape(_text(node))}</pre>"
    if kind == "horizontalRule":
        return "<hr>"
    if kind == "image":
        alt = str(attrs.get("alt") or attrs.get("title") or "")
        return f"<p><i>{html.escape(alt)}</i></p>" if alt else ""
    if kind in ("bulletList", "orderedList", "taskList"):
        tag = "ol" if kind == "orderedList" else "ul"
        items = []
        for item in content:
            children = item.get("content") or []
            box = ""
            if kind == "taskList":
                box = "■ " if (item.get("attrs") or {}).get("checked") else "□ "
            text = "<br>".join(
                _pdf_inline(_inline(c))
                for c in children
                if c.get("type") not in ("bulletList", "orderedList", "taskList")
            )
            nested = "".join(
                _pdf_block(c) for c in children if c.get("type") in ("bulletList", "orderedList", "taskList")
            )
            items.append(f"<li>{box}{text}{nested}</li>")
        return f"<{tag}>{''.join(items)}</{tag}>"
    if kind == "table":
        rows = []
        for i, row in enumerate(content):
            cell_tag = "th" if i == 0 else "td"
            cells = "".join(
                f"<{cell_tag}>{_pdf_cell(cell)}</{cell_tag}>" for cell in row.get("content") or []
            )
            rows.append(f"<tr>{cells}</tr>")
        if not rows:
            return ""
        return f'<table border="1"><thead>{rows[0]}</thead><tbody>{"".join(rows[1:])}</tbody></table>'
    return ""


def _pdf_cell(cell: Node) -> str:
    return "<br>".join(_pdf_inline(_inline(block)) for block in cell.get("content") or [])


def pdf_html(nodes: list[Node]) -> str:
    return "".join(_pdf_block(n) for n in nodes)


def to_pdf(nodes: list[Node], title: str, pictures: dict[str, bytes] | None = None) -> bytes:
    """Blocking (font parsing and layout take about a second): call it in a worker thread."""
    from fpdf import FPDF, FontFace

    font = next((p for p in FONT_PATHS if p.exists()), None)
    if font is None:
        raise RuntimeError("no CJK font installed (Debian: fonts-wqy-zenhei)")
    pdf = FPDF(format="A4")
    pdf.set_title(title)
    pdf.set_creator("Tongban")
    # The font has no bold or italic faces; the same face stands in so <b> and headings lay out.
    for style in ("", "B", "I", "BI"):
        pdf.add_font("cjk", style, str(font), collection_font_number=0)
    pdf.set_margins(18, 18, 18)
    pdf.set_auto_page_break(True, margin=18)
    pdf.add_page()
    pdf.set_font("cjk", size=11)
    black = "#1f1f1f"
    tag_styles: dict[str, Any] = {
        f"h{n}": FontFace(family="cjk", size_pt=size, color=black)
        for n, size in zip(range(1, 7), (22, 18, 15, 13, 12, 11), strict=True)
    }
    tag_styles["code"] = FontFace(family="cjk", color="#c41d7f")
    tag_styles["pre"] = FontFace(family="cjk", color=black, fill_color="#f5f5f5")
    tag_styles["blockquote"] = FontFace(family="cjk", color="#595959")
    tag_styles["a"] = FontFace(family="cjk", color="#0958d9")
    pictures = pictures or {}

    def write(blocks: list[Node]) -> None:
        if blocks:
            pdf.write_html(
                pdf_html(blocks),
                font_family="cjk",
                ul_bullet_char="·",
                li_prefix_color=black,
                tag_styles=tag_styles,
            )

    # Top-level images are placed between the HTML runs; one nested in a list or table stays
    # its alt text.
    run: list[Node] = []
    for node in nodes:
        data = (
            pictures.get(str((node.get("attrs") or {}).get("src") or ""))
            if node.get("type") == "image"
            else None
        )
        found = picture(data) if data is not None else None
        if found is None:
            run.append(node)
            continue
        write(run)
        run = []
        raw, _, width, height = found
        width, _ = fit(width, height)
        pdf.image(io.BytesIO(raw), x=pdf.l_margin, w=min(pdf.epw, width * 25.4 / 96))
        pdf.ln(2)
    write(run)
    return bytes(pdf.output())
