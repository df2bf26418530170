"""Decoding recordings with PyAV (its wheels bundle FFmpeg, so no system ffmpeg is needed).

Everything is resampled to 16 kHz mono float32, what Whisper takes. A file PyAV cannot open, or
one without an audio stream, raises `NotMedia`; a stream that breaks halfway raises `Corrupt`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import av
import numpy as np

from tongban.minutes.engine import SAMPLE_RATE


class NotMedia(Exception):
    pass


class Corrupt(Exception):
    pass


def decode(path: Path) -> np.ndarray[Any, Any]:
    """The recording's first audio stream as 16 kHz mono float32 samples in [-1, 1]."""
    try:
        container = av.open(str(path))
    except av.FFmpegError as exc:
        raise NotMedia(str(exc)) from exc
    with container:
        if not container.streams.audio:
            raise NotMedia("no audio stream")
        stream = container.streams.audio[0]
        resampler = av.AudioResampler(format="s16", layout="mono", rate=SAMPLE_RATE)
        chunks: list[np.ndarray[Any, Any]] = []
        try:
            for frame in container.decode(stream):
                for out in resampler.resample(frame):
                    chunks.append(out.to_ndarray().reshape(-1))
            for out in resampler.resample(None):
                chunks.append(out.to_ndarray().reshape(-1))
        except av.FFmpegError as exc:
            raise Corrupt(str(exc)) from exc
    if not chunks:
        raise Corrupt("no audio frames")
    # int16 while collecting (half the memory of float32 for a long recording), float32 once.
    samples = np.concatenate(chunks)
    result: np.ndarray[Any, Any] = samples.astype(np.float32) / 32768.0
    return result
