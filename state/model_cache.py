"""The trained start-up model, cached on disk by a hash of everything it was trained from.

The cache key hashes :class:`operators.startup_model.TrainingInputs`: the
training files' and the word-vector table's contents, the taxonomy and the
trainer's settings. Files are numpy archives read with ``allow_pickle=False``
(data, never code), written atomically; an unreadable or unwritable cache is
skipped (the model is trained instead). ``CUEWIRE_CACHE`` moves it (default
``~/.cache/cuewire``, see :mod:`state.cache_root`).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

import numpy as np
import orjson

from config.taxonomy import Taxonomy
from operators.learned_score import LearnedScorer
from operators.startup_model import CACHE_VERSION, TrainingInputs
from state.cache_root import cache_root


def cache_dir() -> Path:
    return cache_root() / "ticket-model"


def cache_key(inputs: TrainingInputs) -> str:
    digest = hashlib.sha256()
    digest.update(orjson.dumps({"version": CACHE_VERSION, "settings": inputs.settings},
                               option=orjson.OPT_SORT_KEYS))
    digest.update(inputs.taxonomy_json.encode("utf-8"))
    for path in inputs.files:
        digest.update(path.name.encode("utf-8"))
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:32]


class DiskModelCache:
    """Start-up models' arrays as ``<cache dir>/<key>.npz``: a
    :class:`operators.startup_model.TrainedModels`."""

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = directory or cache_dir()

    def load(self, inputs: TrainingInputs) -> dict[str, np.ndarray] | None:
        path = self.directory / f"{cache_key(inputs)}.npz"
        try:
            with np.load(path, allow_pickle=False) as data:
                return {name: data[name] for name in data.files}
        except (OSError, ValueError, KeyError):
            return None

    def save(self, inputs: TrainingInputs, arrays: dict[str, np.ndarray]) -> None:
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.directory, suffix=".npz.tmp")
            with os.fdopen(fd, "wb") as handle:
                np.savez(handle, **arrays)  # type: ignore[arg-type]
            os.replace(tmp, self.directory / f"{cache_key(inputs)}.npz")
        except OSError:
            return  # a read-only home: train at every start instead


def startup_scorer(taxonomy: Taxonomy) -> LearnedScorer:
    """The start-up model of ``taxonomy``, from the disk cache when it was trained from the
    same inputs (what a flow, a restart or a command starts with)."""
    return LearnedScorer.seeded(taxonomy, cache=DiskModelCache())
