"""Minutes through the API: a real clip transcribed offline, search that seeks, cancel/retry, bad input."""

from __future__ import annotations

import re
from typing import Any

from tests.minutes.conftest import CLIP, CLIP_SECONDS, SPOKEN, upload, wait_for


def wer(reference: str, hypothesis: str) -> float:
    ref = re.findall(r"[a-z0-9']+", reference.lower())
    hyp = re.findall(r"[a-z0-9']+", hypothesis.lower())
    d = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        prev, d[0] = d[0], i
        for j, h in enumerate(hyp, 1):
            prev, d[j] = d[j], min(d[j] + 1, d[j - 1] + 1, prev + (r != h))
    return d[len(hyp)] / len(ref)


async def test_upload_transcribe_search(as_person: Any, people: dict[str, Any]) -> None:
    lin = await as_person(people["lawyer"])
    file_id = await upload(lin, "budget.ogg", CLIP.read_bytes())
    r = await lin.post("/api/minutes", json={"file_id": file_id, "language": "en"})
    assert r.status_code == 201, r.text
    created = r.json()
    assert created["status"] in ("queued", "running") and created["title"] == "budget"
    done = await wait_for(lin, created["id"])
    assert done["status"] == "done", done
    assert done["progress"] == 1.0 and done["engine"].startswith("faster-whisper")
    assert abs(done["duration"] - CLIP_SECONDS) < 0.3

    transcript = (await lin.get(f"/api/minutes/{created['id']}/transcript")).json()
    segments = transcript["segments"]
    text = " ".join(s["text"] for s in segments)
    assert wer(SPOKEN, text) <= 0.2, text
    last = 0.0
    for s in segments:
        assert 0 <= s["start"] <= s["end"] <= done["duration"]
        assert s["start"] >= last - 0.01
        last = s["start"]
        for w in s["words"]:
            assert s["start"] - 0.01 <= w["start"] <= w["end"] <= s["end"] + 0.01
        assert s["speaker"] is None  # no diarisation: no invented speaker labels

    # "approval" is said about 3.2 s in (espeak at 140 wpm); the hit's time is within a second.
    hits = (await lin.get(f"/api/minutes/{created['id']}/search", params={"q": "approval"})).json()["hits"]
    assert len(hits) == 1
    approval = next(w for s in segments for w in s["words"] if "approval" in w["text"].lower())
    assert abs(hits[0]["time"] - approval["start"]) < 0.05
    assert 2.0 < hits[0]["time"] < 4.5
    assert (await lin.get(f"/api/minutes/{created['id']}/search", params={"q": "zebra"})).json()["hits"] == []

    assert done["keywords"] and done["key_points"]
    words = {k["word"].lower() for k in done["keywords"]}
    assert any("budget" in w or "flood" in w or "approval" in w for w in words), words
    listed = (await lin.get("/api/minutes")).json()
    assert [m["id"] for m in listed] == [created["id"]]


async def test_correct_text_keeps_alignment(as_person: Any, people: dict[str, Any]) -> None:
    lin = await as_person(people["lawyer"])
    file_id = await upload(lin, "budget.ogg", CLIP.read_bytes())
    mid = (await lin.post("/api/minutes", json={"file_id": file_id, "language": "en"})).json()["id"]
    await wait_for(lin, mid)
    seg = (await lin.get(f"/api/minutes/{mid}/transcript")).json()["segments"][0]
    r = await lin.patch(f"/api/minutes/{mid}/segments/{seg['id']}", json={"text": "预算会议九点开始。"})
    assert r.status_code == 200, r.text
    fixed = r.json()
    assert fixed["edited"] and fixed["original_text"] == seg["original_text"]
    assert fixed["words"] == seg["words"] and fixed["start"] == seg["start"]
    hits = (await lin.get(f"/api/minutes/{mid}/search", params={"q": "预算"})).json()["hits"]
    assert hits[0]["time"] == seg["start"]
    # No speaker labels exist, so none can be renamed.
    r = await lin.post(f"/api/minutes/{mid}/speakers", json={"label": "Speaker 1", "name": "王律师"})
    assert r.status_code == 422 and r.json()["fields"][0]["field"] == "body.label"


async def test_not_audio_is_refused_and_corrupt_fails_clearly(as_person: Any, people: dict[str, Any]) -> None:
    lin = await as_person(people["lawyer"])
    text_id = await upload(lin, "notes.txt", "会议纪要".encode())
    r = await lin.post("/api/minutes", json={"file_id": text_id}, headers={"Accept-Language": "zh-CN"})
    assert r.status_code == 422
    assert r.json()["fields"][0]["field"] == "body.file_id"
    assert "音频" in r.json()["fields"][0]["message"]

    # Looks like Ogg from its first bytes, but the rest is garbage.
    broken = CLIP.read_bytes()[:200] + bytes(range(256)) * 40
    mid = (await lin.post("/api/minutes", json={"file_id": await upload(lin, "broken.ogg", broken)})).json()[
        "id"
    ]
    failed = await wait_for(lin, mid)
    assert failed["status"] == "failed" and failed["error_code"] in ("corrupt", "not_media", "no_speech")
    assert failed["error"] and "Traceback" not in failed["error"]
    assert (await lin.get(f"/api/minutes/{mid}/transcript")).json()["segments"] == []


async def test_silence_has_no_speech(as_person: Any, people: dict[str, Any]) -> None:
    import io

    import av
    import numpy as np

    buffer = io.BytesIO()
    with av.open(buffer, "w", format="wav") as out:
        stream = out.add_stream("pcm_s16le", rate=16000, layout="mono")
        frame = av.AudioFrame.from_ndarray(
            np.zeros((1, 16000 * 3), dtype=np.int16), format="s16", layout="mono"
        )
        frame.sample_rate = 16000
        for packet in stream.encode(frame):
            out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    lin = await as_person(people["lawyer"])
    mid = (
        await lin.post("/api/minutes", json={"file_id": await upload(lin, "quiet.wav", buffer.getvalue())})
    ).json()["id"]
    failed = await wait_for(lin, mid)
    assert failed["status"] == "failed" and failed["error_code"] == "no_speech"
    en = (await lin.get(f"/api/minutes/{mid}", headers={"Accept-Language": "en-US"})).json()
    assert en["error"] == "No speech was found in the recording"


async def test_cancel_then_retry(as_person: Any, people: dict[str, Any]) -> None:
    lin = await as_person(people["lawyer"])
    file_id = await upload(lin, "budget.ogg", CLIP.read_bytes())
    mid = (await lin.post("/api/minutes", json={"file_id": file_id, "language": "en"})).json()["id"]
    r = await lin.post(f"/api/minutes/{mid}/cancel")
    if r.status_code == 409:  # it finished first on a fast machine; retry still needs a failure/cancel
        assert (await lin.get(f"/api/minutes/{mid}")).json()["status"] == "done"
        return
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    assert (await lin.post(f"/api/minutes/{mid}/cancel")).status_code == 409
    assert (await lin.get(f"/api/minutes/{mid}/transcript")).json()["segments"] == []
    r = await lin.post(f"/api/minutes/{mid}/retry")
    assert r.status_code == 200 and r.json()["status"] == "queued"
    done = await wait_for(lin, mid)
    assert done["status"] == "done"
    assert (await lin.post(f"/api/minutes/{mid}/retry")).status_code == 409
