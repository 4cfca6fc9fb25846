"""Rule ticket-frustration-gate, exactly as DESIGN.md states it."""

from datetime import UTC, datetime

import pytest

from operators.gate import FrustrationGate, gate_ticket, renewal_days
from operators.score import Score

AT = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


def s(score: int, risk: str | None = "high", signal: str = "churn_risk") -> Score:
    return Score(score, signal, "workflow", risk, 0.8)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("score", "account", "passed"),
    [
        (65, {"mrr": 1000}, True),          # ≥ 65 and MRR ≥ 1,000
        (64, {"mrr": 50_000}, False),       # just under 65, rich account, no renewal
        (65, {"mrr": 999.99}, False),       # MRR just under the floor
        (80, {"mrr": 0}, True),             # ≥ 80 whatever the MRR
        (80, None, True),                   # … even with no CRM record
        (79, {"mrr": 10}, False),
        (50, {"mrr": 10, "renewal_date": "2027-01-19"}, True),   # renewal in 60 days
        (50, {"mrr": 10, "renewal_date": "2027-01-20"}, False),  # 61 days
        (49, {"mrr": 10, "renewal_date": "2026-12-01"}, False),
        (50, {"mrr": 10, "renewal_date": "2026-11-19"}, False),  # renewal already passed
        (0, {"mrr": 1_000_000, "renewal_date": "2026-11-21"}, False),
    ],
)
def test_gate_thresholds(score: int, account: dict | None, passed: bool) -> None:
    assert gate_ticket(s(score), account, AT).passed is passed


def test_renewal_days_counted_from_the_ticket_time_not_today() -> None:
    assert renewal_days({"renewal_date": "2026-12-20"}, AT) == 30
    later = datetime(2026, 12, 10, tzinfo=UTC)
    assert renewal_days({"renewal_date": "2026-12-20"}, later) == 10


@pytest.mark.parametrize(
    ("score", "risk", "signal", "account", "priority"),
    [
        (88, "critical", "churn_risk", {"mrr": 5000}, "critical"),    # data-integrity ticket
        (82, "high", "churn_risk", {"renewal_date": "2026-12-15"}, "critical"),  # ≥80, renewal 25 d
        (82, "high", "churn_risk", {"renewal_date": "2027-01-15"}, "high"),      # renewal 56 d
        (82, "high", "churn_risk", {"renewal_date": "2026-12-20"}, "critical"),  # renewal 30 d
        (82, "high", "churn_risk", {"renewal_date": "2026-12-21"}, "high"),      # renewal 31 d
        (70, "high", "churn_risk", {"mrr": 5000}, "high"),
        (70, "medium-high", "upgrade_intent", {"mrr": 5000}, "medium"),
        (66, "medium-high", "billing_issue", {"mrr": 5000}, "low"),
    ],
)
def test_priority(score: int, risk: str, signal: str, account: dict, priority: str) -> None:
    decision = gate_ticket(s(score, risk, signal), account, AT)
    assert decision.passed
    assert decision.priority == priority


def test_miss_reason_says_what_was_missing() -> None:
    decision = gate_ticket(s(60), {"mrr": 400}, AT)
    assert not decision.passed
    assert "score 60" in decision.reason and "MRR 400" in decision.reason


def test_thresholds_are_tunable() -> None:
    strict = FrustrationGate(score_alone=90)
    assert not gate_ticket(s(85), {"mrr": 0}, AT, strict).passed
