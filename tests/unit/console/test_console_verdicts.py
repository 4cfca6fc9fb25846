"""What an alert's feedback adds up to, and the console's sign-in decisions."""

from __future__ import annotations

from ipaddress import ip_network

import pytest

from console.auth import Authenticator, User, csrf_ok, csrf_token, hash_password
from console.present import highlight
from console.settings import ConsoleSettings
from console.verdicts import FeedbackRow, precision, refused, settle


def row(decision: str, by: str = "riley@v.test", reason: str | None = None) -> FeedbackRow:
    return FeedbackRow(decision, by, "2026-11-20T11:00:00Z", reason)


def test_the_first_verdict_is_the_alerts_and_later_ones_are_late() -> None:
    s = settle([row("dismissed", reason="false_signal"), row("approved", by="sam@v.test")])
    assert (s.status, s.decided_by, s.reason, s.late) == ("dismissed", "riley@v.test", "false_signal", (1,))


def test_an_approved_alert_may_be_marked_sent_but_not_dismissed_after() -> None:
    assert settle([row("approved"), row("sent")]).status == "sent"
    assert settle([row("approved"), row("dismissed")]).status == "approved"
    assert settle([row("sent"), row("approved")]).late == (1,)


def test_outcomes_come_any_time_and_the_latest_counts() -> None:
    s = settle([row("converted"), row("approved"), row("saved")])
    assert (s.status, s.outcome, s.late) == ("approved", "saved", ())
    assert settle([]).status == "staged"


@pytest.mark.parametrize(("status", "decision", "refuse"), [
    ("staged", "approved", False), ("staged", "snoozed", False), ("approved", "sent", False),
    ("approved", "dismissed", True), ("dismissed", "approved", True), ("snoozed", "snoozed", True),
    ("sent", "sent", True), ("dismissed", "churned", False),
])
def test_a_verdict_on_a_decided_alert_is_refused(status: str, decision: str, refuse: bool) -> None:
    assert refused(status, decision) is refuse


def test_precision_judges_each_alert_by_its_latest_judging_decision_as_the_report_does() -> None:
    assert settle([row("approved")]).judged == "useful"
    assert settle([row("dismissed", reason="already_handled")]).judged == "not_useful"
    later = settle([row("dismissed", reason="false_signal"), row("saved")])
    assert (later.status, later.judged, later.false_signal) == ("dismissed", "useful", False)
    flagged = settle([row("approved"), row("dismissed", reason="false_signal")])
    assert (flagged.judged, flagged.false_signal) == ("not_useful", True)
    assert settle([row("snoozed"), row("churned")]).judged is None
    assert precision(1, 1) == 0.5 and precision(2, 0) == 1.0 and precision(0, 3) == 0.0


def test_highlight_marks_whole_phrases_only() -> None:
    assert highlight("refunds and a refund", ["refund"]) == [("refunds and a ", False), ("refund", True)]
    assert highlight("plain", []) == [("plain", False)]
    assert highlight(None, ["x"]) == []


def auth(proxies: str = "") -> Authenticator:
    settings = ConsoleSettings(trusted_proxies=proxies)  # type: ignore[arg-type]
    users = {"riley@v.test": User("riley@v.test", "Riley", hash_password("pw-riley")),
             "ops@v.test": User("ops@v.test", "Ops", None, admin=True)}
    return Authenticator(settings, users)


def test_sign_in_needs_the_right_password_of_a_built_in_account() -> None:
    a = auth()
    assert a.sign_in("Riley@V.test ", "pw-riley") == a.users["riley@v.test"]
    assert a.sign_in("riley@v.test", "wrong") is None
    assert a.sign_in("nobody@v.test", "pw-riley") is None
    assert a.sign_in("ops@v.test", "") is None  # no password: proxy sign-in only


def test_the_proxy_header_counts_only_from_a_trusted_address() -> None:
    a = auth("10.0.0.0/8, 127.0.0.1")
    assert a.settings.trusted_proxies == [ip_network("10.0.0.0/8"), ip_network("127.0.0.1/32")]
    header = {"x-forwarded-email": "OPS@v.test"}
    user = a.from_proxy("10.2.3.4", header)
    assert user is not None and user.email == "ops@v.test" and user.admin
    assert a.from_proxy("192.168.1.5", header) is None
    assert a.from_proxy("not an address", header) is None
    assert auth().from_proxy("10.2.3.4", header) is None  # no proxy configured: never
    stranger = a.from_proxy("127.0.0.1", {"x-forwarded-email": "new@v.test"})
    assert stranger is not None and not stranger.admin


def test_the_csrf_token_belongs_to_the_session() -> None:
    session: dict[str, object] = {}
    token = csrf_token(session)
    assert csrf_token(session) == token and csrf_ok(session, token)
    assert not csrf_ok(session, token[:-1] + "x") and not csrf_ok(session, None)
    assert not csrf_ok({}, token)


def test_after_sign_in_the_console_sends_people_only_to_its_own_pages() -> None:
    from console.app import _local

    assert _local("/alerts/a1") == "/alerts/a1"
    assert _local("https://evil.example/") == "/"
    assert _local("//evil.example/") == "/"
    assert _local("alerts") == "/"
