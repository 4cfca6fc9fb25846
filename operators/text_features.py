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
* **shape**: exclamation marks, a question, words in capitals;
* **cues** (``cue:cancelled``): a cancellation told as decided or done ("we have
  decided not to renew", "wir haben gekündigt"), :mod:`operators.cancellation_cues`'.

Tokens are :mod:`operators.tokens`', the lexicon and its adjustments
:mod:`operators.sentiment_lexicon`'s, taxonomy matching
:mod:`operators.taxonomy_matcher`'s.

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
from collections.abc import Mapping
from dataclasses import dataclass, field

from config.taxonomy import Taxonomy
from operators.cancellation_cues import CUE, told_cancelled
from operators.sentiment_lexicon import (
    BOOSTERS,
    CAPS_BOOST,
    NEGATED_VALENCE,
    SUPPORT_LEXICON,
    add_sentiment,
    vader_lexicon,
)
from operators.taxonomy_matcher import TaxonomyHit, TaxonomyMatcher
from operators.tokens import (
    BOUNDARIES,
    EMOTICON_STARTS,
    NEGATIONS,
    TOKEN,
    TOKEN_CACHE_SIZE,
    normalise_word,
    tokens_of,
)

__all__ = ["SUPPORT_LEXICON", "Featurizer", "TaxonomyHit", "TaxonomyMatcher", "TextFeatures",
           "normalise_word", "tokens_of", "vader_lexicon"]

MAX_TOKENS = 400
"""Tokens read per ticket: quoted e-mail history past this point says little and costs time."""
NEGATION_SCOPE = 3
_BOUNDARY, _EMOTICON, _NEGATION, _BUT, _BOOSTER, _WORD = range(6)


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


class Featurizer:
    """Turns ticket text into :class:`TextFeatures`; built once from a taxonomy."""

    def __init__(self, taxonomy: Taxonomy, lexicon: Mapping[str, float] | None = None) -> None:
        self.matcher = TaxonomyMatcher(taxonomy)
        self.lexicon = lexicon if lexicon is not None else vader_lexicon()
        # Most tickets reuse a few thousand tokens: classify each once.
        self._tokens: dict[str, tuple[int, str, float | None, bool]] = {}

    def _classify(self, token: str) -> tuple[int, str, float | None, bool]:
        first = token[0]
        if first in BOUNDARIES:
            return _BOUNDARY, "", None, False
        if first in EMOTICON_STARTS:
            return _EMOTICON, token, self.lexicon.get(token), False
        word = normalise_word(token)
        capitals = len(token) > 1 and token.isupper()
        if word in NEGATIONS:
            return _NEGATION, word, None, capitals
        if word == "but":
            return _BUT, word, None, capitals
        booster = BOOSTERS.get(word)
        if booster is not None:
            return _BOOSTER, word, booster, capitals
        return _WORD, word, self.lexicon.get(word), capitals

    def _info(self, token: str) -> tuple[int, str, float | None, bool]:
        info = self._tokens.get(token)
        if info is None:
            info = self._classify(token)
            if len(self._tokens) < TOKEN_CACHE_SIZE:
                self._tokens[token] = info
        return info

    def words_of(self, text: str) -> list[str]:
        """The normalised words of ``text`` (no boundaries, no emoticons): the words of
        :func:`tokens_of`, read through the same per-token cache as :meth:`extract`.

        >>> from config.taxonomy import load_taxonomy
        >>> Featurizer(load_taxonomy()).words_of("Can’t log in; again ;) :(")
        ['cant', 'log', 'in', 'again']
        """
        words = []
        for token in TOKEN.findall(text):
            kind, word, _, _ = self._info(token)
            if kind != _BOUNDARY and kind != _EMOTICON:
                words.append(word)
        return words

    def extract(self, text: str) -> TextFeatures:
        cache = self._tokens
        raw_tokens = TOKEN.findall(text)
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
        add_sentiment(values, valences, but_at, negated, exclamations)
        values["shape:exclaim"] = min(exclamations, 3) / 3
        values["shape:question"] = 1.0 if "?" in text else 0.0
        values["shape:caps"] = shouted / n_words if n_words else 0.0

        hits = self.matcher.match(plain)
        for hit in hits:
            key = ("tax:" if hit.kind == "category" else "intent:") + hit.owner
            if values.get(key, 0.0) < hit.weight:
                values[key] = hit.weight
        if told_cancelled(plain):
            values[CUE] = 1.0
        return TextFeatures(values, hits, charged, n_words, n_terms)
