"""Near misses along the paths the weekly digest reads least often: "the same topic" counts,
either-order sequences, and the gate's ways through at their boundaries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from config.rules import Rule
from operators.gate import FrustrationGate, gate_ticket
from operators.near_miss import near_miss, near_miss_ticket
from operators.score import Score
from tests.unit.timelines import T0, sig, window

AT = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


def custom(when: dict[str, Any]) -> Rule:
    return Rule.model_validate({"id": "custom", "signal": "churn_risk", "when": when,
                                "recommended_action": "Call", "message": "Hi"})


SAME_TOPIC = custom({"count": {"of": "ticket", "same": "topic", "at_least": 3, "within": "14d"}})


def test_same_topic_counts_the_triggers_topic() -> None:
    tickets = [sig("ticket", 0, key="t0", topic="billing"), sig("ticket", 1, key="t1", topic="data_export"),
               sig("ticket", 2, key="t2", topic="billing")]
    found = near_miss(SAME_TOPIC, tickets[-1], window(tickets), tickets[-1].at, min_closeness=0.0)
    assert found is not None and found.account_id == "acct_42" and found.rule_id == "custom"
    assert found.closeness == 0.667 and found.at == tickets[-1].at
    assert found.missing == "1 more ticket about billing (2 of 3 within 14 days)"
    assert found.evidence == ("t0", "t2")


def test_same_topic_triggered_by_another_signal_shows_the_closest_topic() -> None:
    tickets = [sig("ticket", 0, key="t0", topic="data_export"), sig("ticket", 1, key="t1", topic="billing"),
               sig("ticket", 2, key="t2", topic="billing"), sig("ticket", 3, key="t3")]
    login = sig("login", 4)
    found = near_miss(SAME_TOPIC, login, window([*tickets, login]), login.at, min_closeness=0.0)
    assert found is not None and found.missing == "1 more ticket about billing (2 of 3 within 14 days)"
    assert found.evidence == ("t1", "t2")
    alone = near_miss(SAME_TOPIC, login, window([sig("ticket", 0, key="t0"), login]), login.at,
                      min_closeness=0.0)
    assert alone is not None and alone.closeness == 0.0
    assert alone.missing == "3 more tickets about one topic (0 of 3 within 14 days)"


def test_either_order_second_step_first_is_a_match_not_a_near_miss() -> None:
    both = custom({"all_of": [
        {"sequence": {"first": "ticket", "then": "cancellation_terms_view", "within": "7d",
                      "either_order": True}},
        {"count": {"of": "upgrade_intent", "at_least": 2, "within": "7d"}}]})
    terms, ticket, view = sig("cancellation_terms_view", 0), sig("ticket", 1), sig("upgrade_intent", 0.5)
    found = near_miss(both, ticket, window([terms, view, ticket]), ticket.at, min_closeness=0.0)
    assert found is not None
    assert found.closeness == 0.5 and found.missing.startswith("1 more upgrade")
    assert set(found.evidence) == {terms.key, ticket.key, view.key}


def test_a_sequence_just_outside_its_window_is_close_and_says_how_late() -> None:
    seq = custom({"sequence": {"first": "ticket", "then": "cancellation_terms_view", "within": "7d"}})
    ticket, terms = sig("ticket", 0), sig("cancellation_terms_view", 7 * 24 + 12)
    found = near_miss(seq, terms, window([ticket, terms]), terms.at, min_closeness=0.0)
    assert found is not None and found.closeness == round(7 / 7.5, 3)
    assert found.missing == "a cancellation-terms view within 7 days of the ticket (it came 8 days after)"
    assert found.at == T0 + timedelta(days=7, hours=12) and found.evidence == (ticket.key, terms.key)


DEFAULT_GATE = FrustrationGate()


def gate_miss(score: int, account: dict[str, Any] | None, min_closeness: float = 0.0,
              gate: FrustrationGate = DEFAULT_GATE) -> Any:
    decision = gate_ticket(Score(score, "churn_risk", None, None, 0.5), account, AT, gate)
    return near_miss_ticket(decision, score, account, account_id="acct_42", at=AT, ticket_id="t-9",
                            gate=gate, min_closeness=min_closeness)


def test_the_gate_near_miss_names_its_account_and_time() -> None:
    found = gate_miss(58, {"mrr": 3200})
    assert (found.account_id, found.at, found.evidence) == ("acct_42", AT, ("t-9",))


def test_an_mrr_at_the_floor_is_not_short_of_it() -> None:
    found = gate_miss(60, {"mrr": 1000})
    assert found.missing.startswith("5 more points of frustration (score 60 of 65 needed with MRR 1,000)")
    assert "an MRR of at least" not in found.missing


def test_no_mrr_is_as_far_as_can_be_from_the_floor() -> None:
    found = gate_miss(64, {"mrr": 0})
    assert found.closeness == 0.8  # 64 of 80 whatever the MRR; MRR 0 of 1,000 counts nothing
    unknown = gate_miss(64, None)
    assert unknown.closeness == 0.8 and "MRR unknown" not in unknown.missing


def test_a_renewal_today_or_at_the_window_edge_is_within_it() -> None:
    today = gate_miss(45, {"mrr": 10, "renewal_date": "2026-11-20"})
    assert today.closeness == 0.9 and "renewal passed" not in today.missing
    edge = gate_miss(45, {"mrr": 10, "renewal_date": "2027-01-19"})  # 60 days
    assert edge.closeness == 0.9 and "(it is in" not in edge.missing
    far = gate_miss(45, {"mrr": 10, "renewal_date": "2027-03-20"},  # 120 days: half as close
                    gate=FrustrationGate(score_alone=100))
    assert far.closeness == 0.45 and "a renewal within 60 days (it is in 120)" in far.missing


def test_a_near_miss_exactly_at_the_threshold_is_reported() -> None:
    assert gate_miss(52, {"mrr": 3200}, min_closeness=0.8) is not None  # 52 of 65 = 0.8
    assert gate_miss(51, {"mrr": 3200}, min_closeness=0.8) is None


def test_of_equally_close_ways_the_headline_one_is_named() -> None:
    """Score 40 with MRR 2,000 is 40/65 with MRR; with renewal in 96 days 40/50 × 60/96 = 0.5 ...
    and with a tie the score-with-MRR way, tried first, is the one shown."""
    gate = FrustrationGate(score_with_mrr=80, score_alone=80)
    found = gate_miss(40, {"mrr": 2000}, gate=gate)
    assert found.closeness == 0.5
    assert found.missing == "40 more points of frustration (score 40 of 80 needed with MRR 2,000)"
