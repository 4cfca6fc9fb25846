"""The trained start-up model, cached on disk by a hash of everything it was trained from.

Training takes seconds; a flow of several processes, a restart or a test run
starting many flows would pay them each time. The cache key hashes the
training files, the taxonomy, the word-vector table and the trainer's settings,
so a changed corpus or taxonomy is never served a stale model: it simply misses
and trains. Files are numpy archives read with ``allow_pickle=False`` (data,
never code), written atomically; an unreadable or unwritable cache is skipped.
``CUEWIRE_CACHE_DIR`` moves it (default ``~/.cache/cuewire``).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import orjson

CACHE_VERSION = 1
"""Bump when training changes in a way the hashed settings do not show."""


def cache_dir() -> Path:
    base = os.environ.get("CUEWIRE_CACHE_DIR")
    return (Path(base) if base else Path.home() / ".cache" / "cuewire") / "ticket-model"


def cache_key(taxonomy_json: str, files: Sequence[Path], settings: dict[str, Any]) -> str:
    digest = hashlib.sha256()
    digest.update(orjson.dumps({"version": CACHE_VERSION, "settings": settings},
                               option=orjson.OPT_SORT_KEYS))
    digest.update(taxonomy_json.encode("utf-8"))
    for path in files:
        digest.update(path.name.encode("utf-8"))
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:32]


def load(key: str) -> dict[str, np.ndarray] | None:
    path = cache_dir() / f"{key}.npz"
    try:
        with np.load(path, allow_pickle=False) as data:
            return {name: data[name] for name in data.files}
    except (OSError, ValueError, KeyError):
        return None


def save(key: str, arrays: dict[str, np.ndarray]) -> None:
    directory = cache_dir()
    try:
        directory.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=directory, suffix=".npz.tmp")
        with os.fdopen(fd, "wb") as handle:
            np.savez(handle, **arrays)  # type: ignore[arg-type]
        os.replace(tmp, directory / f"{key}.npz")
    except OSError:
        return  # a read-only home: train at every start instead
