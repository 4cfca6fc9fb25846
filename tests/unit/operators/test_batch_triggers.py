"""Evaluating a batch's signals as of the later ones kept from earlier batches alone is the
same set of evaluations as asking every signal of the batch about the whole window."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from operators.batch_triggers import BatchSignals, later_triggers_in_batch
from operators.match import later_triggers
from operators.signals import Signal
from tests.conformance import strategies as s

Evaluation = tuple[str, str, str, object]
RULES = [r for r in s.RULES.rules if r.when.ticket_gate is None]


def window_of(signals: list[Signal]) -> dict[str, list[Signal]]:
    out: dict[str, list[Signal]] = {}
    for sig in signals:
        out.setdefault(sig.name, []).append(sig)
    return out


def evaluations(batch: list[Signal], window: dict[str, list[Signal]], *, in_batch: bool) -> set[Evaluation]:
    """(rule, trigger) pairs the pattern stage evaluates for ``batch`` (each rule a signal reads)."""
    found: set[Evaluation] = set()
    batch_signals = BatchSignals(batch)
    prior = batch_signals.prior(window)
    for sig in batch:
        for rule in (r for r in RULES if sig.name in r.when.signals()):
            triggers = (later_triggers_in_batch(rule, sig, prior, batch_signals) if in_batch
                        else later_triggers(rule, sig, window))
            found |= {(rule.id, t.key, t.name, t.at) for t in triggers}
    return found


@settings(max_examples=300, deadline=None)
@given(st.lists(s.signals(account_id="acct_1"), max_size=12),
       st.lists(s.signals(account_id="acct_1"), min_size=1, max_size=12),
       st.data())
def test_the_batch_reading_evaluates_exactly_what_the_whole_window_reading_does(
        kept: list[Signal], batch: list[Signal], data: st.DataObject) -> None:
    # Keys shared between kept and batch signals: a ticket's next record, a redelivery.
    reused = data.draw(st.lists(st.sampled_from(kept), max_size=4)) if kept else []
    batch = batch + [replace(b, key=r.key) for b, r in zip(batch, reused, strict=False)]
    window = window_of(kept + batch)
    assert evaluations(batch, window, in_batch=True) == evaluations(batch, window, in_batch=False)


def test_a_kept_signal_after_a_batch_signal_of_its_key_is_not_a_trigger_of_its_own() -> None:
    rule = next(r for r in RULES if r.id == "upgrade-intent")
    late = Signal("a", "upgrade_intent", "m1", s.T0, "event", "m1", "m1")
    next_record = Signal("a", "api_question", "t9", s.T0 + timedelta(hours=1), "ticket", "t9", "r1")
    kept = Signal("a", "api_question", "t9", s.T0 + timedelta(hours=2), "ticket", "t9", "r2")
    batch = BatchSignals([late, next_record])
    window = {"upgrade_intent": [late], "api_question": [kept, next_record]}
    assert [t.key for t in later_triggers(rule, late, window)] == ["m1", "t9"]
    assert later_triggers(rule, late, window)[1] is next_record  # the key's first: the batch's
    assert later_triggers_in_batch(rule, late, batch.prior(window), batch) == [late]


def test_two_readings_of_one_record_tie_the_same_way_in_both_readings() -> None:
    # One ticket record read as two intents: same key, time and record id. The window's
    # order breaks the tie by name, and the batch reading must break it the same way.
    rule = next(r for r in RULES if r.id == "upgrade-intent")
    earlier = Signal("a", "api_question", "t1", s.T0, "ticket", "t1", "r1")
    next_record = Signal("a", "api_question", "t1", s.T0 + timedelta(minutes=1), "ticket", "t1", "r2")
    kept = Signal("a", "upgrade_intent", "t1", s.T0 + timedelta(minutes=1), "ticket", "t1", "r2")
    batch = [earlier, next_record]
    window = window_of([kept, *batch])
    assert [t.name for t in later_triggers(rule, earlier, window)] == ["api_question", "api_question"]
    assert evaluations(batch, window, in_batch=True) == evaluations(batch, window, in_batch=False)
