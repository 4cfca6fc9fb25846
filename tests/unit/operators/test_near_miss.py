"""Near misses of every default rule: reported with the right words and closeness; far misses not."""

from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np

from operators.gate import FrustrationGate, gate_ticket
from operators.match import evaluate
from operators.near_miss import NearMiss, near_miss, near_miss_ticket
from operators.problem import pack
from operators.score import Score
from operators.signals import Signal
from tests.unit.timelines import T0, rule, sig, window


def miss(rule_id: str, signals: list[Signal], **kw: Any) -> NearMiss | None:
    """Judge the rule on the last signal, as the flow does where evaluate() found no match."""
    trigger = signals[-1]
    assert evaluate(rule(rule_id), trigger, window(signals)) is None
    return near_miss(rule(rule_id), trigger, window(signals), trigger.at, **kw)


def timer_miss(rule_id: str, first: Signal, signals: list[Signal]) -> NearMiss | None:
    """Judge the rule when the absence timer started by ``first`` fires."""
    r = rule(rule_id)
    [absence] = [a for a in r.when.absences() if a.first == first.name]
    due = first.at + absence.within
    assert evaluate(r, first, window(signals), due=due, absence=absence) is None
    return near_miss(r, first, window(signals), due, absence=absence)


# -- ticket-frustration-gate ---------------------------------------------------------------------

def gate_miss(score: int, account: dict[str, Any] | None, **kw: Any) -> NearMiss | None:
    at = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
    decision = gate_ticket(Score(score, "churn_risk", "workflow", "high", 0.8), account, at)
    return near_miss_ticket(decision, score, account, account_id="acct_42", at=at, ticket_id="t-9", **kw)


def test_gate_score_short_of_65_with_mrr() -> None:
    found = gate_miss(58, {"mrr": 3200})
    assert found is not None
    assert found.rule_id == "ticket-frustration-gate"
    assert found.closeness == round(58 / 65, 3)
    assert found.missing.startswith("7 more points of frustration")
    assert "MRR 3,200" in found.missing
    assert found.evidence == ("t-9",)


def test_gate_near_renewal_and_mrr_floor() -> None:
    near_renewal = gate_miss(45, {"mrr": 10, "renewal_date": "2026-12-20"})
    assert near_renewal is not None and near_renewal.closeness == 0.9
    assert "5 more points of frustration" in near_renewal.missing
    assert "renewal within 60 days" in near_renewal.missing
    # Score 70 with MRR 800: 10 points short of "whatever the MRR" (0.875) beats MRR 800/1,000.
    small = gate_miss(70, {"mrr": 800})
    assert small is not None and small.closeness == 0.875
    assert small.missing.startswith("10 more points of frustration")
    # Score 75 with MRR 950: the MRR floor is the closest way (0.95).
    floor = gate_miss(75, {"mrr": 950})
    assert floor is not None and floor.missing == "an MRR of at least 1,000 (it is 950)"


def test_gate_far_misses_and_passes_are_not_reported() -> None:
    assert gate_miss(20, {"mrr": 300}) is None
    assert gate_miss(30, None) is None
    assert gate_miss(65, {"mrr": 1000}) is None   # passed: an alert, not a near miss
    assert gate_miss(58, {"mrr": 3200}, min_closeness=0.95) is None


def test_gate_uses_the_rules_thresholds() -> None:
    lenient = FrustrationGate(score_with_mrr=60)
    at = datetime(2026, 11, 20, tzinfo=UTC)
    decision = gate_ticket(Score(58, "churn_risk", None, None, 0.5), {"mrr": 3200}, at, lenient)
    found = near_miss_ticket(decision, 58, {"mrr": 3200}, account_id="a", at=at, ticket_id="t",
                             gate=lenient)
    assert found is not None and found.missing.startswith("2 more points")


# -- repeat-unresolved ---------------------------------------------------------------------------

SYNC = pack(np.array([0.9, 0.1, 0.0, 0.1], dtype=np.float32))
INVOICE = pack(np.array([0.0, 0.1, 0.9, 0.1], dtype=np.float32))


def test_repeat_unresolved_two_of_three() -> None:
    found = miss("repeat-unresolved", [sig("ticket", h, topic="integration", problem=SYNC)
                                       for h in (0, 100)])
    assert found is not None
    assert found.missing == "1 more ticket about the same integration problem (2 of 3 within 14 days)"
    assert found.closeness == 0.667
    assert found.evidence == ("ticket-0", "ticket-100")
    assert found.at == T0 + timedelta(hours=100)


def test_repeat_unresolved_counts_only_the_triggers_problem_and_window() -> None:
    mixed = [sig("ticket", 0, problem=INVOICE), sig("ticket", 1, problem=INVOICE),
             sig("ticket", 2, problem=SYNC)]
    assert miss("repeat-unresolved", mixed) is None  # 1 of 3 about the sync problem
    late = [sig("ticket", h, problem=SYNC) for h in (0, 100, 360)]  # the first fell out of 14 days
    found = miss("repeat-unresolved", late)
    assert found is not None and found.closeness == 0.667


def test_repeat_unresolved_far_miss() -> None:
    assert miss("repeat-unresolved", [sig("ticket", 0, topic="integration", problem=SYNC)]) is None


# -- upgrade-intent ------------------------------------------------------------------------------

