"""A pattern alert as its reader sees it: the span of its evidence, and whom it greets."""

from datetime import UTC, datetime, timedelta
from typing import Any

from operators.match import Match
from operators.render_match import render_match_alert
from operators.signals import Signal
from tests.unit.timelines import rule

AT = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


def alert(*evidence: Signal, account: dict[str, Any] | None = None) -> dict[str, Any]:
    match = Match(rule("upgrade-intent"), "acct_42", evidence[-1].at, evidence, {})
    return render_match_alert(match=match, alert_id_="a-1", priority="medium", account=account,
                              detected_at=AT, deployment="test")["data"]


def signal(hours: float, kind: str = "event", person: str | None = None,
           email: str | None = None) -> Signal:
    key = f"s{hours}"
    return Signal("acct_42", "upgrade_intent", key, AT + timedelta(hours=hours), kind,  # type: ignore[arg-type]
                  key, key, person=person, email=email, text="Pricing")


def test_the_evidence_span_reads_in_whole_units() -> None:
    assert alert(signal(0), signal(0.5))["risk_factors"][0] == "2× upgrade intent within 30 minutes"
    assert alert(signal(0), signal(1))["risk_factors"][0] == "2× upgrade intent within 1 hour"
    assert alert(signal(0), signal(25))["risk_factors"][0] == "2× upgrade intent within 25 hours"
    assert alert(signal(0), signal(72))["risk_factors"][0] == "2× upgrade intent within 3 days"
    assert alert(signal(0))["risk_factors"][0] == "upgrade intent"  # one signal has no span


def greeting(data: dict[str, Any]) -> str:
    return str(data["suggested_message"]).split(" —")[0]


def test_it_greets_a_ticket_writer_by_name_and_a_visitor_by_e_mail_only() -> None:
    assert greeting(alert(signal(0, "ticket", person="Kim Park", email="x@a.io"))) == "Hi Kim"
    # who was logged in on an event is not necessarily whom the message goes to
    assert greeting(alert(signal(0, "event", person="Kim Park", email="sam.lee@a.io"))) == "Hi Sam"
    assert greeting(alert(signal(0, "event", person="Kim Park"))) == "Hi there"
    # the latest signal naming someone is whom it greets
    assert greeting(alert(signal(0, email="sam@a.io"), signal(1, email="jo@a.io"))) == "Hi Jo"


def test_it_is_signed_by_the_accounts_owner() -> None:
    data = alert(signal(0), account={"cs_owner": {"name": "Dana Ruiz", "email": "dana@v.io"}, "mrr": 900})
    assert data["suggested_message"].endswith(" Dana")
    assert alert(signal(0))["suggested_message"].endswith(" [your name]")
    assert data["owner"] == {"name": "Dana Ruiz", "email": "dana@v.io"} and data["mrr"] == 900
    assert alert(signal(0))["owner"] is None


def test_a_ticket_signal_without_text_still_renders() -> None:
    # A helpdesk status change carries no words; its evidence line must not break the alert.
    empty = Signal("acct_42", "upgrade_intent", "s", AT, "ticket", "s", "s", text="")  # type: ignore[arg-type]
    assert "upgrade intent (ticket “”" in alert(empty)["summary"]


def test_the_summary_dates_each_signal_as_month_day_and_minute() -> None:
    summary = alert(signal(0), signal(24 * 41 + 13.75))["summary"]
    assert summary.endswith("upgrade intent (Pricing, Nov 20 10:00); upgrade intent (Pricing, Dec 31 23:45).")
    assert "(Pricing, Jan 01 00:00)" in alert(signal(24 * 41 + 14))["summary"]
