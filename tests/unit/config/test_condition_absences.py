"""A rule's absences, computed once per condition, are the tree's absences in the file's
order, and ``absences_after`` (what ``timers_for`` reads) picks the same ones a scan would."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from config.conditions import Absence, Condition, Count
from config.rules import load_rules
from operators.match import Timer, absences_due, timers_for
from operators.signals import Signal

NAMES = ("a", "b", "c")


def scanned(condition: Condition) -> list[Absence]:
    """The tree walk as it was before the cache: this node's absence, then each child's."""
    found = [condition.absence] if condition.absence else []
    for child in (condition.all_of or []) + (condition.any_of or []):
        found += scanned(child)
    return found


leaves = st.one_of(
    st.builds(lambda f, m, h: Condition(absence=Absence(first=f, missing=m, within=timedelta(hours=h))),
              st.sampled_from(NAMES), st.sampled_from(NAMES), st.integers(1, 48)),
    st.builds(lambda o: Condition(count=Count(of=o, within=timedelta(hours=1))), st.sampled_from(NAMES)),
)
trees = st.recursive(leaves, lambda kids: st.one_of(
    st.builds(lambda cs: Condition(all_of=cs), st.lists(kids, min_size=1, max_size=3)),
    st.builds(lambda cs: Condition(any_of=cs), st.lists(kids, min_size=1, max_size=3))), max_leaves=8)


@given(trees, st.sampled_from((*NAMES, "d")))
def test_cached_absences_are_the_scan(condition: Condition, name: str) -> None:
    assert list(condition.absences()) == scanned(condition)
    assert list(condition.absences_after(name)) == [a for a in scanned(condition) if a.first == name]
    assert condition.absences() is condition.absences()  # computed once


def test_timers_for_the_shipped_rules_are_the_scan() -> None:
    rules = load_rules().rules
    at = datetime(2026, 11, 20, tzinfo=UTC)
    names = {a.first for r in rules for a in r.when.absences()} | {"ticket", "nothing_reads_this"}
    assert len(names) > 2
    for name in sorted(names):
        signal = Signal("acct", name, "k", at, "event", "m", "m")
        expected = [Timer(r.id, at + a.within, signal) for r in rules for a in scanned(r.when)
                    if a.first == name]
        assert timers_for(rules, signal) == expected
        for rule in rules:
            assert absences_due(rule, signal) == [a for a in scanned(rule.when) if a.first == name]
