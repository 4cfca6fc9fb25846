"""Lexicon sentiment: VADER's human-rated word valences, with its adjustments, summed into
the dense ``lex:`` features the ticket model reads.

The lexicon is VADER's own data file plus :data:`SUPPORT_LEXICON` (support-desk
words it lacks and complaint words of six more languages). Negation flips a
word, boosters ("very") and shouting in capitals strengthen it, the clause after
"but" counts more, exclamation marks add emphasis.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from functools import lru_cache
from importlib import resources

NEGATED_VALENCE = -0.74  # VADER's empirically derived scalar for a negated word
BOOST = 0.293  # VADER's booster increment
CAPS_BOOST = 0.733  # VADER's increment for a word shouted in capitals
EXCLAMATION_BOOST = 0.292
MAX_EXCLAMATIONS = 4
BEFORE_BUT, AFTER_BUT = 0.5, 1.5
NORMALISE_ALPHA = 15.0  # VADER's normalisation constant: x / sqrt(x² + alpha)

BOOSTERS: dict[str, float] = {
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


def add_sentiment(values: dict[str, float], valences: list[float], but_at: int, negated: int,
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
