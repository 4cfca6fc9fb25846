"""What the learned scorer reads in a ticket: words, word pairs, sentiment and taxonomy matches.

One pass over the text's tokens yields everything:

* **words and word pairs** (unigrams, bigrams), each worth ``1/sqrt(n_words)``
  so a long e-mail does not outvote a short one; a word within three words
  after a negation ("not", "doesn't", "never") is marked ``not_<word>``;
* **lexicon sentiment** from the VADER lexicon (human-rated word valences,
  plus :data:`SUPPORT_LEXICON`: support-desk words it lacks and complaint
  words of six more languages), with VADER's own adjustments — negation flips, boosters ("very"), shouting
  in capitals, the clause after "but" counting more, exclamation marks —
  summed into a handful of dense ``lex:`` features;
* **taxonomy matches** (``tax:<category>``, ``intent:<intent>``) from the
  phrases and proximity patterns of ``config/taxonomy.yaml``, weighted as the
  file says; a match right after a negation ("we are not switching to …",
  "no data was lost") does not count;
* **shape**: exclamation marks, a question, words in capitals.

Phrases match on tokens, not on a regular expression per phrase: a regex
alternation of a few hundred phrases costs milliseconds per ticket, a token
lookup microseconds. The matching rules are the taxonomy file's (whole words,
case-insensitive, apostrophes optional, any punctuation between words), except
that a phrase never spans two sentences.

>>> from config.taxonomy import load_taxonomy
>>> featurizer = Featurizer(load_taxonomy())
>>> found = featurizer.extract("Our data disappeared after the sync. NOT happy!")
>>> found.values["tax:data_integrity"], [h.phrase for h in found.hits]
(1.0, ['data disappeared'])
>>> "not_happy" in found.values, found.values["lex:compound"] < 0
(True, True)
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from config.taxonomy import Pattern, Taxonomy

MAX_TOKENS = 400
"""Tokens read per ticket: quoted e-mail history past this point says little and costs time."""

NEGATION_SCOPE = 3
NEGATED_PHRASE_SCOPE = 2  # a taxonomy phrase right after "not"/"no"/"never" does not count
NEGATED_VALENCE = -0.74  # VADER's empirically derived scalar for a negated word
BOOST = 0.293  # VADER's booster increment
CAPS_BOOST = 0.733  # VADER's increment for a word shouted in capitals
EXCLAMATION_BOOST = 0.292
MAX_EXCLAMATIONS = 4
BEFORE_BUT, AFTER_BUT = 0.5, 1.5
NORMALISE_ALPHA = 15.0  # VADER's normalisation constant: x / sqrt(x² + alpha)

_TOKEN = re.compile(
    r"(?<!\S)[:;=][\-o^']?[()\[\]dDpP/\\|*](?!\S)"  # an emoticon standing alone
    r"|[^\W_]+(?:['’\-][^\W_]+)*"  # a word, with inner apostrophes or hyphens
    r"|[.!?;\n]"  # a sentence or clause boundary
)
_BOUNDARIES = frozenset(".!?;\n")
_BOUNDARY, _EMOTICON, _NEGATION, _BUT, _BOOSTER, _WORD = range(6)
TOKEN_CACHE_SIZE = 200_000
_EMOTICON_STARTS = frozenset(":;=")

# VADER's negations and boosters, with apostrophes dropped as every token's are.
_NEGATIONS = frozenset({
    "aint", "arent", "cannot", "cant", "couldnt", "darent", "didnt", "doesnt", "dont", "hadnt",
    "hasnt", "havent", "isnt", "mightnt", "mustnt", "neither", "neednt", "never", "none", "nope",
    "nor", "not", "nothing", "nowhere", "oughtnt", "shant", "shouldnt", "uhuh", "wasnt", "werent",
    "without", "wont", "wouldnt", "rarely", "seldom", "despite", "no",
})
_BOOSTERS: dict[str, float] = {
    **dict.fromkeys([
        "absolutely", "amazingly", "awfully", "completely", "considerably", "decidedly", "deeply",
        "enormously", "entirely", "especially", "exceptionally", "extremely", "fully", "greatly",
        "highly", "hugely", "incredibly", "intensely", "majorly", "more", "most", "particularly",
        "purely", "quite", "really", "remarkably", "so", "substantially", "thoroughly", "totally",
        "tremendously", "unbelievably", "unusually", "utterly", "very",
    ], BOOST),
    **dict.fromkeys([
        "almost", "barely", "hardly", "kinda", "less", "little", "marginally", "occasionally",
        "partly", "scarcely", "slightly", "somewhat", "sorta",
    ], -BOOST),
}


SUPPORT_LEXICON: dict[str, float] = {
    # Support-desk English the VADER lexicon lacks (same −4..+4 scale).
    "unusable": -2.5, "buggy": -2.0, "bug": -1.0, "bugs": -1.2, "outage": -2.0, "outages": -2.0,
    "downtime": -1.5, "glitch": -1.2, "glitchy": -1.5, "laggy": -1.2, "clunky": -1.2,
    "crashes": -1.7, "crashed": -1.7, "crashing": -1.7, "nightmare": -2.7, "unresponsive": -1.5,
    "overcharged": -2.0, "flaky": -1.2, "unreliable": -1.8, "garbage": -2.2,
    # Complaint and thanks words of the languages tickets most often arrive in besides English.
    "enttäuscht": -2.0, "ärgerlich": -1.8, "frustriert": -2.0, "katastrophe": -2.8,
    "katastrophal": -2.8, "unverschämt": -2.5, "inakzeptabel": -2.2, "leider": -0.8,
    "kaputt": -1.8, "fehler": -1.2, "schlecht": -1.8, "danke": 1.5, "gut": 1.5, "toll": 2.0,
    "gelöst": 1.0,
    "harto": -2.0, "decepcionado": -2.0, "decepcionada": -2.0, "inaceptable": -2.2,
    "pésimo": -2.8, "fallo": -1.5, "roto": -1.8, "molesto": -1.8, "enfadado": -2.0,
    "gracias": 1.5, "genial": 2.2, "excelente": 2.5, "resuelto": 1.0,
    "déçu": -2.0, "déçus": -2.0, "déçue": -2.0, "inadmissible": -2.5, "inacceptable": -2.2,
    "nul": -2.0, "énervé": -2.0, "catastrophique": -2.8, "merci": 1.5, "génial": 2.2,
    "parfait": 2.0, "parfaitement": 1.5, "réglé": 1.0,
    "inaceitável": -2.2, "péssimo": -2.8, "irritado": -2.0, "obrigado": 1.5, "obrigada": 1.5,
    "ótimo": 2.2, "resolvido": 1.0,
    "deluso": -2.0, "delusa": -2.0, "inaccettabile": -2.2, "pessimo": -2.8, "arrabbiato": -2.2,
    "grazie": 1.5, "ottimo": 2.2, "risolto": 1.0, "perfetto": 2.0,
    "boos": -2.0, "teleurgesteld": -2.0, "onacceptabel": -2.2, "slecht": -1.8, "bedankt": 1.5,
    "geweldig": 2.5, "opgelost": 1.0,
}
"""Valences added to VADER's, rated on its scale: support-desk English and six more languages."""


