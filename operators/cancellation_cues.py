"""A cancellation told as decided or done: the ``cue:cancelled`` feature of the ticket model.

"We have decided not to renew", "we already cancelled", "wir haben gekündigt",
"hemos decidido no renovar", "nous avons résilié": a customer who reports the
decision is leaving, however calmly it is said, where "how do I cancel an
add-on?" or "can we renew for two years?" is not. Within one sentence
(:func:`words_of`: normalised words, ``""`` at a boundary), and no conditional in it
("if this isn't fixed we won't renew" is a threat, :data:`CONDITIONALS`), the cue is

* a **decision** word ("decided", "beschlossen", "decidido", "décidé", "hereby",
  "bereits", "ya", "déjà" …) within :data:`WINDOW` words of a **leaving** word
  ("cancel…", "kündig…", "résili…", "terminat…", "dar de baja" …) or of a
  *negated* continuing word ("not renew", "nicht verlängern", "no renovar",
  "ne pas renouveler", "not continue"), the decision itself not negated; or
* renewing, **negated** ("we won't be renewing", "nicht verlängern"); or
* a leaving word **told as done** ("cancelled", "gekündigt", "cancelado",
  "résilié") right after the writer or an auxiliary ("we", "have", "haben",
  "hemos", "avons" …), not negated.

The words are written for the four languages of the corpus; prefixes take
their inflections ("kündig" covers "kündigen", "kündigung"; "gekündigt" is its own).

>>> told_cancelled(words_of("Hi, we have decided not to renew our contract in March."))
True
>>> told_cancelled(words_of("Wir haben den Vertrag bereits gekündigt."))
True
>>> told_cancelled(words_of("How do I cancel the reporting add-on?"))
False
>>> told_cancelled(words_of("We decided to renew for two more years."))
False
"""

from __future__ import annotations

from collections.abc import Sequence

from operators.tokens import BOUNDARIES, TOKEN, normalise_word

__all__ = ["CUE", "told_cancelled", "words_of"]

CUE = "cue:cancelled"
"""The feature's name in :class:`~operators.text_features.TextFeatures`' values."""
WINDOW = 6
"""Words either side of a decision word that a leaving word may stand at."""
NEGATION_BEFORE = 3
NEGATION_AFTER = 2

DECISION_WORDS = frozenset({
    # en
    "decided", "decide", "decision", "opted", "chose", "chosen", "voted", "agreed", "already",
    "hereby", "formally", "officially", "final", "finalised", "finalized", "resolved",
    # de
    "entschieden", "entscheidung", "entschlossen", "beschlossen", "beschluss", "bereits",
    "hiermit", "endgültig", "offiziell", "fristgerecht", "ordentlich",
    # es
    "decidido", "decidimos", "decidió", "decisión", "optado", "optamos", "elegido", "ya",
    "formalmente", "oficialmente", "definitivamente",
    # fr
    "décidé", "décidons", "décision", "choisi", "opté", "voté", "déjà", "officiellement",
    "définitivement", "formellement", "présente",
})
LEAVING_PREFIXES = (
    "cancel", "terminat", "discontinu", "unsubscrib",  # en (and es "cancelar", "cancelado")
    "kündig", "gekündigt", "abbestell", "abmeld",  # de
    "rescind", "baja",  # es ("dar de baja", "darnos de baja")
    "résili", "resili", "désabonn", "desabonn",  # fr
)
RENEWING_PREFIXES = ("renew", "verläng", "renov", "prorrog", "renouvel", "reconduc")
"""Renewing, negated ("won't renew", "nicht verlängern", "no renovar", "ne pas
renouveler"): a cancellation told as decided by itself."""
CONTINUING_PREFIXES = (*RENEWING_PREFIXES, "continu", "extend", "weiterf", "fortsetz", "fortführ",
                       "seguir", "sigu", "prolong")
"""Continuing, negated: a cancellation only beside a decision word ("not continue" is also
"the sync did not continue")."""
DONE_FORMS = frozenset({
    "cancelled", "canceled", "terminated", "discontinued", "unsubscribed",
    "gekündigt", "abbestellt", "abgemeldet",
    "cancelado", "cancelamos", "rescindido", "rescindimos",
    "résilié", "résiliée", "résilions", "resilie",
})
DOERS = frozenset({
    "we", "weve", "i", "ive", "have", "has", "had", "already",
    "wir", "ich", "haben", "habe", "hat", "bereits", "schon",
    "hemos", "ya", "nosotros",
    "nous", "avons", "ai", "déjà",
})
NEGATORS = frozenset({
    "not", "no", "never", "dont", "wont", "didnt", "havent", "hasnt", "arent", "isnt", "cant",
    "wouldnt", "shall", "nicht", "kein", "keine", "keinen", "nie", "niemals", "nunca", "ne",
    "pas", "plus", "jamais",
})
"""Words that negate a continuing word ("won't renew") or a decision ("not decided")."""
_NOT_A_NEGATION_OF_DECISION = frozenset({"shall", "plus"})
CONDITIONALS = frozenset({"if", "unless", "otherwise", "wenn", "falls", "sonst", "ob", "si",
                          "sinon", "sino", "whether"})
"""A sentence with one of these is a threat or a question ("if this isn't fixed we won't
renew"), no cancellation told."""


def _sentences(words: Sequence[str]) -> list[list[str]]:
    out: list[list[str]] = [[]]
    for word in words:
        if word:
            out[-1].append(word)
        elif out[-1]:
            out.append([])
    return [s for s in out if s]


def _negated(sentence: Sequence[str], at: int, after: int = NEGATION_AFTER) -> bool:
    around = [*sentence[max(0, at - NEGATION_BEFORE):at], *sentence[at + 1:at + 1 + after]]
    return any(w in NEGATORS for w in around)


def _leaving(sentence: Sequence[str], at: int) -> bool:
    word = sentence[at]
    if word.startswith(LEAVING_PREFIXES):
        return not _negated(sentence, at, after=0)
    return word.startswith(CONTINUING_PREFIXES) and _negated(sentence, at)


def _decided(sentence: Sequence[str], at: int) -> bool:
    if sentence[at] not in DECISION_WORDS:
        return False
    before = sentence[max(0, at - 2):at]
    return not any(w in NEGATORS and w not in _NOT_A_NEGATION_OF_DECISION for w in before)


def _done(sentence: Sequence[str], at: int) -> bool:
    if sentence[at] not in DONE_FORMS or _negated(sentence, at, after=0):
        return False
    return any(w in DOERS for w in sentence[max(0, at - 3):at])


def _renewal_refused(sentence: Sequence[str], at: int) -> bool:
    return sentence[at].startswith(RENEWING_PREFIXES) and _negated(sentence, at)


def words_of(text: str) -> list[str]:
    """The normalised words of ``text``, ``""`` at each sentence boundary, as the featurizer
    reads them (for tests and examples)."""
    return [normalise_word(t) if t not in BOUNDARIES else "" for t in TOKEN.findall(text)]


def told_cancelled(words: Sequence[str]) -> bool:
    """Whether ``words`` (normalised, ``""`` at sentence boundaries) tell a cancellation as
    decided or done."""
    for sentence in _sentences(words):
        leaving = [i for i in range(len(sentence)) if _leaving(sentence, i)]
        if not leaving or CONDITIONALS.intersection(sentence):
            continue
        if any(_done(sentence, i) or _renewal_refused(sentence, i) for i in leaving):
            return True
        for i in range(len(sentence)):
            if _decided(sentence, i) and any(abs(j - i) <= WINDOW and j != i for j in leaving):
                return True
    return False
