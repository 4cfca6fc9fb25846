"""Candidate alerts: promotional or not, and the rules' account conditions as of the match."""

from datetime import UTC, datetime, timedelta

from config.rules import PropertyCondition
from operators.candidates import match_candidate, snapshot_at, ticket_candidate
from operators.gate import RULE_ID, GateDecision
from operators.match import Match
from operators.records import Ticket
from operators.score import Score
from tests.unit.timelines import T0, rule, sig

AT = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
PASSED = GateDecision(True, "score 80", "high", None)


def ticket() -> Ticket:
    return Ticket("rec-1", "generic:t1", "generic", "created", "Upgrade?", "We want more seats",
                  AT, requester_email="dana@acme.io")


def candidate_for(signal: str | None) -> object:
    return ticket_candidate(ticket=ticket(), score=Score(80, signal, None, None, 0.9),
                            decision=PASSED, account_id="acct_42", account={"name": "Acme"},
                            detected_at=AT, deployment="test")


def test_a_ticket_alert_that_signals_an_upgrade_is_promotional() -> None:
    upgrade = candidate_for("upgrade_intent")
    assert upgrade.promotional is True  # type: ignore[attr-defined]
    assert upgrade.signal == "upgrade_intent"  # type: ignore[attr-defined]


def test_a_ticket_alert_of_any_other_signal_is_not_promotional() -> None:
    for signal in ("churn_risk", "cancellation_intent", None):
        assert candidate_for(signal).promotional is False  # type: ignore[attr-defined]


def test_a_ticket_candidate_carries_its_rendered_alert_and_contact() -> None:
    c = candidate_for("churn_risk")
    assert c.rule_id == RULE_ID and c.alert_id == c.alert["id"]  # type: ignore[attr-defined]
    assert c.contact_email == "dana@acme.io" and c.at == AT  # type: ignore[attr-defined]
    assert c.priority == "high"  # type: ignore[attr-defined]


def vip_match() -> Match:
    vip = rule("upgrade-intent").model_copy(update={
        "account": [PropertyCondition(field="segment", equals="vip")]})
    evidence = (sig("upgrade_intent", 0, kind="event"), sig("upgrade_intent", 5, kind="event"))
    return Match(vip, "acct_42", evidence[-1].at, evidence)


def test_a_pattern_on_an_account_that_meets_the_rules_conditions_is_a_candidate() -> None:
    found = match_candidate(vip_match(), {"segment": "vip"}, detected_at=AT, deployment="test")
    assert found is not None
    assert found.promotional is True and found.rule_id == "upgrade-intent"
    assert found.cooldown == rule("upgrade-intent").cooldown


def test_a_pattern_on_an_account_that_does_not_meet_them_is_dropped() -> None:
    assert match_candidate(vip_match(), {"segment": "smb"}, detected_at=AT, deployment="test") is None
    assert match_candidate(vip_match(), None, detected_at=AT, deployment="test") is None


def test_the_snapshot_is_the_one_in_force_when_the_pattern_completed() -> None:
    ms = int(T0.timestamp() * 1000)
    history = ((ms - 1000, {"segment": "vip"}), (ms + 3_600_000, {"segment": "smb"}))
    versions = {("account", "acct_42"): history}
    assert snapshot_at(versions, "acct_42", T0) == {"segment": "vip"}
    assert snapshot_at(versions, "acct_42", T0 + timedelta(hours=2)) == {"segment": "smb"}
    assert snapshot_at(versions, "acct_7", T0) is None


def test_a_pattern_candidates_id_is_its_rule_account_and_evidence() -> None:
    first = match_candidate(vip_match(), {"segment": "vip"}, detected_at=AT, deployment="test")
    later = match_candidate(vip_match(), {"segment": "vip"}, detected_at=AT + timedelta(days=1),
                            deployment="test")
    assert first is not None and later is not None and first.alert_id == later.alert_id