@lru_cache(maxsize=1)
def vader_lexicon() -> Mapping[str, float]:
    """The VADER lexicon (word → mean human valence, -4..+4) plus :data:`SUPPORT_LEXICON`.

    Read from ``vaderSentiment``'s own data file so the exact, pinned lexicon is
    used; apostrophes are dropped from its entries as they are from tokens.
    """
    text = (resources.files("vaderSentiment") / "vader_lexicon.txt").read_text(encoding="utf-8")
    valences: dict[str, float] = {}
    for line in text.splitlines():
        parts = line.split("\t", 2)
        if len(parts) >= 2:
            try:
                valences[parts[0].replace("'", "")] = float(parts[1])
            except ValueError:
                continue
    valences.update(SUPPORT_LEXICON)
    return valences


def normalise_word(word: str) -> str:
    """How a token is compared: lower case, apostrophes dropped ("Can’t" → "cant")."""
    word = word.lower()
    if "'" in word or "’" in word:
        word = word.replace("'", "").replace("’", "")
    return word


def tokens_of(text: str) -> list[str]:
    """The words of ``text`` as the matcher compares them (for phrases in config)."""
    return [normalise_word(t) for t in _TOKEN.findall(text) if t not in _BOUNDARIES]


@dataclass(frozen=True, slots=True)
class TaxonomyHit:
    """One taxonomy phrase or pattern found in a ticket."""

    kind: str  # "category" or "intent"
    owner: str  # the category's or intent's id
    phrase: str  # what to show a person: the configured phrase, or the words a pattern matched
    weight: float
    by_pattern: bool = False


