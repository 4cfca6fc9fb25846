"""Words a person reads at a glance: signal names as nouns, spans of time, and what a
near miss says was missing.

Signal names become nouns ("2 more API questions"), spans become whole units
("7 days", "23 hours"), and a noun gets its article ("an upgrade-intent signal").
Alerts (:mod:`operators.render_match`) and near misses (:mod:`operators.rule_progress`)
write spans the same way.

>>> noun("api_question", 2), a(noun("upgrade_intent")), span(timedelta(hours=23))
('API questions', 'an upgrade-intent signal', '23 hours')
"""

from __future__ import annotations

from datetime import timedelta

from config.rules import Absence, Count
from config.rules import Sequence as SequenceRule

_NOUNS: dict[str, tuple[str, str]] = {
    "ticket": ("ticket", "tickets"),
    "frustrated_ticket": ("frustrated ticket", "frustrated tickets"),
    "upgrade_intent": ("upgrade-intent signal", "upgrade-intent signals"),
    "upgrade_question": ("upgrade question", "upgrade questions"),
    "api_question": ("API question", "API questions"),
    "cancellation": ("cancellation question", "cancellation questions"),
    "full_export": ("full-export question", "full-export questions"),
    "feature_question": ("feature question", "feature questions"),
    "cancellation_terms_view": ("cancellation-terms view", "cancellation-terms views"),
    "data_export": ("data export", "data exports"),
    "cart_started": ("cart start", "cart starts"),
    "cart_completed": ("checkout completion", "checkout completions"),
    "onboarding_started": ("onboarding start", "onboarding starts"),
    "onboarding_completed": ("onboarding completion", "onboarding completions"),
    "login": ("login", "logins"),
}


def noun(name: str, n: int = 1) -> str:
    """The signal ``name`` as a noun, plural unless ``n`` is 1; unknown names read as words.

    >>> noun("cart_completed"), noun("page_view", 3)
    ('checkout completion', 'page views')
    """
    one, many = _NOUNS.get(name, (name.replace("_", " "), name.replace("_", " ") + "s"))
    return one if n == 1 else many


def a(noun_: str) -> str:
    """``noun_`` with its indefinite article."""
    return f"{'an' if noun_[:1].lower() in 'aeiou' else 'a'} {noun_}"


def span(length: timedelta) -> str:
    """``7 days``, ``23 hours``, ``40 minutes``: whole units a person reads at a glance.

    >>> span(timedelta(days=14)), span(timedelta(hours=23)), span(timedelta(hours=1))
    ('14 days', '23 hours', '1 hour')
    >>> span(timedelta(hours=47)), span(timedelta(seconds=10))
    ('47 hours', '1 minute')
    """
    hours = length.total_seconds() / 3600
    if hours >= 48:
        value, unit = round(hours / 24), "day"
    elif hours >= 1:
        value, unit = round(hours), "hour"
    else:
        value, unit = max(1, round(hours * 60)), "minute"
    return f"{value} {unit}{'' if value == 1 else 's'}"


def count_short(count: Count, have: int, topic: str | None) -> str:
    """A count that has ``have`` of its signals (about ``topic``, for a ``same`` count).

    >>> from config.rules import Count
    >>> count_short(Count(of="ticket", at_least=3, within="14d", same="topic"), 2, "integration")
    '1 more ticket about integration (2 of 3 within 14 days)'
    """
    about = ""
    if count.same == "topic":
        about = f" about {topic.replace('_', ' ')}" if topic else " about one topic"
    elif count.same == "problem":
        about = f" about the same {topic.replace('_', ' ')} problem" if topic else " about the same problem"
    within = span(count.within)
    if count.at_least == 1:
        return f"{a(noun(count.of))}{about} within {within}"
    more = count.at_least - have
    return f"{more} more {noun(count.of, more)}{about} ({have} of {count.at_least} within {within})"


def first_step_missing(seq: SequenceRule) -> str:
    return f"{a(noun(seq.first))} within {span(seq.within)} before the {noun(seq.then)}"


def second_step_late(seq: SequenceRule, gap: timedelta) -> str:
    return (f"{a(noun(seq.then))} within {span(seq.within)} of the {noun(seq.first)} "
            f"(it came {span(gap)} after)")


def steps_reversed(seq: SequenceRule, gap: timedelta) -> str:
    return f"{a(noun(seq.then))} after the {noun(seq.first)} (one came {span(gap)} before it)"


def silence_broken(absence: Absence, gap: timedelta) -> str:
    after = "the last" if absence.missing == absence.first else f"the {noun(absence.first)}"
    return (f"{span(absence.within - gap)} more without {a(noun(absence.missing))} "
            f"(one came {span(gap)} after {after})")
