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
        self._terms: dict[str, tuple[int, str | None, tuple[int, ...]]] = {}
        """Per word or word pair of a text: its row, and a word's own n-grams' rows, so a
        word met again costs one look-up (bounded by :data:`CACHE_SIZE`)."""

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

    def _term(self, key: str) -> tuple[int, str | None, tuple[int, ...]]:
        """A term's row; for a single word (``not_`` dropped), the word and its n-grams' rows."""
        found = self._terms.get(key)
        if found is None:
            if " " in key:
                found = (bucket(key), None, ())
            else:
                word = key[4:] if key.startswith("not_") else key
                padded = f"<{word}>"
                # Ordered, not a set: the rows' order sets the order floats are summed in, and a
                # set's order changes with PYTHONHASHSEED, so the trained model would too.
                grams = dict.fromkeys(padded[i:i + n] for n in NGRAM_SIZES
                                      for i in range(len(padded) - n + 1))
                found = (bucket(key), word, tuple(bucket("c:" + g) for g in grams))
            if len(self._terms) < CACHE_SIZE:
                self._terms[key] = found
        return found

    def represent(self, text: str) -> TicketRepresentation:
        features = self.featurizer.extract(text)
        n_terms = features.n_terms
        items = list(features.values.items())
        terms = [key for key, _ in items[:n_terms]]
        # Rows in a fixed order (the order floats are summed in): the terms, the text-wide
        # features that are set, every word's n-grams, the subject's words.
        rows: list[int] = []
        values: list[float] = [value for _, value in items[:n_terms]]
        words: list[str] = []
        gram_rows: list[int] = []
        gram_terms: list[int] = []
        term = self._term
        for i, key in enumerate(terms):
            row, word, grams = term(key)
            rows.append(row)
            if word is not None:
                words.append(word)
                gram_rows.extend(grams)
                gram_terms.extend([i] * len(grams))
        for key, value in items[n_terms:]:
            if value:
                rows.append(self._row(key))
                values.append(value)
        head = len(rows)
        subject: dict[str, None] = {}
        if SUBJECT_WEIGHT and "\n" in text:
            # Ordered, as the n-grams are: the rows' order sets the order floats are summed in.
            subject = dict.fromkeys(self.featurizer.words_of(text.split("\n", 1)[0]))
        rows.extend(gram_rows)
        rows.extend(self._row("s:" + w) for w in subject)
        n_grams, n_subject = len(gram_rows), len(subject)
        value_array = np.empty(len(rows), dtype=np.float32)
        value_array[:head] = values
        if n_grams:
            value_array[head:head + n_grams] = NGRAM_WEIGHT / math.sqrt(n_grams)
        if n_subject:
            value_array[head + n_grams:] = SUBJECT_WEIGHT / math.sqrt(n_subject)
        term_array = np.full(len(rows), NO_TERM, dtype=np.int64)
        term_array[:n_terms] = np.arange(n_terms)
        term_array[head:head + n_grams] = gram_terms
        dense = self.vectors.mean(words) * EMBEDDING_WEIGHT
        return TicketRepresentation(np.array(rows, dtype=np.int64), value_array, term_array, dense,
                                    terms, features.hits, features.charged, words)
