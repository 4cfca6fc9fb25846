"""The subject line's words are read once more, marked apart from the body's."""

from __future__ import annotations

from config.taxonomy import load_taxonomy
from operators.ticket_repr import Representer, bucket


def test_the_subject_lines_words_get_rows_of_their_own() -> None:
    rep = Representer(load_taxonomy()).represent("Invoice wrong\nThe total on our bill is off.")
    rows = set(rep.rows.tolist())
    assert {bucket("s:invoice"), bucket("s:wrong")} <= rows
    assert bucket("s:total") not in rows


def test_a_text_of_one_line_has_no_subject_rows() -> None:
    rep = Representer(load_taxonomy()).represent("Invoice wrong, the total is off.")
    assert bucket("s:invoice") not in set(rep.rows.tolist())
