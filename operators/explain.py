"""Why the ticket model decided what it did: the words, the sentence, the nearest examples.

A head's decision is a sum over the ticket's sparse entries (each tied to a
word or word pair of the text) plus the dense part. The words shown for a head
are the terms whose entries added most to the chosen class's logit, function
words left out; the sentence shown is the one whose words added most to the
frustration and topic decisions together. Nearest examples are the labelled
tickets whose problem vectors are closest.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from operators.corpus import LabelledTicket
from operators.score import NearExample
from operators.ticket_repr import NO_TERM, TicketRepresentation

MAX_WORDS = 5
MIN_CONTRIBUTION = 0.02
NEAREST = 3
EXAMPLE_TEXT = 100
_SENTENCE = re.compile(r"[^.!?\n]+[.!?]*")
_WORD = re.compile(r"[^\W_]+")
STOPWORDS = frozenset([
    "a", "about", "above", "after", "again", "all", "also", "am", "an", "and", "any", "are",
    "as", "at", "be", "been", "before", "being", "below", "between", "both", "by", "can",
    "could", "did", "do", "does", "doing", "down", "during", "each", "few", "for", "from",
    "further", "had", "has", "have", "having", "he", "her", "here", "hers", "him", "his", "how",
    "i", "if", "in", "into", "is", "it", "its", "itself", "just", "me", "more", "most", "my",
    "no", "nor", "not", "now", "of", "off", "on", "once", "only", "or", "other", "our", "ours",
    "out", "over", "own", "same", "she", "should", "so", "some", "such", "than", "that", "the",
    "their", "theirs", "them", "then", "there", "these", "they", "this", "those", "through",
    "to", "too", "under", "until", "up", "very", "was", "we", "were", "what", "when", "where",
    "which", "while", "who", "whom", "why", "will", "with", "would", "you", "your", "yours",
    "hi", "hello", "hey", "dear", "thanks", "thank", "please", "regards", "best", "team", "us",
    "im", "ive", "id", "youre", "weve", "thats", "theres", "get", "got",
    # German, Spanish, French function words
    "der", "die", "das", "und", "ist", "ich", "wir", "sie", "es", "ein", "eine", "den", "dem",
    "mit", "von", "zu", "auf", "für", "nicht", "uns", "unser", "unsere", "bitte", "danke",
    "el", "la", "los", "las", "de", "que", "y", "en", "un", "una", "por", "para", "con", "es",
    "nos", "nuestro", "nuestra", "le", "les", "et", "des", "du", "pour", "est", "nous", "vous",
    "je", "une", "dans", "pas", "notre", "nos", "merci", "bonjour", "hola", "hallo", "gracias",
])


def term_contributions(rep: TicketRepresentation, sparse_w: np.ndarray, column: int,
                       gathered: np.ndarray | None = None) -> np.ndarray:
    """Per term of ``rep``, how much its entries added to the logit of ``column``.

    ``gathered``: ``sparse_w[rep.rows]`` when the caller already has it (scoring gathers it once).
    """
    if not rep.terms:
        return np.zeros(0)
    inside = rep.term_of != NO_TERM
    rows = gathered[inside, column] if gathered is not None else sparse_w[rep.rows[inside], column]
    return np.bincount(rep.term_of[inside], weights=rep.values[inside] * rows,
                       minlength=len(rep.terms))


def readable(term: str) -> str:
    """A term as a person reads it ("doesnt not_work" → "doesnt work")."""
    return " ".join(w[4:] if w.startswith("not_") else w for w in term.split(" "))


def _informative(term: str) -> bool:
    words = readable(term).split(" ")
    return not all(w in STOPWORDS or len(w) < 3 for w in words)


def top_words(rep: TicketRepresentation, contributions: np.ndarray,
               limit: int = MAX_WORDS) -> tuple[str, ...]:
    """The terms that pushed hardest towards the decision, without repeats or function words."""
    n = len(contributions)
    if not n:
        return ()
    pool = min(n, limit * 4)
    candidates = np.argpartition(-contributions, pool - 1)[:pool] if pool < n else np.arange(n)
    chosen: list[str] = []
    for i in candidates[np.argsort(-contributions[candidates])]:
        if contributions[i] < MIN_CONTRIBUTION or len(chosen) == limit:
            break
        term = rep.terms[int(i)]
        if not _informative(term):
            continue
        text = readable(term)
        if any(text in c or c in text for c in chosen):
            continue
        chosen.append(text)
    return tuple(chosen)


def key_sentence(text: str, words: Sequence[str]) -> str | None:
    """The sentence of ``text`` that holds most of ``words`` (the decisive ones, strongest first)."""
    sentences = [s.strip() for s in _SENTENCE.findall(text) if s.strip()]
    if len(sentences) < 2 or not words:
        return sentences[0][:200] if sentences else None
    wanted = [(w.split(" "), 1.0 / (rank + 1)) for rank, w in enumerate(words)]
    best, best_weight = 0, -1.0
    for i, sentence in enumerate(sentences):
        present = set(_WORD.findall(sentence.lower().replace("’", "").replace("'", "")))
        weight = sum(w for parts, w in wanted if all(p in present for p in parts))
        if weight > best_weight:
            best, best_weight = i, weight
    return str(sentences[best])[:200]


def nearest_examples(vector: np.ndarray, matrix: np.ndarray, examples: Sequence[LabelledTicket],
                     limit: int = NEAREST) -> tuple[NearExample, ...]:
    if not len(examples):
        return ()
    sims = matrix @ vector
    top = np.argpartition(-sims, min(limit, len(sims) - 1))[:limit]
    top = top[np.argsort(-sims[top])]
    out = []
    for i in top:
        ex = examples[int(i)]
        text = ex.text.replace("\n", " ")
        out.append(NearExample(ex.id, round(float(sims[i]), 3), ex.topic, ex.intents or (),
                               text if len(text) <= EXAMPLE_TEXT else text[: EXAMPLE_TEXT - 1] + "…"))
    return tuple(out)