def test_upgrade_intent_one_signal_is_half_way() -> None:
    found = miss("upgrade-intent", [sig("upgrade_intent", 0, kind="event")])
    assert found is not None
    assert found.closeness == 0.5
    assert found.missing == "1 more upgrade-intent signal (1 of 2 within 7 days)"
    assert miss("upgrade-intent", [sig("upgrade_intent", 0)], min_closeness=0.6) is None


def test_upgrade_intent_far_misses() -> None:
    assert miss("upgrade-intent", [sig("api_question", 0)]) is None
    # the earlier signal is 8 days old: one in the window again
    found = miss("upgrade-intent", [sig("upgrade_intent", 0), sig("upgrade_intent", 200)])
    assert found is not None and found.evidence == ("upgrade_intent-200",)


# -- cancellation-intent -------------------------------------------------------------------------

def test_cancellation_terms_view_too_long_after_the_ticket() -> None:
    found = miss("cancellation-intent", [sig("ticket", 0), sig("cancellation_terms_view", 216, kind="event")])
    assert found is not None
    assert found.missing == "a cancellation-terms view within 7 days of the ticket (it came 9 days after)"
    assert found.closeness == round(7 / 9, 3)
    assert found.evidence == ("ticket-0", "cancellation_terms_view-216")


def test_cancellation_terms_view_without_a_ticket() -> None:
    found = miss("cancellation-intent", [sig("cancellation_terms_view", 0, kind="event")])
    assert found is not None and found.closeness == 0.5
    assert found.missing == "a ticket within 7 days before the cancellation-terms view"


def test_cancellation_terms_view_before_the_ticket_is_a_match_not_a_miss() -> None:
    # The rule reads the two in either order: a view two days before the ticket alerts.
    signals = [sig("cancellation_terms_view", 0, kind="event"), sig("ticket", 48)]
    assert evaluate(rule("cancellation-intent"), signals[-1], window(signals)) is not None
    assert near_miss(rule("cancellation-intent"), signals[-1], window(signals), signals[-1].at) is None


def test_cancellation_far_misses() -> None:
    # a ticket alone is not a miss yet: the view may still come
    assert miss("cancellation-intent", [sig("ticket", 0)]) is None
    # a view more than 7 days before the ticket: too far apart in either order
    assert miss("cancellation-intent", [sig("cancellation_terms_view", 0, kind="event"),
                                        sig("ticket", 200)]) is None


# -- abandonment ---------------------------------------------------------------------------------

def test_cart_completed_just_in_time() -> None:
    start = sig("cart_started", 0, kind="event")
    found = timer_miss("abandonment", start, [start, sig("cart_completed", 23, kind="event")])
    assert found is not None
    assert found.closeness == round(23 / 24, 3)
    assert found.missing == ("1 hour more without a checkout completion "
                             "(one came 23 hours after the cart start)")
    assert found.at == start.at + timedelta(hours=24)


def test_abandonment_far_misses() -> None:
    start = sig("onboarding_started", 0, kind="event")
    assert timer_miss("abandonment", start, [start, sig("onboarding_completed", 2, kind="event")]) is None
    # before its timer, an absence is still running: nothing to judge
    assert miss("abandonment", [start]) is None


# -- inactivity ----------------------------------------------------------------------------------

def test_login_after_twelve_silent_days_with_a_ticket() -> None:
    first = sig("login", 0, kind="event")
    signals = [first, sig("ticket", 72), sig("login", 12 * 24, kind="event")]
    found = timer_miss("inactivity", first, signals)
    assert found is not None
    assert found.closeness == round(12 / 14, 3)
    assert found.missing == "2 days more without a login (one came 12 days after the last)"
    assert set(found.evidence) == {"login-0", "login-288", "ticket-72"}


def test_inactivity_far_misses() -> None:
    first = sig("login", 0, kind="event")
    assert timer_miss("inactivity", first, [first, sig("ticket", 1), sig("login", 48, kind="event")]) is None
    # silent for 14 days but no ticket: the half that matters is missing entirely
    assert timer_miss("inactivity", first, [first]) is None


# -- properties ----------------------------------------------------------------------------------

def test_a_match_is_never_a_near_miss() -> None:
    tickets = [sig("ticket", h, topic="data") for h in (0, 1, 2)]
    assert near_miss(rule("repeat-unresolved"), tickets[-1], window(tickets), tickets[-1].at) is None


def test_deterministic_and_leaves_its_input_alone() -> None:
    signals = [sig("ticket", 0), sig("cancellation_terms_view", 216, kind="event")]
    w = window(signals)
    before = {k: list(v) for k, v in w.items()}
    first = near_miss(rule("cancellation-intent"), signals[-1], w, signals[-1].at)
    assert first == near_miss(rule("cancellation-intent"), signals[-1], w, signals[-1].at)
    assert w == before


def test_json_round_trip() -> None:
    found = miss("repeat-unresolved", [sig("ticket", h, problem=SYNC) for h in (0, 100)])
    assert found is not None
    assert NearMiss.from_json(found.to_json()) == found


def test_evidence_is_the_most_recent_few() -> None:
    tickets = [sig("ticket", h, problem=SYNC) for h in (0, 100)]
    found = near_miss(rule("repeat-unresolved"), tickets[-1], window(tickets), tickets[-1].at,
                      evidence_limit=1)
    assert found is not None and found.evidence == ("ticket-100",)
