"""Minutes benchmark: real-time factor and peak memory of transcription, and accuracy on human speech.

    python -m bench.minutes [--minutes 10]

The long recording is English speech synthesised with Debian's espeak-ng (installed by
`.ci/run`), many different sentences joined into one WAV of the requested length; it is
transcribed and keyworded exactly as the job does (decode with PyAV, faster-whisper base int8
on 2 threads, beam 5, VAD on, then keywords and key points). Accuracy uses the two human
recordings in ../shared/asr-samples (references in its README): Mandarin CER, English WER.
Targets from issue 7: RTF <= 0.15, peak RSS <= 1.5 GB, English WER <= 10%.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np

from tongban.minutes import audio
from tongban.minutes.engine import SAMPLE_RATE, load_engine
from tongban.minutes.insights import analyse, configure
from tongban.minutes.text import to_simplified

_ROOT = Path(__file__).resolve().parents[1]
# ../shared/asr-samples beside the checkout (a worktree sits one level deeper: /work/wt/NAME).
SAMPLES = next(
    (
        p
        for p in (
            Path(os.environ.get("TONGBAN_ASR_SAMPLES", "/nonexistent")),
            _ROOT.parent / "shared" / "asr-samples",
            _ROOT.parent.parent / "shared" / "asr-samples",
        )
        if p.is_dir()
    ),
    _ROOT.parent / "shared" / "asr-samples",
)
ZH_REF = "广州市房地产中介协会分析"
EN_REF = (
    "IT WAS THE FIRST GREAT SORROW OF HIS LIFE IT WAS NOT SO MUCH THE LOSS OF THE COTTON ITSELF "
    "BUT THE FANTASY THE HOPES THE DREAMS BUILT AROUND IT"
)
TOPICS = [
    "budget",
    "flood defence",
    "road repair",
    "school meals",
    "tax relief",
    "hospital beds",
    "water supply",
]
VERBS = ["review", "approve", "postpone", "discuss", "fund", "inspect"]


def edit_distance(ref: list[str], hyp: list[str]) -> int:
    d = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        prev, d[0] = d[0], i
        for j, h in enumerate(hyp, 1):
            prev, d[j] = d[j], min(d[j] + 1, d[j - 1] + 1, prev + (r != h))
    return d[len(hyp)]


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower())


def hanzi(text: str) -> list[str]:
    return [c for c in text if "\u4e00" <= c <= "\u9fff"]


def synthesise(seconds: float, folder: Path) -> Path:
    if shutil.which("espeak-ng") is None:
        raise SystemExit("espeak-ng is needed for the long recording (apt-get install espeak-ng)")
    lines = []
    for i in range(400):
        topic, verb = TOPICS[i % len(TOPICS)], VERBS[(i // 3) % len(VERBS)]
        lines.append(
            f"Item {i + 1}. The committee will {verb} the {topic} plan before the end of week {i % 50 + 1}."
        )
    text_file = folder / "speech.txt"
    text_file.write_text(" ".join(lines))
    wav = folder / "speech.wav"
    subprocess.run(
        ["espeak-ng", "-v", "en-us", "-s", "150", "-f", str(text_file), "-w", str(wav)], check=True
    )
    samples = audio.decode(wav)
    need = int(seconds * SAMPLE_RATE)
    while len(samples) < need:
        samples = np.concatenate([samples, samples])
    out = folder / "long.wav"
    import av

    with av.open(str(out), "w", format="wav") as container:
        stream = container.add_stream("pcm_s16le", rate=SAMPLE_RATE, layout="mono")
        pcm = (samples[:need] * 32767).astype(np.int16).reshape(1, -1)
        for start in range(0, pcm.shape[1], SAMPLE_RATE * 10):
            frame = av.AudioFrame.from_ndarray(
                pcm[:, start : start + SAMPLE_RATE * 10], format="s16", layout="mono"
            )
            frame.sample_rate = SAMPLE_RATE
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return out


def run(path: Path, language: str, data_dir: Path) -> tuple[str, float, float]:
    began = time.monotonic()
    samples = audio.decode(path)
    engine = load_engine(data_dir)
    segments = list(engine.transcribe(samples, language))
    text = " ".join(to_simplified(s.text.strip()) for s in segments)

    class Row:
        def __init__(self, i: int, start: float, text: str) -> None:
            self.position, self.start, self.text = i, start, text

    analyse([Row(i, s.start, s.text) for i, s in enumerate(segments)], language)
    return text, time.monotonic() - began, len(samples) / SAMPLE_RATE


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=float, default=10.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        configure(folder)
        t0 = time.monotonic()
        load_engine(folder)
        print(f"model join + load: {time.monotonic() - t0:.1f} s")
        long = synthesise(args.minutes * 60, folder)
        _text, took, seconds = run(long, "en", folder)
        rtf = took / seconds
        print(
            f"long recording: {seconds / 60:.1f} min of audio in {took:.1f} s -> RTF {rtf:.3f} (target <= 0.15)"
        )
        print(f"  1 hour would take about {rtf * 60:.1f} min (target <= 9)")
        zh, _, _ = run(SAMPLES / "aishell-BAC009S0724W0121.wav", "zh", folder)
        cer = edit_distance(hanzi(ZH_REF), hanzi(zh)) / len(hanzi(ZH_REF))
        print(f"Mandarin CER {cer:.1%}: {zh!r}")
        en, _, _ = run(SAMPLES / "librispeech-1995-1837-0001.wav", "en", folder)
        wer = edit_distance(words(EN_REF), words(en)) / len(words(EN_REF))
        print(f"English WER {wer:.1%} (target <= 10%): {en!r}")
    load = os.getloadavg()
    print(
        f"load average during the run: {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} on {os.cpu_count()} cores"
    )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {peak:.0f} MB (target <= 1536 MB)")


if __name__ == "__main__":
    main()
