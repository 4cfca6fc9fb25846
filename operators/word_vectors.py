"""The shipped word-vector table: a pretrained multilingual representation that is pure data.

``config/corpus/word_vectors.npz`` holds one row per word of English, German,
Spanish and French (normalised as :func:`operators.text_features.normalise_word`
does), distilled from multilingual-e5-small by ``python -m
cuewire_dev.build_word_vectors``, with each word's frequency. A text's vector is the
mean of its words' rows, each weighted ``a / (a + frequency)`` (smooth inverse
frequency: "the" and "bitte" say little, "kündigen" a lot), L2-normalised.
Nothing is downloaded: the table is read from the package, with numpy alone.

A word the table lacks backs off to words it has (:meth:`WordVectors.rows_of`): the
parts of a hyphenated word ("pourriez-vous"), the longest known beginning of an inflected
one ("facturas" → "factura", "Lizenzen" → "lizenz"), or the two known halves of a German
compound ("Zeiterfassung" → "zeit", "erfassung").

>>> wv = shipped_word_vectors()
>>> cancel, kuendigen, invoice = (wv.mean([w]) for w in ("cancel", "kündigen", "invoice"))
>>> float(cancel @ kuendigen) > float(cancel @ invoice)
True
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

from contracts.errors import ConfigurationError

TABLE = Path(__file__).resolve().parents[1] / "config" / "corpus" / "word_vectors.npz"
SMOOTHING = 1e-4
"""``a`` of the smooth inverse frequency weight (frequencies are per word of running text)."""
STEM_AT_LEAST = 4
STEM_SHARE = 0.6
"""An inflected word backs off to a known beginning of at least this many letters and this
share of the word."""
COMPOUND_AT_LEAST = 8
PART_AT_LEAST = 3
"""A compound has at least this many letters, each of its two known parts this many."""
LINKS = ("", "s", "es", "n")
"""German linking letters a compound's first part may end in ("Lizenz|s|verwaltung")."""
BACKOFF_CACHE_SIZE = 200_000


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
        self._backoff: dict[str, tuple[int, ...]] = {}

    def __len__(self) -> int:
        return len(self.index)

    def rows_of(self, word: str) -> tuple[int, ...]:
        """The table's rows that stand for ``word``: its own, else those it backs off to
        (none when nothing fits).

        >>> wv = WordVectors(["factura", "zeit", "erfassung", "rendez", "vous"],
        ...                  np.eye(5, dtype=np.float32), np.zeros(5))
        >>> [wv.rows_of(w) for w in ("facturas", "zeiterfassung", "rendez-vous", "fac")]
        [(0,), (1, 2), (3, 4), ()]
        """
        row = self.index.get(word)
        if row is not None:
            return (row,)
        found = self._backoff.get(word)
        if found is None:
            found = self._back_off(word)
            if len(self._backoff) < BACKOFF_CACHE_SIZE:
                self._backoff[word] = found
        return found

    def _back_off(self, word: str) -> tuple[int, ...]:
        index = self.index
        if "-" in word:
            return tuple(r for part in word.split("-") for r in self.rows_of(part))
        shortest = max(STEM_AT_LEAST, math.ceil(STEM_SHARE * len(word)))
        for end in range(len(word) - 1, shortest - 1, -1):
            row = index.get(word[:end])
            if row is not None:
                return (row,)
        if len(word) >= COMPOUND_AT_LEAST:
            for cut in range(PART_AT_LEAST, len(word) - PART_AT_LEAST + 1):
                head = index.get(word[cut:])
                if head is None:
                    continue
                for link in LINKS:
                    stem = word[:cut - len(link)] if link else word[:cut]
                    if len(stem) >= PART_AT_LEAST and (not link or word[:cut].endswith(link)):
                        first = index.get(stem)
                        if first is not None:
                            return (first, head)
        return ()

    def mean(self, words: Sequence[str]) -> np.ndarray:
        """The L2-normalised weighted mean of the ``words``' rows, known or backed off to
        (zeros when none is)."""
        rows = [r for w in words for r in self.rows_of(w)]
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