@dataclass(slots=True)
class TextFeatures:
    """Everything the models read from one text."""

    values: dict[str, float]
    hits: list[TaxonomyHit] = field(default_factory=list)
    charged: list[tuple[str, float]] = field(default_factory=list)
    """Words with a negative lexicon valence in context (``"not good"`` included), for explanations."""
    n_words: int = 0
    n_terms: int = 0
    """How many of ``values``' first entries are words and word pairs (the rest: lex/shape/tax)."""


@dataclass(frozen=True, slots=True)
class _Proximity:
    kind: str
    owner: str
    within: int
    weight: float


_WordRole = tuple[tuple[tuple[tuple[str, ...], TaxonomyHit], ...], tuple[tuple[int, int], ...]]
_NO_ROLE: _WordRole = ((), ())


class TaxonomyMatcher:
    """Finds a taxonomy's phrases and proximity patterns in a token list, in one pass."""

    def __init__(self, taxonomy: Taxonomy) -> None:
        self._phrases: dict[str, list[tuple[tuple[str, ...], TaxonomyHit]]] = {}
        self._patterns: list[_Proximity] = []
        self._exact: dict[str, list[tuple[int, int]]] = {}  # word -> [(pattern index, side)]
        self._prefixes: list[tuple[str, int, int]] = []
        for cat in taxonomy.categories:
            for phrase in cat.phrases:
                self._add_phrase(phrase, TaxonomyHit("category", cat.id, phrase,
                                                     cat.weight_of(phrase)))
            for pattern in cat.patterns:
                self._add_pattern("category", cat.id, pattern)
        for intent in taxonomy.intents:
            for phrase in intent.phrases:
                self._add_phrase(phrase, TaxonomyHit("intent", intent.id, phrase, 1.0))
            for pattern in intent.patterns:
                self._add_pattern("intent", intent.id, pattern)
        self._prefix_tuple = tuple(p for p, _, _ in self._prefixes)
        # word -> (phrases starting with it, pattern sides it fills); most words: neither.
        self._by_word: dict[str, _WordRole] = {}

    def _role_of(self, word: str) -> _WordRole:
        role = self._by_word.get(word)
        if role is None:
            sides = list(self._exact.get(word, ()))
            if self._prefix_tuple and word.startswith(self._prefix_tuple):
                sides += [(p, s) for prefix, p, s in self._prefixes if word.startswith(prefix)]
            phrases = tuple(self._phrases.get(word, ()))
            role = (phrases, tuple(sides)) if phrases or sides else _NO_ROLE
            if len(self._by_word) < TOKEN_CACHE_SIZE:
                self._by_word[word] = role
        return role

    def _add_phrase(self, phrase: str, hit: TaxonomyHit) -> None:
        words = tuple(tokens_of(phrase))
        if words:
            self._phrases.setdefault(words[0], []).append((words, hit))

    def _add_pattern(self, kind: str, owner: str, pattern: Pattern) -> None:
        index = len(self._patterns)
        self._patterns.append(_Proximity(kind, owner, pattern.within, pattern.weight))
        for side, words in enumerate((pattern.words, pattern.near)):
            for word in words:
                if word.endswith("*"):
                    self._prefixes.append((word[:-1], index, side))
                else:
                    self._exact.setdefault(word, []).append((index, side))

    def match(self, words: list[str]) -> list[TaxonomyHit]:
        """Hits in ``words`` (normalised tokens, ``""`` between sentences), in text order."""
        hits: list[TaxonomyHit] = []
        last_seen: dict[tuple[int, int], int] = {}  # (pattern, side) -> last position
        sentence_start = 0
        found_patterns: set[int] = set()
        n = len(words)
        by_word = self._by_word
        for i, word in enumerate(words):
            if not word:
                sentence_start = i + 1
                continue
            role = by_word.get(word) or self._role_of(word)
            if role is _NO_ROLE:
                continue
            candidates, sides = role
            if candidates and not _negated(words, i, sentence_start):
                for phrase_words, hit in candidates:
                    end = i + len(phrase_words)
                    if end <= n and tuple(words[i:end]) == phrase_words:
                        hits.append(hit)
            for index, side in sides:
                if index in found_patterns:
                    continue
                other = last_seen.get((index, 1 - side))
                pattern = self._patterns[index]
                if (other is not None and other >= sentence_start and i - other <= pattern.within
                        and not _negated(words, other, sentence_start)):
                    found_patterns.add(index)
                    first, second = (words[other], word)
                    hits.append(TaxonomyHit(pattern.kind, pattern.owner, f"{first} … {second}",
                                            pattern.weight, by_pattern=True))
                last_seen[(index, side)] = i
        if found_patterns:
            # A pattern restating a phrase already found for the same owner adds nothing.
            by_phrase = {h.owner for h in hits if not h.by_pattern}
            hits = [h for h in hits if not h.by_pattern or h.owner not in by_phrase]
        return hits


