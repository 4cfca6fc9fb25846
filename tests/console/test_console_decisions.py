"""The console against a real Kafka and a real database (SQLite and PostgreSQL): decisions
become feedback records, the view is rebuilt from the topics, and who may see what."""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

import pytest

from config.settings import Settings
from console import queries
from console.store import Viewer
from tests.console.helpers import (
    ADMIN,
    RILEY,
    SAM,
    SECRET_TEXT,
    alert_event,
    console_client,
    csrf_of,
    produce,
    read,
    sign_in,
    wait_until,
)

pytestmark = pytest.mark.integration


def seed(settings: Settings) -> None:
    produce(settings, "alerts", [
        (b"acct_42", alert_event("al-high", priority="high")),
        (b"acct_42", alert_event("al-crit", priority="critical", detected_at="2026-11-20T09:00:00Z")),
        (b"acct_42", alert_event("al-crit-new", priority="critical", detected_at="2026-11-20T11:00:00Z",
                                 rule="repeat-unresolved")),
        (b"acct_9", {**(sam := alert_event("al-sam", account_id="acct_9", owner=SAM)),
                     "data": {**sam["data"], "summary": "<script>alert(1)</script> asked"}}),
    ])


def statuses(console: object, viewer: Viewer) -> dict[str, str]:
    with console.store.read() as conn:  # type: ignore[attr-defined]
        return {a["alert_id"]: a["status"] for a in queries.inbox(
            conn, viewer, queries.InboxFilter(scope="team", status="all"), console.clock())}  # type: ignore[attr-defined]


