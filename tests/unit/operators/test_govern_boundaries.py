"""Governance at its edges: the instants where a cooldown, a ticket, working hours and the
owner's zone change the verdict, and the words each verdict gives (the digest shows them)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from config.rules import Governance
from operators.govern import (
    CLOSED_TICKET_KEEP,
    Candidate,
    CooldownEntry,
    GovernanceView,
    GovernanceWrites,
    Snooze,
    TicketSpan,
    Verdict,
    candidate_from_dict,
    candidate_to_dict,
    explain_entry,
    govern,
    in_working_hours,
    iso,
    owner_zone,
    retry_candidate,
    snooze_of,
)

AT = datetime(2026, 11, 3, 10, 0, tzinfo=UTC)  # a Tuesday, inside working hours in UTC
POLICY = Governance()
TOKYO = {"cs_owner": {"name": "Aki", "timezone": "Asia/Tokyo"}}


def candidate(alert_id: str = "a1", at: datetime = AT, account: dict[str, Any] | None = None,
              **changes: Any) -> Candidate:
    c = Candidate(alert_id, "upgrade-intent", "acct_42", "upgrade_intent", "medium", True, at, account, None)
    return replace(c, **changes)


EMPTY = GovernanceView()


def one(c: Candidate, view: GovernanceView = EMPTY, policy: Governance = POLICY) -> Verdict:
    [verdict], _ = govern([c], view, policy)
    assert verdict.candidate is c
    return verdict


def cooled(since: datetime, alert_id: str = "a0") -> GovernanceView:
    entry = CooldownEntry(alert_id, since, since + timedelta(hours=48))
    return GovernanceView(cooldowns={("acct_42", "upgrade-intent"): [entry]})


def test_a_publication_says_until_when_the_rule_is_quiet() -> None:
    verdict = one(candidate())
    assert (verdict.outcome, verdict.reason) == (
        "publish", "published; rule upgrade-intent quiet for acct_42 until 2026-11-05T10:00Z")


def test_cooldown_starts_at_the_publication_itself() -> None:
    """Another alert with evidence at the very same instant is in the cooldown: it updates
    the open alert, in its thread."""
    verdict = one(candidate("a2"), cooled(AT))
    assert verdict.update is not None and verdict.update.thread_id == "a0"


def test_cooldown_reaches_back_a_cooldown_before_a_later_publication_but_not_further() -> None:
    assert one(candidate("a2"), cooled(AT + timedelta(hours=47))).update is not None
    assert one(candidate("a2"), cooled(AT + timedelta(hours=48))).update is None
    assert one(candidate("a2"), cooled(AT - timedelta(hours=48))).update is None


def test_the_reason_names_the_latest_blocking_publication() -> None:
    entries = [CooldownEntry("a0", AT - timedelta(hours=30), AT + timedelta(hours=18)),
               CooldownEntry("a9", AT - timedelta(hours=2), AT + timedelta(hours=46))]
    view = GovernanceView(cooldowns={("acct_42", "upgrade-intent"): entries})
    assert one(candidate("a2"), view).reason == (
        "updated: new evidence for rule upgrade-intent on acct_42 at 2026-11-03T10:00Z while alert a9 "
        "is open (opened 2026-11-03T08:00Z, open until 2026-11-05T08:00Z)")


def test_a_re_derived_alert_is_published_again_and_says_so() -> None:
    verdict = one(candidate("a0", account=TOKYO), cooled(AT, "a0"))
    assert verdict.outcome == "publish"
    assert verdict.reason.startswith("already governed and published (re-derived); outside the owner's "
                                     "working hours (Tue 19:00 Asia/Tokyo)")
    assert verdict.queue_for_next_morning


def test_the_latest_snooze_is_the_one_named_and_an_unnamed_reviewer_is_a_reviewer() -> None:
    snoozes = [Snooze("s1", AT + timedelta(days=2), None), Snooze("s2", AT + timedelta(days=9), None),
               Snooze("s3", AT + timedelta(days=5), "riley")]
    view = GovernanceView(snoozes={("acct_42", "upgrade-intent"): snoozes})
    assert one(candidate(), view).reason == (
        "snoozed: a reviewer snoozed rule upgrade-intent for acct_42 until 2026-11-12T10:00Z (alert s2)")


def test_a_snooze_keeps_who_asked_for_it() -> None:
    until = datetime(2026, 12, 15, 1, 0, tzinfo=UTC)
    assert snooze_of("a1", "snoozed", until, "riley@vendor.test") == Snooze("a1", until, "riley@vendor.test")


def test_a_frustrated_ticket_is_open_from_its_opening_instant_until_its_close() -> None:
    span = TicketSpan("t1", AT, AT + timedelta(hours=1))
    assert span.open_at(AT) and not span.open_at(AT - timedelta(seconds=1))
    assert not span.open_at(AT + timedelta(hours=1))
    assert span.open_at(AT + timedelta(minutes=59))


def test_the_promotional_reason_lists_every_open_ticket() -> None:
    view = GovernanceView(tickets={"acct_42": [TicketSpan("t2", AT), TicketSpan("t1", AT)]})
    assert one(candidate(), view).reason == (
        "promotional alert held back: acct_42 has an open frustrated ticket (t1, t2)")


def test_working_hours_start_inclusive_end_exclusive_on_working_days() -> None:
    zone = owner_zone(None, POLICY)
    assert in_working_hours(AT.replace(hour=9), zone, POLICY)
    assert not in_working_hours(AT.replace(hour=8, minute=59), zone, POLICY)
    assert in_working_hours(AT.replace(hour=16, minute=59), zone, POLICY)
    assert not in_working_hours(AT.replace(hour=17), zone, POLICY)
    assert not in_working_hours(datetime(2026, 11, 7, 10, tzinfo=UTC), zone, POLICY)  # Saturday


def test_no_working_days_means_nothing_is_marked_for_the_morning() -> None:
    verdict = one(candidate(at=AT.replace(hour=22)), policy=Governance(working_days=[]))
    assert (verdict.outcome, verdict.queue_for_next_morning) == ("publish", False)


def test_the_next_morning_reason_gives_the_owners_local_time_and_the_morning() -> None:
    verdict = one(candidate(account=TOKYO))
    assert verdict.reason.endswith("; outside the owner's working hours (Tue 19:00 Asia/Tokyo), "
                                   "marked for the next morning's queue at 2026-11-04T00:00Z")
    assert verdict.next_morning_at == datetime(2026, 11, 4, 0, 0, tzinfo=UTC)


def test_an_owner_timezone_that_is_not_a_name_falls_back_to_the_default() -> None:
    for odd in (5, "", "Not/AZone", None):
        assert owner_zone({"cs_owner": {"timezone": odd}}, POLICY).key == "UTC"
    assert owner_zone(TOKYO, POLICY).key == "Asia/Tokyo"


def test_no_consent_says_which_channel() -> None:
    verdict = one(candidate(account={"consent": {"email": False}}))
    assert verdict.reason == "no consent: acct_42 has not consented to the email channel"
    assert one(candidate(account={"consent": {"sms": False}})).outcome == "publish"


def test_writes_are_truthy_when_any_part_has_something_to_store() -> None:
    assert not GovernanceWrites()
    assert GovernanceWrites(forget_tickets={"acct_42": ["t1"]})
    assert GovernanceWrites(published={("acct_42", AT.date()): ["a1"]})
    assert GovernanceWrites(cooldowns={("acct_42", "r"): [CooldownEntry("a1", AT, AT)]})


def test_the_explain_entry_of_a_deferral() -> None:
    view = GovernanceView(published={("acct_42", AT.date()): frozenset({"x", "y", "z"})})
    verdict = one(candidate(priority="low"), view)
    assert explain_entry(verdict) == {
        "alert_id": "a1", "account_id": "acct_42", "rule": "upgrade-intent", "signal": "upgrade_intent",
        "priority": "low", "outcome": "deferred", "reason": verdict.reason, "at": "2026-11-03T10:00Z",
        "retry_at": "2026-11-04T00:00Z"}
    assert explain_entry(one(candidate()))["retry_at"] is None
    assert retry_candidate(verdict).at == datetime(2026, 11, 4, tzinfo=UTC)


def test_a_deferred_candidate_round_trips_with_every_field() -> None:
    full = candidate(account={"mrr": 5}, contact_email="pat@acme.test", cooldown=timedelta(hours=6),
                     alert={"id": "a1", "data": {}}, priority="critical", promotional=True)
    data = candidate_to_dict(full)
    assert data["cooldown_s"] == 6 * 3600 and data["at"] == "2026-11-03T10:00:00+00:00"
    assert candidate_from_dict(data) == full
    assert candidate_from_dict({**data, "cooldown_s": None}).cooldown is None
    assert candidate_from_dict({k: v for k, v in data.items() if k not in ("account", "alert")}).alert is None


def test_iso_keeps_seconds_when_there_are_any() -> None:
    assert iso(AT.replace(second=30)) == "2026-11-03T10:00:30Z"
    assert iso(AT) == "2026-11-03T10:00Z"


def test_tickets_closed_exactly_the_keep_period_before_the_newest_candidate_are_kept() -> None:
    newest = AT + timedelta(days=40)
    tickets = [TicketSpan("edge", AT - timedelta(days=1), newest - CLOSED_TICKET_KEEP),
               TicketSpan("old", AT - timedelta(days=1), newest - CLOSED_TICKET_KEEP - timedelta(seconds=1)),
               TicketSpan("never-opened", None, AT)]
    # The newest candidate comes first: the horizon is the newest of them, not the last.
    _, writes = govern([candidate("a2", at=newest), candidate("a1", at=AT)],
                       GovernanceView(tickets={"acct_42": tickets}), POLICY)
    assert writes.forget_tickets == {"acct_42": ["never-opened", "old"]}


def test_only_a_deferral_with_a_retry_time_is_retried() -> None:
    import pytest
    for verdict in (Verdict(candidate(), "deferred", "daily cap"), Verdict(candidate(), "publish", "x")):
        with pytest.raises(ValueError, match="only a deferred verdict has a retry"):
            retry_candidate(verdict)