def _negated(words: list[str], at: int, sentence_start: int) -> bool:
    """Whether one of the two words before ``at`` negates it ("not switching to", "no data lost")."""
    return any(words[j] in _NEGATIONS for j in range(max(sentence_start, at - NEGATED_PHRASE_SCOPE), at))


class Featurizer:
    """Turns ticket text into :class:`TextFeatures`; built once from a taxonomy."""

    def __init__(self, taxonomy: Taxonomy, lexicon: Mapping[str, float] | None = None) -> None:
        self.matcher = TaxonomyMatcher(taxonomy)
        self.lexicon = lexicon if lexicon is not None else vader_lexicon()
        # Most tickets reuse a few thousand tokens: classify each once.
        self._tokens: dict[str, tuple[int, str, float | None, bool]] = {}

    def _classify(self, token: str) -> tuple[int, str, float | None, bool]:
        first = token[0]
        if first in _BOUNDARIES:
            return _BOUNDARY, "", None, False
        if first in _EMOTICON_STARTS:
            return _EMOTICON, token, self.lexicon.get(token), False
        word = normalise_word(token)
        capitals = len(token) > 1 and token.isupper()
        if word in _NEGATIONS:
            return _NEGATION, word, None, capitals
        if word == "but":
            return _BUT, word, None, capitals
        booster = _BOOSTERS.get(word)
        if booster is not None:
            return _BOOSTER, word, booster, capitals
        return _WORD, word, self.lexicon.get(word), capitals

    def extract(self, text: str) -> TextFeatures:
        cache = self._tokens
        raw_tokens = _TOKEN.findall(text)
        if len(raw_tokens) > MAX_TOKENS:
            raw_tokens = raw_tokens[:MAX_TOKENS]
        has_lower = not text.isupper()
        plain: list[str] = []  # normalised words, "" at sentence boundaries (phrases, patterns)
        marked: list[str] = []  # the same with negation marks (word features)
        valences: list[float] = []
        charged: list[tuple[str, float]] = []
        negation_left = 0
        boost = 0.0
        but_at = -1
        negated = 0
        shouted = 0
        for token in raw_tokens:
            info = cache.get(token)
            if info is None:
                info = self._classify(token)
                if len(cache) < TOKEN_CACHE_SIZE:
                    cache[token] = info
            kind, word, valence, capitals = info
            if kind == _WORD:
                plain.append(word)
                if valence is not None:
                    if boost:
                        valence += boost if valence > 0 else -boost
                    if capitals and has_lower:
                        valence += CAPS_BOOST if valence > 0 else -CAPS_BOOST
                if capitals and has_lower and len(word) > 2:
                    shouted += 1
                if negation_left:
                    negation_left -= 1
                    marked.append("not_" + word)
                    if valence is not None:
                        valence *= NEGATED_VALENCE
                        negated += 1
                        if valence < 0:
                            charged.append(("not " + word, valence))
                else:
                    marked.append(word)
                    if valence is not None and valence < 0:
                        charged.append((word, valence))
                if valence is not None:
                    valences.append(valence)
                boost = 0.0
            elif kind == _BOUNDARY:
                if plain and plain[-1]:
                    plain.append("")
                    marked.append("")
                negation_left = 0
                boost = 0.0
            elif kind == _EMOTICON:
                if valence is not None:
                    valences.append(valence)
            else:
                plain.append(word)
                marked.append(word)
                if kind == _NEGATION:
                    negation_left = NEGATION_SCOPE
                elif kind == _BUT:
                    but_at = len(valences)
                    negation_left = 0
                elif valence is not None:  # a booster
                    boost += valence

        n_words = len(marked) - marked.count("")
        values: dict[str, float] = {}
        if n_words:
            unit = 1.0 / math.sqrt(n_words)
            previous = ""
            for word in marked:
                if word:
                    values[word] = unit
                    if previous:
                        values[previous + " " + word] = unit
                previous = word
        n_terms = len(values)
        exclamations = text.count("!")
        _add_sentiment(values, valences, but_at, negated, exclamations)
        values["shape:exclaim"] = min(exclamations, 3) / 3
        values["shape:question"] = 1.0 if "?" in text else 0.0
        values["shape:caps"] = shouted / n_words if n_words else 0.0

        hits = self.matcher.match(plain)
        for hit in hits:
            key = ("tax:" if hit.kind == "category" else "intent:") + hit.owner
            if values.get(key, 0.0) < hit.weight:
                values[key] = hit.weight
        return TextFeatures(values, hits, charged, n_words, n_terms)


def _add_sentiment(values: dict[str, float], valences: list[float], but_at: int, negated: int,
                   exclamations: int) -> None:
    positive = negative = 0.0
    n_negative = 0
    highest = lowest = 0.0
    for i, v in enumerate(valences):
        if but_at >= 0:
            v *= BEFORE_BUT if i < but_at else AFTER_BUT
        if v > 0:
            positive += v
            highest = max(highest, v)
        elif v < 0:
            negative += v
            n_negative += 1
            lowest = min(lowest, v)
    total = positive + negative
    if total:
        emphasis = min(exclamations, MAX_EXCLAMATIONS) * EXCLAMATION_BOOST
        total += emphasis if total > 0 else -emphasis
    n = len(valences)
    values["lex:compound"] = _normalise(total)
    values["lex:pos"] = _normalise(positive)
    values["lex:neg"] = _normalise(negative)
    values["lex:max"] = highest / 4
    values["lex:min"] = lowest / 4
    values["lex:fracneg"] = n_negative / n if n else 0.5
    values["lex:none"] = 0.0 if n else 1.0
    values["lex:negated"] = negated / n if n else 0.0


def _normalise(score: float) -> float:
    return score / math.sqrt(score * score + NORMALISE_ALPHA)
