"""Finds a taxonomy's phrases and proximity patterns in a ticket's tokens, in one pass.

Phrases match on tokens, not on a regular expression per phrase: a regex
alternation of a few hundred phrases costs milliseconds per ticket, a token
lookup microseconds. The matching rules are the taxonomy file's (whole words,
case-insensitive, apostrophes optional, any punctuation between words), except
that a phrase never spans two sentences, and a match right after a negation
("we are not switching to …", "no data was lost") does not count.
"""

from __future__ import annotations

from dataclasses import dataclass

from config.taxonomy import Pattern, Taxonomy
from operators.tokens import NEGATIONS, TOKEN_CACHE_SIZE, tokens_of

NEGATED_PHRASE_SCOPE = 2  # a taxonomy phrase right after "not"/"no"/"never" does not count


@dataclass(frozen=True, slots=True)
class TaxonomyHit:
    """One taxonomy phrase or pattern found in a ticket."""

    kind: str  # "category" or "intent"
    owner: str  # the category's or intent's id
    phrase: str  # what to show a person: the configured phrase, or the words a pattern matched
    weight: float
    by_pattern: bool = False


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
    return any(words[j] in NEGATIONS for j in range(max(sentence_start, at - NEGATED_PHRASE_SCOPE), at))
