"""Images in documents: uploaded through the files capability (size-limited, type sniffed from
the bytes), seen only by people who may read a document holding them, embedded in exports."""

from __future__ import annotations

import io
import zipfile

from PIL import Image
from pypdf import PdfReader

from tests.docs.conftest import new_doc, share
from tongban.docs import images, store


def png(color: str = "red", size: tuple[int, int] = (40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "PNG")
    return out.getvalue()


async def upload(client, doc_id: int, data: bytes, name: str = "pic.png", content_type: str = "image/png"):
    return await client.post(f"/api/docs/{doc_id}/images", files={"file": (name, data, content_type)})


async def test_upload_and_read_follow_the_documents_access(team, as_person) -> None:
    liu, han, tao = [await as_person(team[k]) for k in ("liu", "han", "tao")]
    doc = await new_doc(liu, "带图的文档")
    r = await upload(liu, doc["id"], png())
    assert r.status_code == 201, r.text
    image = r.json()
    assert image["content_type"] == "image/png" and image["name"] == "pic.png"
    src = f"/api/docs/images/{image['id']}"
    got = await liu.get(src)
    assert got.status_code == 200 and got.content == png()
    assert got.headers["content-type"] == "image/png"
    assert got.headers["x-content-type-options"] == "nosniff"
    # Not shared: 韩雪 is not even told it exists, nor may she upload into the document.
    assert (await han.get(src)).status_code == 404
    assert (await upload(han, doc["id"], png())).status_code == 403
    # A viewer sees it but may not add images; an editor may.
    await share(liu, doc["id"], "viewer", person_id=team["han"].id)
    assert (await han.get(src)).content == png()
    assert (await upload(han, doc["id"], png())).status_code == 403
    await share(liu, doc["id"], "editor", person_id=team["han"].id)
    assert (await upload(han, doc["id"], png("blue"))).status_code == 201
    # The general file API does not open it to her: reading is the document's rule, not a grant.
    assert (await han.get(f"/api/files/{image['id']}")).status_code == 404
    # A copy carries its images to the copy's readers; deleting the original does not break it.
    copy = (await han.post(f"/api/docs/{doc['id']}/copy")).json()
    await liu.delete(f"/api/docs/{doc['id']}")
    assert (await han.get(src)).status_code == 200
    assert (await tao.get(src)).status_code == 404
    assert copy["owner"]["name"] == "韩雪"


async def test_forged_and_oversized_uploads_are_refused(team, as_person, app) -> None:
    liu = await as_person(team["liu"])
    doc = await new_doc(liu)
    before = {info.key async for info in app.state.blobs.list_keys("files/")}
    # An HTML page sent as image/png is judged by its bytes and refused, naming the field.
    forged = b"<!doctype html><html><script>alert(1)</script></html>"
    r = await upload(liu, doc["id"], forged, "evil.png", "image/png")
    assert r.status_code == 415, r.text
    field = r.json()["fields"][0]
    assert field["field"] == "body.file" and field["code"] == "field.docs_image_type"
    assert "PNG" in field["message"] and "text/html" in field["message"]
    r = await liu.post(
        f"/api/docs/{doc['id']}/images",
        files={
            "file": ("a.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>', "image/svg+xml")
        },
        headers={"Accept-Language": "zh-CN"},
    )
    assert r.status_code == 415 and "只能插入" in r.json()["fields"][0]["message"]
    # Too big: 413 before or while reading; nothing is kept.
    big = png() + b"\0" * (images.IMAGE_MAX_BYTES + 1)
    assert (await upload(liu, doc["id"], big)).status_code == 413
    # Nothing of the refused uploads stayed behind in the blob store.
    assert {info.key async for info in app.state.blobs.list_keys("files/")} == before
    # No field at all.
    r = await liu.post(f"/api/docs/{doc['id']}/images", files={"other": ("a.png", png(), "image/png")})
    assert r.status_code == 422 and r.json()["fields"][0]["field"] == "body.file"


async def test_exports_embed_the_documents_own_images(team, as_person, db) -> None:
    liu = await as_person(team["liu"])
    doc = await new_doc(liu, "图文")
    image = (await upload(liu, doc["id"], png("green", (1200, 600)))).json()
    nodes = [
        {"type": "paragraph", "content": [{"type": "text", "text": "上面一段"}]},
        {"type": "image", "attrs": {"src": images.image_src(image["id"]), "alt": "绿色方块"}},
        {
            "type": "image",
            "attrs": {"src": "/api/docs/images/00000000-0000-0000-0000-000000000000", "alt": "别处的图"},
        },
        {"type": "paragraph", "content": [{"type": "text", "text": "下面一段"}]},
    ]
    async with db.transaction() as session:
        await store.replace_content(session, doc["id"], nodes)
    docx = (await liu.get(f"/api/docs/{doc['id']}/export", params={"format": "docx"})).content
    with zipfile.ZipFile(io.BytesIO(docx)) as z:
        media = [n for n in z.namelist() if n.startswith("word/media/")]
        assert media == ["word/media/image1.png"]
        assert z.read(media[0]) == png("green", (1200, 600))
        body = z.read("word/document.xml").decode()
        assert 'r:embed="img1"' in body and "别处的图" in body  # not ours: its alt text
        assert 'cx="5715000"' in body  # scaled to the 600 px column
        assert 'Target="media/image1.png"' in z.read("word/_rels/document.xml.rels").decode()
    pdf = (await liu.get(f"/api/docs/{doc['id']}/export", params={"format": "pdf"})).content
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages[0].images) == 1
    text = reader.pages[0].extract_text()
    assert "上面一段" in text and "下面一段" in text and "别处的图" in text
