"""Plain text for everything cuewire publishes: no markup, no control or bidi characters.

Alerts and digests are read by people, in CS tools, chat notifiers and terminals
that may render HTML or obey escape codes. Their text comes from tickets and CRM
records that anyone can write, and the normalisers decode HTML into what the
customer typed, so a customer who typed ``<script>`` (Intercom sends it as
``&lt;script&gt;``) has ``<script>`` in the ticket's text. The render edge
(:func:`operators.render.cloud_event`) passes every string through
:func:`plain_text` once, and after it:

* nothing is shaped like a tag: no ``<`` is followed by a letter, ``/``, ``!``
  or ``?`` (``5 < 6`` stays); tags and comments go, and so do the contents of
  ``script`` and ``style`` elements;
* no control character but the line break is left (tabs become spaces, CR LF
  becomes LF), nor a terminal escape sequence (removed whole, not just its ESC),
  nor a bidirectional override, embedding, isolate or mark, nor a lone surrogate.

Entities are left as they are: decoding ``&lt;`` here is exactly what would turn
text back into markup. Why not nh3 or bleach: both produce HTML for embedding in
HTML (text re-escaped, so ``<`` comes out as ``&lt;``), not plain text, and neither
touches control or bidi characters; bleach is deprecated. The whole job is a few
linear passes, tested here against generated input.

>>> plain_text('<p>Hi <img src=x onerror="alert(1)">there</p>\\x1b[31m!\\u202e')
'Hi there!'
"""

from __future__ import annotations

import re
from typing import Any

from operators.html_text import without_comments

TAG_SHAPE = re.compile(r"<[A-Za-z/!?]")
"""What a browser would take as the start of a tag: never left in published text."""

_NEEDS_WORK = re.compile(
    "[<\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069"
    "\ud800-\udfff]"
)
_ESCAPE_SEQUENCE = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"            # CSI: colours, cursor moves, screen clears
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC: window titles, hyperlinks
    r"|\x1b[@-Z\\-_]"                     # the other two-character escapes
    r"|\x9b[0-?]*[ -/]*[@-~]"             # CSI as its one-byte C1 form
)
_LINE_BREAKS = re.compile("\r\n?|[\u2028\u2029\x85]")
_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
_RAW_TEXT_OPEN = re.compile(r"<(script|style)\b[^>]*>", re.IGNORECASE)
_TAG = re.compile(r"<[A-Za-z/!?][^<>]*>")
_TAG_OPENERS = re.compile(r"<+(?=[A-Za-z/!?])")
_TAG_PASSES = 3


def plain_text(text: str) -> str:
    """``text`` with markup, control and bidi characters removed (see the module's rules).

    >>> plain_text("Numbers wrong &lt;b&gt; since <b>Monday</b>")
    'Numbers wrong &lt;b&gt; since Monday'
    >>> plain_text("5 < 6\\tand\\r\\nnext line")
    '5 < 6 and\\nnext line'
    """
    if not _NEEDS_WORK.search(text):
        return text
    # Controls go first: removing one must not be what joins "<" to a tag name.
    text = _ESCAPE_SEQUENCE.sub("", text)
    text = _LINE_BREAKS.sub("\n", text).replace("\t", " ")
    text = _UNSAFE.sub("", text)
    if "<" not in text:
        return text
    text = without_comments(text)
    text = _without_raw_text(text)
    for _ in range(_TAG_PASSES):  # removing "<b>" from "<<b>i>" makes "<i>": go again
        text, removed = _TAG.subn("", text)
        if not removed:
            break
    # Whatever is still tag-shaped (unterminated, or nested past the passes) loses its "<";
    # taking the whole run of "<" means no new "<" + letter can form.
    return _TAG_OPENERS.sub("", text)


def plain_tree(value: Any) -> Any:
    """Every string in a JSON-like tree through :func:`plain_text`; other values unchanged.

    >>> plain_tree({"summary": "<b>x</b>", "score": 87, "risk_factors": ["\\x07y"]})
    {'summary': 'x', 'score': 87, 'risk_factors': ['y']}
    """
    kind = type(value)
    if kind is dict:
        return {k: v if type(v) in _LEAVES and (type(v) is not str or not _needs_work(v))
                else plain_tree(v) for k, v in value.items()}
    if kind is list or kind is tuple:
        return [v if type(v) in _LEAVES and (type(v) is not str or not _needs_work(v))
                else plain_tree(v) for v in value]
    if isinstance(value, str):
        return plain_text(value)
    if isinstance(value, dict):
        return {k: plain_tree(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain_tree(v) for v in value]
    return value


_needs_work = _NEEDS_WORK.search
_LEAVES = frozenset({str, int, float, bool, type(None)})
"""What :func:`plain_tree` leaves as it is without a call of its own (a string, when
:data:`_NEEDS_WORK` finds nothing in it): most of an alert's values, and a call per
value was most of the walk's cost."""


def _without_raw_text(text: str) -> str:
    """``<script>`` and ``<style>`` elements with their content (to the end if unclosed)."""
    parts: list[str] = []
    pos = 0
    while (opening := _RAW_TEXT_OPEN.search(text, pos)) is not None:
        parts.append(text[pos : opening.start()])
        closing = re.compile(rf"</{opening.group(1)}\s*>", re.IGNORECASE).search(text, opening.end())
        if closing is None:
            return "".join(parts)
        pos = closing.end()
    parts.append(text[pos:])
    return "".join(parts)