def test_decisions_are_feedback_records_and_survive_a_new_console(
        settings: Settings, database_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    seed(settings)
    with console_client(settings, database_url, tmp_path) as (console, client):
        wait_until(lambda: len(statuses(console, Viewer(ADMIN, admin=True))) == 4, "the alerts in the view")
        token = sign_in(client, RILEY)
        inbox = client.get("/inbox").text
        # Newest critical first, then high; another owner's alert is not there.
        assert inbox.index("al-crit-new") < inbox.index('"al-crit"') < inbox.index("al-high")
        assert "al-sam" not in inbox
        page = client.get("/alerts/al-high").text
        assert "<mark>invoice totals are wrong</mark>" in page and "<mark>furious</mark>" in page

        approved = client.post("/alerts/al-high/decide", data={
            "csrf_token": token, "decision": "approved", "message": "Hi Dana — edited by Riley.",
            "label_frustrated": "true", "label_topic": "billing", "label_intents": ["billing_dispute"]})
        assert approved.status_code == 200 and "Recorded: approved" in approved.text
        client.post("/alerts/al-crit/decide", data={"csrf_token": token, "decision": "dismissed",
                                                     "reason": "false_signal"})
        for bad in ("", "2020-01-01", "soon"):  # none, in the past, not a date: nothing written
            refused = client.post("/alerts/al-crit-new/decide", data={
                "csrf_token": token, "decision": "snoozed", "until": bad})
            assert refused.status_code == 422 and 'id="invalid"' in refused.text
        until = (console.clock() + timedelta(days=14)).date().isoformat()
        client.post("/alerts/al-crit-new/decide", data={"csrf_token": token, "decision": "snoozed",
                                                         "until": until})
        client.post("/alerts/al-high/decide", data={"csrf_token": token, "decision": "converted"})

        rules = client.get("/rules").text
        assert 'data-rule="ticket-frustration-gate"' in rules
        # one approved, one dismissed as a false signal: 50 %
        assert '<td class="precision">50 %</td>' in rules

    feedback = {f["alert_id"] + ":" + f["decision"]: f for f in read(settings, "feedback")}
    assert set(feedback) == {"al-high:approved", "al-crit:dismissed", "al-crit-new:snoozed",
                             "al-high:converted"}
    approved_record = feedback["al-high:approved"]
    assert approved_record["by"] == RILEY and approved_record["message"] == "Hi Dana — edited by Riley."
    assert approved_record["labels"] == {"frustrated": True, "topic": "billing",
                                         "intents": ["billing_dispute"], "rule": "ticket-frustration-gate"}
    assert (approved_record["account_id"], approved_record["rule"]) == ("acct_42", "ticket-frustration-gate")
    assert approved_record["key"] == b"al-high"
    assert feedback["al-crit:dismissed"]["reason"] == "false_signal"
    assert feedback["al-crit-new:snoozed"]["until"] == f"{until}T00:00:00Z"
    # Ticket text never reaches the console's log.
    assert SECRET_TEXT not in caplog.text and "edited by Riley" not in caplog.text

    expected = {"al-high": "approved", "al-crit": "dismissed", "al-crit-new": "snoozed", "al-sam": "staged"}
    # The same database after a restart, rebuilt from the topics, and a new console with an
    # empty one, all agree.
    for url, rebuild in ((database_url, False), (database_url, True),
                         (f"sqlite:///{tmp_path / 'fresh.db'}", False)):
        with console_client(settings, url, tmp_path, rebuild=rebuild) as (console, client):
            wait_until(lambda c=console: statuses(c, Viewer(ADMIN, admin=True)) == expected,  # type: ignore[misc]
                       f"the decisions in the view of {url.split(':')[0]}")
            assert client.get("/healthz").json() == {"ok": True}


def test_the_first_reviewer_wins_and_the_second_is_told_who(
        settings: Settings, database_url: str, tmp_path: Path) -> None:
    seed(settings)
    with console_client(settings, database_url, tmp_path) as (console, riley):
        wait_until(lambda: "al-high" in statuses(console, Viewer(RILEY)), "the alert in the view")
        riley_token = sign_in(riley, RILEY)
        with console_client(settings, database_url, tmp_path) as (_, admin):
            admin_token = sign_in(admin, ADMIN)
            page = admin.get("/alerts/al-high").text  # both have the alert open
            riley.get("/alerts/al-high")
            first = riley.post("/alerts/al-high/decide", data={
                "csrf_token": riley_token, "decision": "dismissed", "reason": "not_useful"})
            assert first.status_code == 200
            late = admin.post("/alerts/al-high/decide", data={"csrf_token": csrf_of(page),
                                                              "decision": "approved"})
            assert late.status_code == 409
            assert f"{RILEY} was first: this alert was dismissed" in late.text
            assert admin_token
    assert [f["decision"] for f in read(settings, "feedback")] == ["dismissed"]


def test_who_may_see_and_decide_what(settings: Settings, database_url: str, tmp_path: Path) -> None:
    seed(settings)
    with console_client(settings, database_url, tmp_path) as (console, client):
        wait_until(lambda: len(statuses(console, Viewer(ADMIN, admin=True))) == 4, "the alerts in the view")
        signed_out = client.get("/alerts/al-high", follow_redirects=False)
        assert signed_out.status_code == 303 and signed_out.headers["location"].startswith("/login")
        assert 'id="sign-in"' in client.get("/inbox").text
        assert client.post("/alerts/al-high/decide", data={"decision": "approved"}).status_code == 401

        token = sign_in(client, SAM)
        assert "al-high" not in client.get("/inbox?scope=team").text
        assert "al-sam" in client.get("/inbox").text
        assert client.get("/alerts/al-high").status_code == 404
        assert client.get("/accounts/acct_42").status_code == 404
        assert client.post("/alerts/al-high/decide", data={"csrf_token": token,
                                                           "decision": "approved"}).status_code == 404
        forged = client.post("/alerts/al-sam/decide", data={"decision": "approved"})
        assert forged.status_code == 403
        wrong = client.post("/alerts/al-sam/decide", data={"decision": "approved", "csrf_token": "x" * 43})
        assert wrong.status_code == 403
        assert client.get("/accounts/acct_9").status_code == 200
        own = client.get("/alerts/al-sam").text
        assert "&lt;script&gt;alert(1)&lt;/script&gt; asked" in own and "<script>alert" not in own
    assert read(settings, "feedback") == []
