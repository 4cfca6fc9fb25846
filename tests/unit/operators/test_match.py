"""Every default pattern rule of DESIGN.md: a case that fires and a near miss that does not."""

from datetime import timedelta

import numpy as np
import pytest

from config.rules import Rule, RulesFile
from operators.match import Match, evaluate, timers_for
from operators.problem import pack
from operators.signals import Signal
from tests.unit.timelines import RULES, T0, rule, sig, window


def run(rule_id: str, signals: list[Signal]) -> Match | None:
    """Evaluate the rule on the last signal, as the flow does when it arrives."""
    return evaluate(rule(rule_id), signals[-1], window(signals))


# -- repeat-unresolved: the same problem three times in 14 days --------------------------

def fingerprint(*components: float) -> str:
    return pack(np.array(components, dtype=np.float32))


SYNC = fingerprint(0.9, 0.1, 0.0, 0.1)
SYNC_REWORDED = fingerprint(0.8, 0.2, 0.1, 0.0)  # cosine ≈ 0.97 with SYNC
INVOICE = fingerprint(0.0, 0.1, 0.9, 0.1)


def test_repeat_unresolved_fires_on_the_third_report_of_one_problem() -> None:
    tickets = [sig("ticket", 0, topic="integration", problem=SYNC),
               sig("ticket", 100, topic="integration", problem=SYNC_REWORDED),
               sig("ticket", 300, topic="data_integrity", problem=SYNC)]
    found = run("repeat-unresolved", tickets)
    assert found is not None
    assert found.details == {"count": 3, "topic": "data_integrity"}
    assert [s.key for s in found.evidence] == [t.key for t in tickets]


def test_repeat_unresolved_near_misses() -> None:
    # third ticket 15 days after the first
    assert run("repeat-unresolved", [sig("ticket", h, problem=SYNC) for h in (0, 100, 360)]) is None
    # three tickets, two problems (whatever their topics say)
    mixed = [sig("ticket", 0, topic="integration", problem=INVOICE),
             sig("ticket", 1, topic="integration", problem=SYNC),
             sig("ticket", 2, topic="integration", problem=SYNC)]
    assert run("repeat-unresolved", mixed) is None
    # a reply to the same ticket is not a new ticket
    same = [sig("ticket", 0, key="t1", problem=SYNC), sig("ticket", 1, key="t1", problem=SYNC),
            sig("ticket", 2, key="t2", problem=SYNC)]
    assert run("repeat-unresolved", same) is None
    # a ticket without a fingerprint (scored before fingerprints existed) completes nothing
    assert run("repeat-unresolved", [sig("ticket", 0, problem=SYNC), sig("ticket", 1, problem=SYNC),
                                     sig("ticket", 2)]) is None


def same_topic_rule() -> Rule:
    rules = RulesFile.model_validate({"version": 1, "rules": [{
        "id": "repeat-topic", "signal": "churn_risk", "priority": "high",
        "recommended_action": "Call", "message": "Hi {first_name}",
        "when": {"count": {"of": "ticket", "same": "topic", "at_least": 3, "within": "14d"}}}]})
    return rules.rules[0]


def test_same_topic_counts_one_topic_whatever_the_wording() -> None:
    tickets = [sig("ticket", h, topic="integration", problem=p)
               for h, p in ((0, SYNC), (100, INVOICE), (300, SYNC))]
    found = evaluate(same_topic_rule(), tickets[-1], window(tickets))
    assert found is not None and found.details == {"count": 3, "topic": "integration"}
    mixed = [sig("ticket", 0, topic="billing"), sig("ticket", 1, topic="integration"),
             sig("ticket", 2, topic="integration")]
    assert evaluate(same_topic_rule(), mixed[-1], window(mixed)) is None


def test_future_signals_are_invisible_to_an_earlier_trigger() -> None:
    tickets = [sig("ticket", h, topic="data") for h in (0, 1, 2)]
    # evaluated on the second ticket while the third (later in event time) is already stored
    assert evaluate(rule("repeat-unresolved"), tickets[1], window(tickets)) is None


# -- upgrade-intent: two in 7 days, or one plus an API question ----------------------------

def test_upgrade_intent_two_signals_in_a_week() -> None:
    found = run("upgrade-intent", [sig("upgrade_intent", 0, kind="event"), sig("upgrade_intent", 150)])
    assert found is not None and len(found.evidence) == 2


def test_upgrade_intent_one_plus_api_question() -> None:
    assert run("upgrade-intent", [sig("upgrade_intent", 0), sig("api_question", 3)]) is not None


