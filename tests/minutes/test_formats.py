"""Every format users upload decodes with PyAV to the clip's length, and is accepted as media."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.minutes.conftest import CLIP_SECONDS, convert
from tongban.minutes import audio
from tongban.minutes.engine import SAMPLE_RATE

FORMATS = ("mp3", "m4a", "wav", "ogg", "opus", "mp4", "webm")


@pytest.mark.parametrize("fmt", FORMATS)
def test_decodes(fmt: str, tmp_path: Path) -> None:
    name, data = convert(fmt)
    path = tmp_path / name
    path.write_bytes(data)
    samples = audio.decode(path)
    seconds = len(samples) / SAMPLE_RATE
    assert abs(seconds - CLIP_SECONDS) < 0.2, (fmt, seconds)
    assert 0.05 < float(abs(samples).max()) <= 1.0


def test_not_media_raises(tmp_path: Path) -> None:
    path = tmp_path / "x.txt"
    path.write_text("not audio at all")
    with pytest.raises(audio.NotMedia):
        audio.decode(path)


async def test_every_format_is_accepted(as_person: Any, people: dict[str, Any]) -> None:
    lin = await as_person(people["lawyer"])
    for fmt in FORMATS:
        name, data = convert(fmt)
        file = (await lin.post("/api/files", files={"file": (name, data)})).json()
        r = await lin.post("/api/minutes", json={"file_id": file["id"], "language": "en"})
        assert r.status_code == 201, (fmt, file["content_type"], r.text)
        # Only acceptance is checked here; stop the job so the suite does not transcribe seven times.
        await lin.post(f"/api/minutes/{r.json()['id']}/cancel")


async def test_resumable_upload_after_a_drop(
    as_person: Any, people: dict[str, Any], monkeypatch: Any
) -> None:
    from tongban.minutes import uploads

    monkeypatch.setattr(uploads, "CHUNK_BYTES", 8000)  # a 20 kB clip in three chunks
    name, data = convert("ogg")
    lin = await as_person(people["lawyer"])
    r = await lin.post("/api/minutes/uploads", json={"name": name, "size": len(data)})
    assert r.status_code == 201, r.text
    state = r.json()
    up, size = state["upload_id"], state["chunk_bytes"]
    assert state["chunks"] == 3 and state["received"] == []
    assert (await lin.put(f"/api/minutes/uploads/{up}/chunks/0", content=data[:size])).status_code == 204
    # The connection drops; the client asks what arrived and completing too early is refused.
    assert (await lin.get(f"/api/minutes/uploads/{up}")).json()["received"] == [0]
    assert (await lin.post(f"/api/minutes/uploads/{up}/complete", json={})).status_code == 409
    wrong = await lin.put(f"/api/minutes/uploads/{up}/chunks/1", content=data[size : size + 10])
    assert wrong.status_code == 422
    for i in (1, 2):
        part = data[i * size : (i + 1) * size]
        assert (await lin.put(f"/api/minutes/uploads/{up}/chunks/{i}", content=part)).status_code == 204
    other = await as_person(people["colleague"])
    assert (await other.get(f"/api/minutes/uploads/{up}")).status_code == 404
    r = await lin.post(f"/api/minutes/uploads/{up}/complete", json={"language": "en", "title": "预算会"})
    assert r.status_code == 201, r.text
    created = r.json()
    assert created["title"] == "预算会"
    await lin.post(f"/api/minutes/{created['id']}/cancel")
    content = await lin.get(f"/api/files/{created['file_id']}/content")
    assert content.content == data
    assert (await lin.get(f"/api/minutes/uploads/{up}")).status_code == 404  # chunks are gone


async def test_too_big_is_refused_before_sending(as_person: Any, people: dict[str, Any]) -> None:
    lin = await as_person(people["lawyer"])
    r = await lin.post("/api/minutes/uploads", json={"name": "long.mp4", "size": 3 * 1024**3})
    assert r.status_code == 413
    r = await lin.post("/api/minutes/uploads", json={"name": "hour.mp4", "size": 2 * 1024**3})
    assert r.status_code == 201
