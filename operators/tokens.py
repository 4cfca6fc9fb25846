"""Ticket text as tokens: words (inner apostrophes and hyphens kept), emoticons standing
alone, and the boundaries between sentences and clauses.

A token is compared in lower case with its apostrophes dropped ("Can’t" → "cant"),
as the taxonomy's phrases and the sentiment lexicon are; a French elided article or
pronoun before a vowel is dropped with its apostrophe ("l’équipe" → "équipe", "qu'on"
→ "on"), so the word is the one the word vectors and the other tickets know.

>>> tokens_of("Can’t log in. Again :(")
['cant', 'log', 'in', 'again', ':(']
>>> tokens_of("L'export de l’équipe n'est pas là, d'accord?")
['export', 'de', 'équipe', 'est', 'pas', 'là', 'accord']
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


ELIDED = frozenset({"l", "d", "j", "n", "s", "c", "m", "t", "qu", "jusqu", "lorsqu", "puisqu",
                    "quoiqu"})
"""French words that lose their vowel before another word's ("l'équipe", "qu'il", "n'est")."""
ELISION = re.compile(r"^(\w+)['’]([aeiouyhàâéèêëîïôûœ]\w*)$")


def normalise_word(word: str) -> str:
    """How a token is compared: lower case, apostrophes dropped ("Can’t" → "cant"), a French
    elision's first word dropped ("l’équipe" → "équipe")."""
    word = word.lower()
    if "'" in word or "’" in word:
        elided = ELISION.match(word)
        if elided is not None and elided.group(1) in ELIDED:
            word = elided.group(2)
        word = word.replace("'", "").replace("’", "")
    return word


def tokens_of(text: str) -> list[str]:
    """The words of ``text`` as the matcher compares them (for phrases in config)."""
    return [normalise_word(t) for t in TOKEN.findall(text) if t not in BOUNDARIES]
