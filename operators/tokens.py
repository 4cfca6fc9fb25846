"""Ticket text as tokens: words (inner apostrophes and hyphens kept), emoticons standing
alone, and the boundaries between sentences and clauses.

A token is compared in lower case with its apostrophes dropped ("Can’t" → "cant"),
as the taxonomy's phrases and the sentiment lexicon are.

>>> tokens_of("Can’t log in. Again :(")
['cant', 'log', 'in', 'again', ':(']
"""

from __future__ import annotations

import re

TOKEN = re.compile(
    r"(?<!\S)[:;=][\-o^']?[()\[\]dDpP/\\|*](?!\S)"  # an emoticon standing alone
    r"|[^\W_]+(?:['’\-][^\W_]+)*"  # a word, with inner apostrophes or hyphens
    r"|[.!?;\n]"  # a sentence or clause boundary
)
BOUNDARIES = frozenset(".!?;\n")
EMOTICON_STARTS = frozenset(":;=")
TOKEN_CACHE_SIZE = 200_000
"""Distinct tokens whose reading is remembered between texts."""

# VADER's negations and boosters, with apostrophes dropped as every token's are.
NEGATIONS = frozenset({
    "aint", "arent", "cannot", "cant", "couldnt", "darent", "didnt", "doesnt", "dont", "hadnt",
    "hasnt", "havent", "isnt", "mightnt", "mustnt", "neither", "neednt", "never", "none", "nope",
    "nor", "not", "nothing", "nowhere", "oughtnt", "shant", "shouldnt", "uhuh", "wasnt", "werent",
    "without", "wont", "wouldnt", "rarely", "seldom", "despite", "no",
})


def normalise_word(word: str) -> str:
    """How a token is compared: lower case, apostrophes dropped ("Can’t" → "cant")."""
    word = word.lower()
    if "'" in word or "’" in word:
        word = word.replace("'", "").replace("’", "")
    return word


def tokens_of(text: str) -> list[str]:
    """The words of ``text`` as the matcher compares them (for phrases in config)."""
    return [normalise_word(t) for t in TOKEN.findall(text) if t not in BOUNDARIES]
