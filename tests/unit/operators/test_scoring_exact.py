"""The ticket model's per-ticket shortcuts give the very floats of the plain computations.

Scores are published as alerts, and replay and live must publish the same ones: a cheaper
way to compute a representation, a similarity or a head's probabilities must not move a
single bit. Each test holds one shortcut against the plain computation it replaces.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from config.taxonomy import load_taxonomy
from operators import ticket_repr
from operators.heads import SOFTMAX, Heads
from operators.learned_neighbours import NeighbourIndex
from operators.text_features import EMOTICON_STARTS, tokens_of
from operators.ticket_repr import (
    NGRAM_SIZES,
    NGRAM_WEIGHT,
    NO_TERM,
    SUBJECT_WEIGHT,
    Representer,
    TicketRepresentation,
    bucket,
)

TEXTS = [
    "Intergration broken again!",
    "HubSpot-Sync seit DREI Tagen tot\nNothing has synced since Monday, not happy :(",
    "We can't log in. The SSO page doesn't load; again ;) nothing works",
    "Refund please\nYou charged our card twice this month, please refund the double charge!!!",
    "L'export de l’équipe n'est pas là, d'accord? Pourriez-vous vérifier les factures",
    "",
    "!!!",
    "ok\n",
    "\nbody only, the subject line is empty",
    "Zeiterfassung und Lizenzverwaltung: die Rechnung stimmt nicht, bitte prüfen",
]


@pytest.fixture(scope="module")
def representer() -> Representer:
    return Representer(load_taxonomy())


def plain_represent(rep: Representer, text: str) -> TicketRepresentation:
    """The representation built entry by entry, with no cache."""
    features = rep.featurizer.extract(text)
    rows: list[int] = []
    values: list[float] = []
    term_of: list[int] = []
    words: list[str] = []
    grams: list[tuple[int, list[int]]] = []
    for i, (key, value) in enumerate(features.values.items()):
        if i < features.n_terms:
            rows.append(bucket(key))
            values.append(value)
            term_of.append(i)
            if " " not in key:
                word = key[4:] if key.startswith("not_") else key
                words.append(word)
                padded = f"<{word}>"
                seen = dict.fromkeys(padded[j:j + n] for n in NGRAM_SIZES
                                     for j in range(len(padded) - n + 1))
                grams.append((i, [bucket("c:" + g) for g in seen]))
        elif value:
            rows.append(bucket(key))
            values.append(value)
            term_of.append(NO_TERM)
    row_array = np.asarray(rows, dtype=np.int64)
    value_array = np.asarray(values, dtype=np.float32)
    term_array = np.asarray(term_of, dtype=np.int64)
    total = sum(len(g) for _, g in grams)
    if total:
        row_array = np.concatenate([row_array, np.asarray([r for _, g in grams for r in g])])
        value_array = np.concatenate([value_array, np.full(total, NGRAM_WEIGHT / math.sqrt(total),
                                                           dtype=np.float32)])
        term_array = np.concatenate([term_array, np.asarray([i for i, g in grams for _ in g])])
    if "\n" in text:
        subject = dict.fromkeys(w for w in tokens_of(text.split("\n", 1)[0])
                                if w and w[0] not in EMOTICON_STARTS)
        if subject:
            row_array = np.concatenate([row_array, [bucket("s:" + w) for w in subject]])
            value_array = np.concatenate([value_array, np.full(
                len(subject), SUBJECT_WEIGHT / math.sqrt(len(subject)), np.float32)])
            term_array = np.concatenate([term_array, np.full(len(subject), NO_TERM)])
    return TicketRepresentation(row_array.astype(np.int64), value_array, term_array.astype(np.int64),
                                rep.vectors.mean(words), list(features.values)[:features.n_terms],
                                features.hits, features.charged, words)


def same_arrays(a: TicketRepresentation, b: TicketRepresentation) -> bool:
    return all(x.dtype == y.dtype and x.tobytes() == y.tobytes()
               for x, y in ((a.rows, b.rows), (a.values, b.values), (a.term_of, b.term_of),
                            (a.dense, b.dense))) and (a.terms, a.words) == (b.terms, b.words)


@pytest.mark.parametrize("text", TEXTS)
def test_a_representation_is_its_entries_in_order(representer: Representer, text: str) -> None:
    assert same_arrays(representer.represent(text), plain_represent(representer, text))


def test_the_word_cache_stops_at_its_size_and_changes_nothing(
        representer: Representer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ticket_repr, "CACHE_SIZE", 5)
    small = Representer(load_taxonomy(), representer.vectors)
    for text in TEXTS:
        assert same_arrays(small.represent(text), representer.represent(text))
    assert len(small._terms) == 5
    assert len(small._key_rows) <= 5


def test_a_subject_reads_the_words_tokens_of_reads(representer: Representer) -> None:
    for line in ("Can’t log in; again ;) :( =D", "L'équipe d'été: ÇA MARCHE PAS", "x:(y ... !!!",
                 "a-b-c _under_ 'quoted'", ""):
        assert representer.featurizer.words_of(line) == [
            w for w in tokens_of(line) if w and w[0] not in EMOTICON_STARTS]


@pytest.fixture(scope="module")
def index(representer: Representer) -> NeighbourIndex:
    texts = [*TEXTS, "The Salesforce sync stopped", "Please refund the double charge"]
    return NeighbourIndex.build([representer.represent(t) for t in texts],
                                [i % 3 for i in range(len(texts))], 3)


def plain_similarities(index: NeighbourIndex, rep: TicketRepresentation) -> np.ndarray:
    """Each example's sparse products summed in float64 row by row, then the dense cosine."""
    sims = np.zeros(len(index), dtype=np.float32)
    if len(rep.rows):
        unique, inverse = np.unique(rep.rows, return_inverse=True)
        summed = np.bincount(inverse, weights=rep.values).astype(np.float32)
        norm = float(np.sqrt(summed @ summed))
        if norm:
            weights = summed / norm
            t = index.sparse_t
            sims = np.zeros(len(index))
            for row, weight in zip(unique, weights, strict=True):
                a, b = t.indptr[row], t.indptr[row + 1]
                for example, value in zip(t.indices[a:b], t.data[a:b], strict=True):
                    sims[example] += float(np.float32(value) * np.float32(weight))
    dense_norm = float(np.sqrt(rep.dense @ rep.dense))
    if dense_norm:
        sims = sims + (index.dense @ rep.dense) / dense_norm
    return np.asarray(sims, dtype=np.float32) * 0.5


@pytest.mark.parametrize("text", [*TEXTS, "our salesforce connector stopped syncing"])
def test_similarities_are_the_plain_sums(representer: Representer, index: NeighbourIndex,
                                         text: str) -> None:
    rep = representer.represent(text)
    got = index.similarities(rep)
    assert got.dtype == np.float32
    assert got.tobytes() == plain_similarities(index, rep).tobytes()


def test_probabilities_are_the_plain_softmax_and_sigmoids() -> None:
    heads = Heads({"topic": ["a", "b", "c"], "signal": ["x", "none"],
                   "intents": ["i", "j", "k", "l"], "frustration": ["f50", "f65", "f80"]}, 4)
    rng = np.random.default_rng(3)
    for scale in (0.1, 3.0, 40.0):
        logits = (rng.standard_normal(heads.width) * scale).astype(np.float32)
        got = heads.probabilities(logits)
        for head, (a, b) in heads.spans.items():
            z = logits[a:b]
            if head in SOFTMAX:
                e = np.exp(z - z.max())
                plain = e / e.sum()
            else:
                plain = 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))
            assert got[head].dtype == plain.dtype and got[head].tobytes() == plain.tobytes()
