"""Alert and digest text is plain text: no markup, no control or bidi-override characters."""

from __future__ import annotations

from datetime import UTC, datetime

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from config.taxonomy import load_taxonomy
from operators.gate import gate_ticket
from operators.learned_score import LearnedScorer
from operators.normalise_ticket import normalise_ticket
from operators.render import render_ticket_alert, render_ticket_digest
from operators.sanitise import TAG_SHAPE, plain_text, plain_tree

AT = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
SCORER = LearnedScorer.seeded(load_taxonomy())
UNSAFE_CHARS = {chr(c) for c in range(0x20) if chr(c) != "\n"} | {"\x7f", "\x85", "\x9b"} | set(
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")


@pytest.mark.parametrize(("dirty", "clean"), [
    ("<script>alert(1)</script>Data gone", "Data gone"),
    ('<img src=x onerror="alert(1)">numbers wrong', "numbers wrong"),
    ("<scr<script>ipt>alert(1)</script>", "scr"),
    ("<<b>i>x", "x"),
    ("<img src=x onerror=alert(1)", "img src=x onerror=alert(1)"),
    ("<\x00script>", ""),
    ("<script>never closed", ""),
    ("a <b>bold</b> claim", "a bold claim"),
    ("<!-- hidden -->shown", "shown"),
    ("5 < 6 and 7 > 3", "5 < 6 and 7 > 3"),
    ("ring\x07 the bell\x00", "ring the bell"),
    ("\x1b[31mred\x1b[0m text", "red text"),
    ("\x9b31mred", "red"),
    ("invoice \u202egnp.exe", "invoice gnp.exe"),
    ("tab\there", "tab here"),
    ("line one\r\nline two", "line one\nline two"),
    ("family 👨\u200d👩\u200d👧 ok", "family 👨\u200d👩\u200d👧 ok"),
    ("über café — “quoted”", "über café — “quoted”"),
    ("", ""),
])
def test_plain_text(dirty: str, clean: str) -> None:
    assert plain_text(dirty) == clean


def test_already_plain_text_is_returned_as_is() -> None:
    text = "Hi Dana — our sync stopped"
    assert plain_text(text) is text


@given(st.text())
def test_no_tag_or_unsafe_character_survives(text: str) -> None:
    out = plain_text(text)
    assert not TAG_SHAPE.search(out)
    assert not (set(out) & UNSAFE_CHARS)
    assert plain_text(out) == out


@given(st.lists(st.sampled_from(["<", ">", "script", "/", "img", " ", "a", "<!--", "-->", "\x1b["]),
                max_size=30))
def test_no_tag_survives_fragments_of_tags(parts: list[str]) -> None:
    assert not TAG_SHAPE.search(plain_text("".join(parts)))


def test_plain_tree_cleans_every_string_value_and_leaves_the_rest() -> None:
    tree = {"a": "<b>x</b>", "n": 3, "l": ["\x07y", {"k": "\u202ez"}], "none": None}
    assert plain_tree(tree) == {"a": "x", "n": 3, "l": ["y", {"k": "z"}], "none": None}


class _Text(str):
    pass


def _string_by_string(value: object) -> object:
    """What plain_tree promises, a string at a time."""
    if isinstance(value, str):
        return plain_text(value)
    if isinstance(value, dict):
        return {k: _string_by_string(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_string_by_string(v) for v in value]
    return value


_TEXTS = st.lists(st.sampled_from(["a", " ", "<", "b>", "\n", "\t", "\r", "\x1b[1m", "\x85", "\u202e",
                                    "\u2028", "é"]), max_size=8).map("".join)
_TREES = st.recursive(
    st.one_of(_TEXTS, _TEXTS.map(_Text), st.integers(), st.floats(allow_nan=False), st.none(),
              st.booleans()),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.lists(inner, max_size=4).map(tuple),
                            st.dictionaries(st.sampled_from(["a", "b", "<c>"]), inner, max_size=4)),
    max_leaves=20)


@given(_TREES)
def test_plain_tree_cleans_as_string_by_string_would_in_lists_tuples_and_dicts(tree: object) -> None:
    out = plain_tree(tree)
    assert out == _string_by_string(tree)
    assert repr(out) == repr(_string_by_string(tree))  # tuples come out as lists, as before


def intercom(body_html: str, name: str = "Dana Lee") -> dict:
    return {"type": "notification_event", "topic": "conversation.user.created", "id": "notif_1",
            "app_id": "app1", "created_at": 1795169700,
            "data": {"item": {"type": "conversation", "id": "c1", "created_at": 1795169700,
                              "source": {"type": "conversation", "body": body_html,
                                         "author": {"type": "user", "email": "dana@acme.io",
                                                    "name": name}}}}}


HOSTILE_HTML = ("<p>Our numbers are wrong, data disappeared &lt;script&gt;alert(1)&lt;/script&gt;"
                '<img src=x onerror="alert(2)"></p><p>\x1b[31mfix\x07 it \u202eplease</p>')
HOSTILE_ACCOUNT = {"mrr": 5000, "renewal_date": "2027-01-01", "name": "<b>Acme</b>\u202e",
                   "cs_owner": {"name": "Riley\x00 <i>Chen</i>", "email": "riley@vendor.com"}}


def all_strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in all_strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in all_strings(v)]
    return []


def assert_plain(body: dict) -> None:
    for text in all_strings(body):
        assert not TAG_SHAPE.search(text), text
        assert not (set(text) & UNSAFE_CHARS), repr(text)
    assert b"<script" not in orjson.dumps(body).lower()


def test_an_alert_from_a_hostile_intercom_ticket_is_plain_text() -> None:
    ticket = normalise_ticket(intercom(HOSTILE_HTML, name="Dana\x1b[2J <u>Lee</u>"))
    assert "<script>" in ticket.body  # the normaliser decodes what the customer typed …
    score = SCORER.score(ticket.text)
    decision = gate_ticket(score, HOSTILE_ACCOUNT, AT)
    alert = render_ticket_alert(ticket=ticket, score=score, decision=decision, rule="r",
                                account_id="acct", account=HOSTILE_ACCOUNT, detected_at=AT,
                                deployment="d")
    assert_plain(alert)  # … and the render edge never lets it out as markup
    data = alert["data"]
    assert data["account_name"] == "Acme"
    assert data["owner"]["name"] == "Riley Chen"
    assert "Our numbers are wrong" in data["evidence"][0]["text"]
    assert "please" in data["evidence"][0]["text"]


def test_a_digest_from_a_hostile_ticket_is_plain_text() -> None:
    ticket = normalise_ticket(intercom(HOSTILE_HTML))
    score = SCORER.score(ticket.text)
    digest = render_ticket_digest(ticket=ticket, score=score, decision=None, account_id=None,
                                  detected_at=AT, deployment="d")
    assert_plain(digest)
