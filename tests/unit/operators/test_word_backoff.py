"""Words the word-vector table lacks back off to words it has; French elisions lose their article."""

from __future__ import annotations

import numpy as np

from operators.tokens import tokens_of
from operators.word_vectors import WordVectors, shipped_word_vectors


def table(*words: str) -> WordVectors:
    return WordVectors(list(words), np.eye(len(words), dtype=np.float32), np.zeros(len(words)))


def test_an_elided_french_article_is_dropped_but_english_contractions_stay() -> None:
    assert tokens_of("l'équipe qu’on n'a") == ["équipe", "on", "a"]
    assert tokens_of("don't can't it's I'm") == ["dont", "cant", "its", "im"]


def test_an_unknown_word_backs_off_to_its_known_beginning_only_when_long_enough() -> None:
    wv = table("factura", "fac")
    assert wv.rows_of("facturas") == (0,)
    assert wv.rows_of("factorizations") == ()


def test_a_german_compound_backs_off_to_both_parts_with_a_linking_s() -> None:
    wv = table("lizenz", "verwaltung", "zeit", "erfassung")
    assert wv.rows_of("lizenzsverwaltung") == (0, 1)
    assert wv.rows_of("zeiterfassung") == (2, 3)
    assert wv.rows_of("zeitung") == ()


def test_a_known_word_keeps_its_own_row_and_backed_off_words_move_the_mean() -> None:
    wv = table("rendez", "vous", "cancel")
    assert wv.rows_of("vous") == (1,)
    assert float(wv.mean(["rendez-vous"]) @ wv.mean(["rendez"])) > 0.5
    assert not wv.mean(["xyzzy"]).any()


def test_the_shipped_table_reads_french_plurals_through_their_singular() -> None:
    wv = shipped_word_vectors()
    assert "factures" not in wv.index
    assert wv.rows_of("factures") == wv.rows_of("facture")
