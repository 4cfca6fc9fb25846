"""The shipped word-vector table: a pretrained multilingual representation that is pure data.

``config/corpus/word_vectors.npz`` holds one row per word of English, German,
Spanish and French (normalised as :func:`operators.text_features.normalise_word`
does), distilled from multilingual-e5-small by ``python -m
cuewire_dev.build_word_vectors``, with each word's frequency. A text's vector is the
mean of its words' rows, each weighted ``a / (a + frequency)`` (smooth inverse
frequency: "the" and "bitte" say little, "kündigen" a lot), L2-normalised.
Nothing is downloaded: the table is read from the package, with numpy alone.

>>> wv = shipped_word_vectors()
>>> cancel, kuendigen, invoice = (wv.mean([w]) for w in ("cancel", "kündigen", "invoice"))
>>> float(cancel @ kuendigen) > float(cancel @ invoice)
True
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

from contracts.errors import ConfigurationError

TABLE = Path(__file__).resolve().parents[1] / "config" / "corpus" / "word_vectors.npz"
SMOOTHING = 1e-4
"""``a`` of the smooth inverse frequency weight (frequencies are per word of running text)."""


class WordVectors:
    """Word → row lookups and weighted means over a fixed table."""

    def __init__(self, words: Sequence[str], vectors: np.ndarray, frequencies: np.ndarray) -> None:
        if vectors.ndim != 2 or len(words) != vectors.shape[0] != len(frequencies):
            raise ConfigurationError("word vectors: words, vectors and frequencies differ in length")
        self.index = {w: i for i, w in enumerate(words)}
        self.weighted = (vectors.astype(np.float32)
                         * (SMOOTHING / (SMOOTHING + frequencies.astype(np.float32)))[:, None])
        self.dimensions = int(vectors.shape[1])
        self._zero = np.zeros(self.dimensions, dtype=np.float32)

    def __len__(self) -> int:
        return len(self.index)

    def mean(self, words: Sequence[str]) -> np.ndarray:
        """The L2-normalised weighted mean of the known ``words``' rows (zeros when none is known)."""
        index = self.index
        rows = [r for r in (index.get(w) for w in words) if r is not None]
        if not rows:
            return self._zero
        total = self.weighted[rows].sum(axis=0)
        norm = float(np.sqrt(total @ total))
        return total / norm if norm > 0 else self._zero

    @classmethod
    def load(cls, path: Path) -> WordVectors:
        try:
            with np.load(path, allow_pickle=False) as data:
                return cls([str(w) for w in data["words"]], data["vectors"], data["frequencies"])
        except (OSError, KeyError, ValueError) as exc:
            raise ConfigurationError(f"word vectors {path}: cannot read ({exc}); rebuild them "
                                     "with python -m cuewire_dev.build_word_vectors") from None


@lru_cache(maxsize=1)
def shipped_word_vectors() -> WordVectors:
    return WordVectors.load(TABLE)
