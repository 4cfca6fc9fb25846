"""Near misses along the paths the weekly digest reads least often: "the same topic" counts,
either-order sequences, and the gate's ways through at their boundaries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from config.rules import Rule
from operators.gate import FrustrationGate, gate_ticket
from operators.near_miss import near_miss, near_miss_ticket
from operators.rule_progress import evaluate
from operators.score import Score
from tests.unit.timelines import T0, sig, window

AT = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


def custom(when: dict[str, Any]) -> Rule:
    return Rule.model_validate({"id": "custom", "signal": "churn_risk", "when": when,
                                "recommended_action": "Call", "message": "Hi"})


SAME_TOPIC = custom({"count": {"of": "ticket", "same": "topic", "at_least": 3, "within": "14d"}})


def test_same_topic_counts_the_triggers_topic() -> None:
    """Even when another topic has come up more often: the trigger's topic is the one it completes."""
    tickets = [sig("ticket", 0, key="t0", topic="billing"), sig("ticket", 1, key="t1", topic="billing"),
               sig("ticket", 2, key="t2", topic="data_export")]
    found = near_miss(SAME_TOPIC, tickets[-1], window(tickets), tickets[-1].at, min_closeness=0.0)
    assert found is not None and found.account_id == "acct_42" and found.rule_id == "custom"
    assert found.closeness == 0.333 and found.at == tickets[-1].at
    assert found.missing == "2 more tickets about data export (1 of 3 within 14 days)"
    assert found.evidence == ("t2",)


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


SEQUENCE = custom({"sequence": {"first": "ticket", "then": "cancellation_terms_view", "within": "7d"}})


def test_the_second_step_before_the_first_is_close_in_the_wrong_order() -> None:
    terms, ticket = sig("cancellation_terms_view", 0), sig("ticket", 1)
    found = near_miss(SEQUENCE, ticket, window([terms, ticket]), ticket.at, min_closeness=0.0)
    assert found is not None and found.closeness == 0.75
    assert found.missing == "a cancellation-terms view after the ticket (one came 1 hour before it)"
    assert found.evidence == (terms.key, ticket.key)


def test_a_second_step_that_completed_an_earlier_first_is_not_a_near_miss_again() -> None:
    earlier, terms, ticket = sig("ticket", -2), sig("cancellation_terms_view", 0), sig("ticket", 1)
    assert near_miss(SEQUENCE, ticket, window([earlier, terms, ticket]), ticket.at, min_closeness=0.0) is None
    long_ago = sig("ticket", -8 * 24)  # too long before the terms view to have completed it
    found = near_miss(SEQUENCE, ticket, window([long_ago, terms, ticket]), ticket.at, min_closeness=0.0)
    assert found is not None and found.closeness == 0.75


def test_a_met_sequence_counts_fully_inside_all_of() -> None:
    both = custom({"all_of": [
        {"sequence": {"first": "ticket", "then": "cancellation_terms_view", "within": "7d"}},
        {"count": {"of": "upgrade_intent", "at_least": 2, "within": "7d"}}]})
    ticket, view, terms = sig("ticket", 0), sig("upgrade_intent", 0.5), sig("cancellation_terms_view", 1)
    found = near_miss(both, terms, window([ticket, view, terms]), terms.at, min_closeness=0.0)
    assert found is not None and found.closeness == 0.5
    assert found.missing == "1 more upgrade-intent signal (1 of 2 within 7 days)"
    assert set(found.evidence) == {ticket.key, view.key, terms.key}


def test_at_a_timer_only_the_absence_is_judged() -> None:
    both = custom({"any_of": [
        {"sequence": {"first": "cart_completed", "then": "cart_started", "within": "7d"}},
        {"absence": {"first": "cart_started", "missing": "cart_completed", "within": "1h"}}]})
    done, started, again = sig("cart_completed", 0), sig("cart_started", 1), sig("cart_completed", 1.5)
    absence = both.when.absences()[0]
    found = near_miss(both, started, window([done, started, again]), started.at + absence.within,
                      absence=absence, min_closeness=0.0)
    assert found is not None and found.closeness == 0.5


def test_of_equally_close_children_of_any_of_the_first_is_named() -> None:
    either = custom({"any_of": [{"count": {"of": "upgrade_intent", "at_least": 2, "within": "7d"}},
                                {"count": {"of": "api_question", "at_least": 2, "within": "7d"}}]})
    view, question = sig("upgrade_intent", 0), sig("api_question", 1)
    found = near_miss(either, question, window([view, question]), question.at, min_closeness=0.0)
    assert found is not None and found.missing.startswith("1 more upgrade-intent signal")


def test_a_count_near_miss_leaves_out_a_signal_exactly_a_window_before() -> None:
    upgrade = custom({"count": {"of": "upgrade_intent", "at_least": 3, "within": "7d"}})
    old, new = sig("upgrade_intent", 0), sig("upgrade_intent", 7 * 24)
    found = near_miss(upgrade, new, window([old, new]), new.at, min_closeness=0.0)
    assert found is not None and found.closeness == 0.333 and found.evidence == (new.key,)


