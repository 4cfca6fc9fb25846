"""One shared representation of a ticket's text, read by every head of the ticket model.

Two parts:

* **sparse, hashed** into :data:`BUCKETS` rows: the words and word pairs of
  :class:`~operators.text_features.Featurizer` (negation-marked), the
  character 3–5-grams of every word (so "intergration", "Integrationen" and
  "integración" share most of their features with "integration"), the lexicon
  sentiment and shape features, the taxonomy's hint phrases as matched, and the
  subject line's words once more, marked apart (:data:`SUBJECT_WEIGHT`);
* **dense**: the weighted mean of the words' rows in the shipped word-vector
  table (:mod:`operators.word_vectors`), a pretrained multilingual
  representation that places "cancel", "kündigen", "résilier" and "wind down"
  near one another although no training ticket says so.

Every sparse entry remembers which *term* (a word or a word pair of the text)
it came from, so a head's decision can be explained in the customer's words.

>>> from config.taxonomy import load_taxonomy
>>> rep = Representer(load_taxonomy())
>>> t = rep.represent("Intergration broken again!")
>>> t.terms[:3], t.dense.shape
(['intergration', 'broken', 'intergration broken'], (128,))
"""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass

import numpy as np

from config.taxonomy import Taxonomy
from operators.text_features import Featurizer, TaxonomyHit
from operators.word_vectors import WordVectors, shipped_word_vectors

BUCKETS = 1 << 18
"""Rows of the hashed sparse part (a power of two). The shipped corpus has about 160,000
distinct words, word pairs, n-grams and subject words; at 1 << 16 they shared 60,000 rows
and 9 % had a row of their own (each weight was mostly other features' noise); at 1 << 18
they take 120,000 rows and 54 % have one. Across held-out blocks of the corpus (``python -m
cuewire_dev.evaluate_cv``) topic accuracy 0.841 → 0.847, signal macro-F1 0.746 → 0.750,
same-problem agreement 0.917 → 0.950; on the dev split topic 0.912 → 0.932; on
``train2.jsonl``'s writers held out topic 0.850 → 0.852, signal 0.764 → 0.775. The weights
take four times the memory (about 27 MB); training and scoring read only a ticket's rows."""
NGRAM_SIZES = (3, 4, 5)
NGRAM_WEIGHT = 2.0
EMBEDDING_WEIGHT = 1.0
CACHE_SIZE = 200_000
NO_TERM = -1
SUBJECT_WEIGHT = 1.0
"""Weight of the subject line's words, marked apart (``s:<word>``), shared as the body's are:
the subject names what a ticket is about ("HubSpot-Sync seit DREI Tagen tot") where the body
tells the story. Topic accuracy across held-out blocks of the corpus (``python -m
cuewire_dev.evaluate_cv``) 0.782 → 0.794, on the dev split 0.865 → 0.892, on ``train2.jsonl``'s
writers held out 0.826 → 0.832; at 0.5 and 2.0 it gained less across the blocks."""


@dataclass(frozen=True, slots=True)
class TicketRepresentation:
    """What the heads read about one text."""

    rows: np.ndarray  # int64, hashed sparse rows (may repeat)
    values: np.ndarray  # float32, one per row entry
    term_of: np.ndarray  # int64, index into ``terms`` per entry, NO_TERM for text-wide features
    dense: np.ndarray  # float32 (dimensions,), L2-normalised mean word vector (zeros if none)
    terms: list[str]
    hits: list[TaxonomyHit]
    charged: list[tuple[str, float]]
    words: list[str]


def bucket(key: str) -> int:
    return zlib.crc32(key.encode("utf-8")) & (BUCKETS - 1)


class Representer:
    """Text → :class:`TicketRepresentation`; built once per taxonomy, caches per word."""

    def __init__(self, taxonomy: Taxonomy, vectors: WordVectors | None = None) -> None:
        self.featurizer = Featurizer(taxonomy)
        self.vectors = vectors if vectors is not None else shipped_word_vectors()
        self._key_rows: dict[str, int] = {}
        self._ngram_rows: dict[str, np.ndarray] = {}

    @property
    def dimensions(self) -> int:
        return self.vectors.dimensions

    def _row(self, key: str) -> int:
        row = self._key_rows.get(key)
        if row is None:
            row = bucket(key)
            if len(self._key_rows) < CACHE_SIZE:
                self._key_rows[key] = row
        return row

    def _ngrams(self, word: str) -> np.ndarray:
        rows = self._ngram_rows.get(word)
        if rows is None:
            padded = f"<{word}>"
            # Ordered, not a set: the rows' order sets the order floats are summed in, and a
            # set's order changes with PYTHONHASHSEED, so the trained model would too.
            grams = dict.fromkeys(padded[i:i + n] for n in NGRAM_SIZES for i in range(len(padded) - n + 1))
            rows = np.fromiter((bucket("c:" + g) for g in grams), np.int64, len(grams))
            if len(self._ngram_rows) < CACHE_SIZE:
                self._ngram_rows[word] = rows
        return rows

    def represent(self, text: str) -> TicketRepresentation:
        features = self.featurizer.extract(text)
        terms: list[str] = []
        rows: list[int] = []
        values: list[float] = []
        term_of: list[int] = []
        words: list[str] = []
        ngram_parts: list[np.ndarray] = []
        ngram_terms: list[int] = []
        for i, (key, value) in enumerate(features.values.items()):
            if i < features.n_terms:
                terms.append(key)
                rows.append(self._row(key))
                values.append(value)
                term_of.append(i)
                if " " not in key:
                    word = key[4:] if key.startswith("not_") else key
                    words.append(word)
                    grams = self._ngrams(word)
                    ngram_parts.append(grams)
                    ngram_terms.append(i)
            elif value:
                rows.append(self._row(key))
                values.append(value)
                term_of.append(NO_TERM)
        row_array = np.asarray(rows, dtype=np.int64)
        value_array = np.asarray(values, dtype=np.float32)
        term_array = np.asarray(term_of, dtype=np.int64)
        if ngram_parts:
            total = sum(len(p) for p in ngram_parts)
            unit = NGRAM_WEIGHT / math.sqrt(total) if total else 0.0
            row_array = np.concatenate([row_array, *ngram_parts])
            value_array = np.concatenate([value_array, np.full(total, unit, dtype=np.float32)])
            term_array = np.concatenate([term_array, np.repeat(
                np.asarray(ngram_terms, dtype=np.int64), [len(p) for p in ngram_parts])])
        if SUBJECT_WEIGHT and "\n" in text:
            # Ordered, as the n-grams are: the rows' order sets the order floats are summed in.
            subject = dict.fromkeys(self.featurizer.words_of(text.split("\n", 1)[0]))
            if subject:
                unit = SUBJECT_WEIGHT / math.sqrt(len(subject))
                row_array = np.concatenate([row_array, np.fromiter(
                    (self._row("s:" + w) for w in subject), np.int64, len(subject))])
                value_array = np.concatenate([value_array, np.full(len(subject), unit, np.float32)])
                term_array = np.concatenate([term_array, np.full(len(subject), NO_TERM, np.int64)])
        dense = self.vectors.mean(words) * EMBEDDING_WEIGHT
        return TicketRepresentation(row_array, value_array, term_array, dense, terms,
                                    features.hits, features.charged, words)