def test_upgrade_intent_near_misses() -> None:
    assert run("upgrade-intent", [sig("upgrade_intent", 0)]) is None
    assert run("upgrade-intent", [sig("upgrade_intent", 0), sig("upgrade_intent", 169)]) is None
    assert run("upgrade-intent", [sig("api_question", 0)]) is None


# -- cancellation-intent -----------------------------------------------------------------

def test_cancellation_question_fires_on_its_own() -> None:
    assert run("cancellation-intent", [sig("cancellation", 0)]) is not None
    assert run("cancellation-intent", [sig("full_export", 0)]) is not None


def test_cancellation_terms_view_within_7_days_of_a_ticket() -> None:
    found = run("cancellation-intent", [sig("ticket", 0), sig("cancellation_terms_view", 100, kind="event")])
    assert found is not None
    assert [s.name for s in found.evidence] == ["ticket", "cancellation_terms_view"]


def test_a_ticket_within_7_days_after_a_cancellation_terms_view() -> None:
    found = run("cancellation-intent", [sig("cancellation_terms_view", 0, kind="event"),
                                        sig("ticket", 100)])
    assert found is not None
    assert [s.name for s in found.evidence] == ["cancellation_terms_view", "ticket"]


def test_cancellation_terms_view_near_misses() -> None:
    # 8 days after the ticket, or 8 days before it
    assert run("cancellation-intent", [sig("ticket", 0), sig("cancellation_terms_view", 192)]) is None
    assert run("cancellation-intent", [sig("cancellation_terms_view", 0), sig("ticket", 192)]) is None
    # a view and no ticket at all
    assert run("cancellation-intent", [sig("cancellation_terms_view", 0)]) is None


# -- abandonment and inactivity: absences fired by timers ---------------------------------

def fire_timer(rule_id: str, first: Signal, later: list[Signal]) -> Match | None:
    r = rule(rule_id)
    timers = timers_for([r], first)
    assert timers, "the first signal must start a timer"
    timer = timers[0]
    absence = next(a for a in r.when.absences() if a.first == first.name)
    return evaluate(r, first, window([first, *later]), due=timer.due, absence=absence)


def test_abandoned_cart_fires_after_24_hours() -> None:
    started = sig("cart_started", 0, kind="event")
    assert fire_timer("abandonment", started, []) is not None
    assert timers_for([rule("abandonment")], started)[0].due == T0 + timedelta(hours=24)


def test_completed_cart_does_not_fire() -> None:
    started = sig("cart_started", 0, kind="event")
    assert fire_timer("abandonment", started, [sig("cart_completed", 23, kind="event")]) is None


def test_onboarding_abandonment() -> None:
    started = sig("onboarding_started", 0, kind="event")
    assert fire_timer("abandonment", started, []) is not None
    assert fire_timer("abandonment", started, [sig("onboarding_completed", 2, kind="event")]) is None


def test_inactivity_needs_a_recent_ticket_and_no_login() -> None:
    login = sig("login", 0, kind="event")
    ticket = sig("ticket", 24 * 5)
    assert fire_timer("inactivity", login, [ticket]) is not None
    # no ticket in the last 14 days: quiet, but nobody asked for help
    assert fire_timer("inactivity", login, []) is None
    # logged in again within 14 days
    assert fire_timer("inactivity", login, [ticket, sig("login", 24 * 13, kind="event")]) is None


def test_arrival_never_fires_an_absence_rule() -> None:
    assert run("abandonment", [sig("cart_started", 0, kind="event")]) is None


@pytest.mark.parametrize("rules", [RULES])
def test_every_default_rule_has_a_test_here(rules: RulesFile) -> None:
    tested = {"ticket-frustration-gate", "repeat-unresolved", "upgrade-intent", "cancellation-intent",
              "abandonment", "inactivity"}
    assert {r.id for r in rules.rules} == tested


# -- one candidate per alert and time -----------------------------------------------------

def test_distinct_keeps_the_first_of_each_alert_at_each_time() -> None:
    from operators.match import distinct

    upgrade = rule("upgrade-intent")
    a, b = sig("upgrade_intent", 0, "t1"), sig("api_question", 0, "t1")
    c = sig("upgrade_intent", 1, "t2")
    first = Match(upgrade, a.account_id, a.at, (a, b))
    same = Match(upgrade, a.account_id, a.at, (b, a))            # same records: the same alert
    later = Match(upgrade, a.account_id, c.at, (a, b))           # governed as of another time
    more = Match(upgrade, a.account_id, a.at, (a, b, c))         # other evidence: another alert
    kept = distinct([first, same, later, more])
    assert [m is first for m in kept] == [True, False, False]
    assert kept[1:] == [later, more]