def test_no_evidence_limit_names_no_evidence() -> None:
    upgrade = custom({"count": {"of": "upgrade_intent", "at_least": 3, "within": "7d"}})
    new = sig("upgrade_intent", 1)
    found = near_miss(upgrade, new, window([new]), new.at, min_closeness=0.0, evidence_limit=0)
    assert found is not None and found.evidence == ()


def test_a_near_miss_read_back_without_evidence_has_none() -> None:
    from operators.near_miss import NearMiss
    data = {"account_id": "a", "rule_id": "r", "missing": "m", "closeness": 0.5, "at": AT.isoformat()}
    assert NearMiss.from_json(data).evidence == ()


def test_the_gate_near_miss_words_for_each_way() -> None:
    alone = gate_miss(70, {"mrr": 800})
    assert alone.missing == "10 more points of frustration (score 70 of 80 needed whatever the MRR)"
    two_parts = gate_miss(60, {"mrr": 900}, gate=FrustrationGate(score_alone=100))
    assert two_parts.missing == ("5 more points of frustration (score 60 of 65 needed with MRR 900); and "
                                 "an MRR of at least 1,000 (it is 900)")
    assert gate_miss(0, None, min_closeness=0.0).closeness == 0.0


def test_a_same_problem_near_miss_counts_only_tickets_of_the_triggers_problem() -> None:
    import numpy as np

    from operators.problem import pack
    repeat = custom({"count": {"of": "ticket", "same": "problem", "at_least": 3, "within": "14d"}})
    sync, invoice = (pack(np.array(v, dtype=np.float32)) for v in ([1, 0, 0, 0], [0, 0, 1, 0]))
    other, trigger = sig("ticket", 0, key="t0", problem=invoice), sig("ticket", 1, key="t1", problem=sync)
    found = near_miss(repeat, trigger, window([other, trigger]), trigger.at, min_closeness=0.0)
    assert found is not None and found.closeness == 0.333 and found.evidence == ("t1",)


def test_a_single_missing_signal_is_named_with_its_article() -> None:
    both = custom({"all_of": [{"count": {"of": "upgrade_intent", "at_least": 1, "within": "7d"}},
                              {"count": {"of": "api_question", "at_least": 1, "within": "7d"}}]})
    view = sig("upgrade_intent", 0)
    found = near_miss(both, view, window([view]), view.at, min_closeness=0.0)
    assert found is not None and found.missing == "an API question within 7 days"


def test_same_topic_triggered_by_another_signal_ignores_that_signals_topic() -> None:
    tickets = [sig("ticket", h, key=f"t{h}", topic="billing") for h in (0, 1)]
    frustrated = sig("frustrated_ticket", 2, key="t9", topic="data_export")
    found = near_miss(SAME_TOPIC, frustrated, window([*tickets, frustrated]), frustrated.at,
                      min_closeness=0.0)
    assert found is not None and found.missing == "1 more ticket about billing (2 of 3 within 14 days)"


def test_a_signal_the_words_do_not_know_is_named_after_itself() -> None:
    seats = custom({"count": {"of": "seat_limit", "at_least": 2, "within": "1d"}})
    hit = sig("seat_limit", 0)
    found = near_miss(seats, hit, window([hit]), hit.at, min_closeness=0.0)
    assert found is not None and found.missing == "1 more seat limit (1 of 2 within 24 hours)"
    three = custom({"count": {"of": "seat_limit", "at_least": 3, "within": "1d"}})
    found = near_miss(three, hit, window([hit]), hit.at, min_closeness=0.0)
    assert found is not None and found.missing == "2 more seat limits (1 of 3 within 24 hours)"


def test_an_absence_broken_early_says_how_many_minutes_were_left() -> None:
    quick = custom({"absence": {"first": "cart_started", "missing": "cart_completed", "within": "1h"}})
    started, done = sig("cart_started", 0), sig("cart_completed", 1 / 3)
    absence = quick.when.absences()[0]
    found = near_miss(quick, started, window([started, done]), started.at + absence.within,
                      absence=absence, min_closeness=0.0)
    assert found is not None
    assert found.missing == ("40 minutes more without a checkout completion "
                             "(one came 20 minutes after the cart start)")


def test_a_sequence_exactly_one_window_apart_is_a_near_miss_not_a_match() -> None:
    """Windows are half-open, (at - within, at]: a first step exactly 7 days before the second
    is outside, so the rule does not fire, and the digest must still hear of it."""
    seq = custom({"sequence": {"first": "ticket", "then": "cancellation_terms_view", "within": "7d"}})
    ticket, terms = sig("ticket", 0), sig("cancellation_terms_view", 7 * 24)
    progress = evaluate(seq, terms, window([ticket, terms]))
    assert progress is not None and progress.match is None
    found = near_miss(seq, terms, window([ticket, terms]), terms.at, min_closeness=0.0)
    assert found is not None and 0.99 <= found.closeness < 1
    assert found.missing == "a cancellation-terms view within 7 days of the ticket (it came 7 days after)"
