"""The ticket gate at its edges: a renewal today, the critical-priority window, and the
reasons a decision gives (the alert and the digest show them)."""

from __future__ import annotations

from datetime import UTC, datetime

from operators.gate import FrustrationGate, gate_ticket
from operators.score import Score

AT = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
GATE = FrustrationGate()


def s(score: int, risk: str | None = "high", signal: str | None = "churn_risk") -> Score:
    return Score(score, signal, "workflow", risk, 0.8)  # type: ignore[arg-type]


def test_a_renewal_today_is_near() -> None:
    decision = gate_ticket(s(50), {"mrr": 10, "renewal_date": "2026-11-20"}, AT)
    assert decision.passed and decision.renewal_days == 0
    assert decision.reason == "renewal in 0 days and score 50 ≥ 50"
    assert decision.priority == "high"  # critical near renewal only with a score of 80 or more


def test_priority_is_critical_for_a_top_score_within_the_critical_renewal_window() -> None:
    for renewal, expected in (("2026-11-20", "critical"), ("2026-12-20", "critical"),
                              ("2026-12-21", "high"), ("2026-11-19", "high")):
        decision = gate_ticket(s(80), {"renewal_date": renewal}, AT)
        assert decision.priority == expected, renewal
    assert gate_ticket(s(79), {"mrr": 5000, "renewal_date": "2026-11-25"}, AT).priority == "high"
    assert gate_ticket(s(70, risk="critical"), {"mrr": 5000}, AT).priority == "critical"


def test_priority_follows_the_signal_below_critical() -> None:
    assert gate_ticket(s(85, signal="upgrade_intent"), None, AT).priority == "medium"
    assert gate_ticket(s(85, signal="billing_issue"), None, AT).priority == "low"


def test_each_way_through_says_which() -> None:
    assert gate_ticket(s(80), None, AT).reason == "score 80 ≥ 80"
    assert gate_ticket(s(65), {"mrr": 1000}, AT).reason == "score 65 ≥ 65 and MRR 1,000 ≥ 1,000"
    decision = gate_ticket(s(50), {"mrr": 10, "renewal_date": "2027-01-19"}, AT)
    assert (decision.reason, decision.renewal_days) == ("renewal in 60 days and score 50 ≥ 50", 60)


def test_a_miss_says_what_it_was_measured_against() -> None:
    decision = gate_ticket(s(40), {"mrr": 200, "renewal_date": "2027-01-29"}, AT)
    assert not decision.passed and decision.priority == "low" and decision.renewal_days == 70
    assert decision.reason == ("score 40 below the gate (80; 65 with MRR ≥ 1,000; 50 within 60 days of "
                               "renewal) with MRR 200, renewal in 70 days")
    assert gate_ticket(s(40), None, AT).reason.endswith("with unknown MRR, no renewal date")


def test_a_renewal_given_as_a_timestamp_counts_its_date() -> None:
    from operators.gate import renewal_days
    assert renewal_days({"renewal_date": "2026-12-20T00:00:00Z"}, AT) == 30
