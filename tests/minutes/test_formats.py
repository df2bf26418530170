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
