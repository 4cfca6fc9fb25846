"""What a governed candidate is published as: the next-morning marking and the held record."""

from datetime import UTC, datetime

from operators.govern import Candidate, Verdict
from operators.verdict_records import held_record, published_alert

AT = datetime(2026, 11, 20, 22, 0, tzinfo=UTC)
MORNING = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
ALERT = {"id": "a1", "type": "io.cuewire.alert.churn_risk", "data": {"rule": "r", "summary": "s"}}


def candidate() -> Candidate:
    return Candidate("a1", "r", "acct_42", "churn_risk", "high", False, AT, None, None, alert=ALERT)


def test_an_alert_outside_working_hours_is_marked_for_the_next_morning() -> None:
    body = published_alert(Verdict(candidate(), "publish", "ok", True, MORNING))
    assert body["data"]["queue"] == "next_morning"
    assert body["data"]["deliver_after"] == "2026-11-23T09:00:00Z"
    assert body["data"]["summary"] == "s" and body["id"] == "a1"
    assert "queue" not in ALERT["data"]  # the candidate's alert is not changed


def test_an_alert_inside_working_hours_is_published_as_rendered_naming_its_thread() -> None:
    assert published_alert(Verdict(candidate(), "publish", "ok")) == {
        **ALERT, "data": {**ALERT["data"], "thread_id": "a1"}}


def test_held_records_say_suppressed_or_deferred_with_an_id_of_the_decision() -> None:
    suppressed = held_record(Verdict(candidate(), "suppressed", "cooldown"), now=AT, deployment="d")
    deferred = held_record(Verdict(candidate(), "deferred", "daily_cap", retry_at=MORNING),
                           now=AT, deployment="d")
    assert suppressed["type"] == "io.cuewire.digest.suppressed"
    assert deferred["type"] == "io.cuewire.digest.deferred"
    assert suppressed["data"]["alert"] == ALERT["data"]
    again = held_record(Verdict(candidate(), "suppressed", "cooldown"), now=MORNING, deployment="d")
    assert again["id"] == suppressed["id"] != deferred["id"]
    other = held_record(Verdict(candidate(), "suppressed", "consent"), now=AT, deployment="d")
    assert other["id"] != suppressed["id"]
