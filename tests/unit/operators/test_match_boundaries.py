"""Pattern evaluation at its edges: the window's open start, the evidence of ``all_of``,
"the same topic" completed only by its own signal, either-order sequences inside
``any_of``, and the timers a signal starts."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import numpy as np

from config.rules import Rule
from operators.match import evaluate, timers_for
from operators.problem import pack
from tests.unit.timelines import T0, rule, sig, window


def custom(when: dict[str, Any]) -> Rule:
    return Rule.model_validate({"id": "custom", "signal": "churn_risk", "when": when,
                                "recommended_action": "Call", "message": "Hi"})


def test_a_signal_exactly_a_window_before_is_outside_it() -> None:
    upgrade = rule("upgrade-intent")
    first, second = sig("upgrade_intent", 0), sig("upgrade_intent", 7 * 24)
    assert evaluate(upgrade, second, window([first, second])) is None
    just_inside = sig("upgrade_intent", 7 * 24 - 0.01)
    assert evaluate(upgrade, just_inside, window([first, just_inside])) is not None


def test_all_of_gathers_the_evidence_of_every_child() -> None:
    upgrade = rule("upgrade-intent")
    view, question = sig("upgrade_intent", 0), sig("api_question", 2)
    found = evaluate(upgrade, question, window([view, question]))
    assert found is not None
    assert [s.key for s in found.evidence] == [view.key, question.key]


def test_a_plain_count_carries_its_count_and_no_topic() -> None:
    upgrade = rule("upgrade-intent")
    signals = [sig("upgrade_intent", h) for h in (0, 1, 2)]
    found = evaluate(upgrade, signals[-1], window(signals))
    assert found is not None and found.details == {"count": 3}


def test_only_a_signal_of_the_counted_name_completes_the_same_topic() -> None:
    same_topic = custom({"count": {"of": "ticket", "same": "topic", "at_least": 2, "within": "7d"}})
    tickets = [sig("ticket", h, key=f"t{h}", topic="billing") for h in (0, 1)]
    other = sig("frustrated_ticket", 2, key="t9", topic="billing")
    assert evaluate(same_topic, tickets[-1], window(tickets)) is not None
    assert evaluate(same_topic, other, window([*tickets, other])) is None


def test_same_problem_needs_the_trigger_to_be_of_the_counted_name() -> None:
    repeat = rule("repeat-unresolved")
    fp = pack(np.ones(8, dtype=np.float32))
    tickets = [sig("ticket", h, key=f"t{h}", problem=fp) for h in (0, 1, 2)]
    other = sig("frustrated_ticket", 3, key="t3", problem=fp)
    assert evaluate(repeat, tickets[-1], window(tickets)) is not None
    assert evaluate(repeat, other, window([*tickets, other])) is None


def test_an_either_order_sequence_is_not_completed_by_a_signal_of_another_child() -> None:
    either = custom({"any_of": [
        {"count": {"of": "upgrade_intent", "at_least": 2, "within": "7d"}},
        {"sequence": {"first": "ticket", "then": "cancellation_terms_view", "within": "7d",
                      "either_order": True}}]})
    terms, view = sig("cancellation_terms_view", 0), sig("upgrade_intent", 1)
    assert evaluate(either, view, window([terms, view])) is None
    ticket = sig("ticket", 2)
    found = evaluate(either, ticket, window([terms, view, ticket]))
    assert found is not None and [s.key for s in found.evidence] == [terms.key, ticket.key]


def test_a_timer_judges_only_its_absence_not_a_sequence_beside_it() -> None:
    both = custom({"any_of": [
        {"sequence": {"first": "cart_completed", "then": "cart_started", "within": "7d"}},
        {"absence": {"first": "cart_started", "missing": "cart_completed", "within": "1h"}}]})
    done, started, again = sig("cart_completed", 0), sig("cart_started", 1), sig("cart_completed", 1.5)
    absence = both.when.absences()[0]
    due = started.at + absence.within
    assert evaluate(both, started, window([done, started, again]), due=due, absence=absence) is None


def test_an_absence_match_says_how_long_it_waited() -> None:
    abandonment = rule("abandonment")
    started = sig("cart_started", 0)
    absence = abandonment.when.absences()[0]
    due = started.at + absence.within
    found = evaluate(abandonment, started, window([started]), due=due, absence=absence)
    assert found is not None and found.details == {"waited": timedelta(hours=24)}
    assert found.at == T0 + timedelta(hours=24) and found.rule is abandonment
    assert found.account_id == "acct_42"


def test_a_signal_starts_the_timer_of_each_absence_it_opens() -> None:
    started = sig("cart_started", 0)
    [timer] = timers_for([rule("abandonment"), rule("upgrade-intent")], started)
    assert (timer.rule_id, timer.due, timer.first) == ("abandonment", T0 + timedelta(hours=24), started)
