"""Governance, step by step: cooldown, daily cap with deferral, promotional suppression,
consent, working hours — plus determinism and no mutation of the input."""

from __future__ import annotations

import copy
import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from config.rules import Governance
from operators.govern import (
    Candidate,
    CooldownEntry,
    GovernanceView,
    TicketSpan,
    Verdict,
    candidate_from_dict,
    candidate_to_dict,
    govern,
    retry_candidate,
)
from tests.governance_world import ACCOUNT, POLICY, THU_10


def cand(alert_id: str, *, rule: str = "upgrade-intent", at: datetime = THU_10,
         priority: str = "medium", promotional: bool = False, account: dict[str, Any] | None = None,
         account_id: str = "acct_42", cooldown: timedelta | None = None) -> Candidate:
    return Candidate(alert_id, rule, account_id, "upgrade_intent" if promotional else "churn_risk",
                     priority, promotional, at, ACCOUNT if account is None else account,  # type: ignore[arg-type]
                     "dana@acme.io", cooldown)


def one(c: Candidate, view: GovernanceView | None = None, policy: Governance = POLICY) -> Verdict:
    verdicts, _ = govern([c], view or GovernanceView(), policy)
    return verdicts[0]


# --- 1. cooldown ------------------------------------------------------------------------------


def test_a_published_alert_starts_a_48h_cooldown_for_its_account_and_rule() -> None:
    verdicts, writes = govern([cand("a1")], GovernanceView(), POLICY)
    assert verdicts[0].outcome == "publish"
    [entry] = writes.cooldowns[("acct_42", "upgrade-intent")]
    assert (entry.since, entry.until) == (THU_10, THU_10 + timedelta(hours=48))


@pytest.mark.parametrize(("later", "thread"), [
    (timedelta(hours=1), "a1"),
    (timedelta(hours=47, minutes=59), "a1"),
    (timedelta(hours=48), "a2"),
    (timedelta(days=5), "a2"),
])
def test_within_48h_a_match_updates_the_open_alert_and_after_it_opens_its_own(
        later: timedelta, thread: str) -> None:
    view = GovernanceView(cooldowns={("acct_42", "upgrade-intent"): [
        CooldownEntry("a1", THU_10, THU_10 + timedelta(hours=48))]})
    v = one(cand("a2", at=THU_10 + later), view)
    assert v.outcome == "publish"
    assert (v.update.thread_id if v.update else v.candidate.alert_id) == thread
    if v.update:
        assert v.reason.startswith("updated: new evidence for rule upgrade-intent on acct_42")
        assert "while alert a1 is open (opened 2026-11-19T10:00Z, open until 2026-11-21T10:00Z)" in v.reason


def test_cooldown_is_per_rule_and_per_account() -> None:
    view = GovernanceView(cooldowns={("acct_42", "upgrade-intent"): [
        CooldownEntry("a1", THU_10, THU_10 + timedelta(hours=48))]})
    assert one(cand("a2", rule="cancellation-intent"), view).update is None
    assert one(cand("a3", account_id="acct_7"), view).update is None


def test_cooldown_is_evaluated_in_event_time_in_both_directions() -> None:
    # Records arrive out of order across partitions: an alert already published for
    # Friday's evidence silences Thursday's too, so a burst yields one alert in any order;
    # a publication further away than the cooldown does not.
    friday = THU_10 + timedelta(days=1)
    view = GovernanceView(cooldowns={("acct_42", "upgrade-intent"): [
        CooldownEntry("a9", friday, friday + timedelta(hours=48))]})
    update = one(cand("a1"), view).update
    assert update is not None and update.thread_id == "a9"
    sunday = THU_10 + timedelta(days=3)
    far = GovernanceView(cooldowns={("acct_42", "upgrade-intent"): [
        CooldownEntry("a9", sunday, sunday + timedelta(hours=48))]})
    assert one(cand("a1"), far).update is None


def test_a_rules_own_cooldown_overrides_the_policy() -> None:
    verdicts, _ = govern([cand("a1", cooldown=timedelta(hours=2)),
                               cand("a2", at=THU_10 + timedelta(hours=3))], GovernanceView(), POLICY)
    assert [v.update for v in verdicts] == [None, None]


def test_candidates_in_one_call_start_cooldowns_for_each_other() -> None:
    verdicts, _ = govern([cand("a2", at=THU_10 + timedelta(hours=1)), cand("a1")],
                         GovernanceView(), POLICY)
    assert [v.update.thread_id if v.update else None for v in verdicts] == ["a1", None]


def test_a_re_derived_alert_is_published_again_not_silenced_by_itself() -> None:
    # Governed, then the flow died before producing: the restart must not lose it.
    _, writes = govern([cand("a1")], GovernanceView(), POLICY)
    view = GovernanceView(cooldowns=writes.cooldowns,
                          published={k: frozenset(v) for k, v in writes.published.items()})
    v = one(cand("a1"), view)
    assert v.outcome == "publish" and "re-derived" in v.reason


# --- 2. daily cap -----------------------------------------------------------------------------


def test_the_fourth_alert_of_a_day_in_event_time_is_deferred_not_dropped() -> None:
    # Decided in evidence-time order, whatever the priority: the order every batch split
    # of the stream sees (tests/unit/operators/test_govern_batches.py).
    batch = [cand("low", rule="r-low", priority="low", at=THU_10),
             cand("crit", rule="r-crit", priority="critical", at=THU_10 + timedelta(hours=2)),
             cand("high", rule="r-high", priority="high", at=THU_10 + timedelta(hours=1)),
             cand("med", rule="r-med", priority="medium", at=THU_10 + timedelta(hours=3))]
    verdicts, writes = govern(batch, GovernanceView(), POLICY)
    outcomes = {v.candidate.alert_id: v.outcome for v in verdicts}
    assert outcomes == {"low": "publish", "high": "publish", "crit": "publish", "med": "deferred"}
    med = verdicts[3]
    # Retry at the start of the owner's next day (UTC owner here).
    assert med.retry_at == datetime(2026, 11, 20, 0, 0, tzinfo=UTC)
    assert "daily cap" in med.reason and "deferred" in med.reason
    assert sorted(writes.published[("acct_42", THU_10.date())]) == ["crit", "high", "low"]


def test_the_cap_counts_alerts_published_by_earlier_batches() -> None:
    view = GovernanceView(published={("acct_42", THU_10.date()): frozenset({"x", "y", "z"})})
    assert one(cand("a1", priority="critical"), view).outcome == "deferred"
    # Another day, another cap.
    assert one(cand("a1", at=THU_10 + timedelta(days=1)), view).outcome == "publish"


def test_the_cap_day_is_the_owners_local_day() -> None:
    # 23:30 UTC on Thursday is already Friday in Berlin: Thursday's full cap does not apply.
    berlin = {**ACCOUNT, "cs_owner": {"timezone": "Europe/Berlin"}}
    late = THU_10.replace(hour=23, minute=30)
    view = GovernanceView(published={("acct_42", THU_10.date()): frozenset({"x", "y", "z"})})
    assert one(cand("a1", at=late, account=berlin), view).outcome == "publish"
    deferred = one(cand("a1", at=THU_10, account=berlin), view)
    assert deferred.outcome == "deferred"
    assert deferred.retry_at == datetime(2026, 11, 19, 23, 0, tzinfo=UTC)  # Friday 00:00 Berlin


def test_a_deferred_candidate_is_governed_again_as_of_its_retry() -> None:
    view = GovernanceView(published={("acct_42", THU_10.date()): frozenset({"x", "y", "z"})})
    deferred = one(cand("a1"), view)
    retried = retry_candidate(deferred)
    assert retried.alert_id == "a1" and retried.at == deferred.retry_at
    assert one(retried, view).outcome == "publish"
    assert candidate_from_dict(candidate_to_dict(retried)) == retried


# --- 3. promotional suppression during an open frustrated ticket -------------------------------


def test_promotional_alert_is_suppressed_while_a_frustrated_ticket_is_open_but_churn_is_not() -> None:
    view = GovernanceView(tickets={"acct_42": [TicketSpan("zendesk:35436", THU_10 - timedelta(hours=3))]})
    upgrade = one(cand("up", promotional=True), view)
    assert upgrade.outcome == "suppressed"
    assert "open frustrated ticket (zendesk:35436)" in upgrade.reason
    assert one(cand("churn", rule="cancellation-intent", priority="high"), view).outcome == "publish"


def test_promotional_alert_is_allowed_once_the_ticket_closed_and_before_it_opened() -> None:
    span = TicketSpan("zendesk:35436", THU_10 - timedelta(hours=3), THU_10 - timedelta(hours=1))
    view = GovernanceView(tickets={"acct_42": [span]})
    assert one(cand("up", promotional=True), view).outcome == "publish"
    assert one(cand("up", promotional=True, at=THU_10 - timedelta(hours=4)), view).outcome == "publish"
    assert one(cand("up", promotional=True, at=THU_10 - timedelta(hours=2)), view).outcome == "suppressed"


def test_promotional_suppression_can_be_switched_off() -> None:
    view = GovernanceView(tickets={"acct_42": [TicketSpan("t1", THU_10 - timedelta(hours=3))]})
    policy = Governance(suppress_promotional_while_frustrated=False)
    assert one(cand("up", promotional=True), view, policy).outcome == "publish"


def test_tickets_closed_long_ago_are_forgotten() -> None:
    old = TicketSpan("old", THU_10 - timedelta(days=60), THU_10 - timedelta(days=40))
    recent = TicketSpan("recent", THU_10 - timedelta(days=5), THU_10 - timedelta(days=4))
    _, writes = govern([cand("a1")], GovernanceView(tickets={"acct_42": [old, recent]}), POLICY)
    assert writes.forget_tickets == {"acct_42": ["old"]}


# --- 4. consent -------------------------------------------------------------------------------


def test_no_consent_for_the_channel_suppresses() -> None:
    v = one(cand("a1", account={"consent": {"email": False}}))
    assert v.outcome == "suppressed"
    assert v.reason == "no consent: acct_42 has not consented to the email channel"
    # Consent is checked for the policy's channel only.
    assert one(cand("a1", account={"consent": {"email": True, "sms": False}})).outcome == "publish"
    assert one(cand("a1", account={"consent": {"email": True}}), policy=Governance(channel="sms")
               ).outcome == "publish"  # no sms entry: allowed


def test_missing_consent_is_allowed() -> None:
    assert one(cand("a1", account={})).outcome == "publish"
    assert one(Candidate("a1", "r", "acct_42", "churn_risk", "high", False, THU_10, None, None)
               ).outcome == "publish"


def test_a_suppressed_alert_does_not_count_toward_cap_or_cooldown() -> None:
    verdicts, writes = govern([cand("a1", account={"consent": {"email": False}})], GovernanceView(), POLICY)
    assert verdicts[0].outcome == "suppressed" and not writes


# --- 5. working hours -------------------------------------------------------------------------


def test_outside_the_owners_working_hours_it_is_published_and_marked_for_next_morning() -> None:
    ny = {**ACCOUNT, "cs_owner": {"name": "Riley", "timezone": "America/New_York"}}
    at = datetime(2026, 11, 19, 7, 0, tzinfo=UTC)  # 02:00 Thursday in New York
    v = one(cand("a1", at=at, account=ny))
    assert v.outcome == "publish" and v.queue_for_next_morning
    assert v.next_morning_at == datetime(2026, 11, 19, 14, 0, tzinfo=UTC)  # 09:00 New York
    assert "America/New_York" in v.reason


def test_inside_working_hours_nothing_is_marked() -> None:
    ny = {**ACCOUNT, "cs_owner": {"timezone": "America/New_York"}}
    v = one(cand("a1", at=datetime(2026, 11, 19, 15, 0, tzinfo=UTC), account=ny))  # 10:00 NY
    assert v.outcome == "publish" and not v.queue_for_next_morning and v.next_morning_at is None


def test_friday_evening_is_queued_for_monday_morning() -> None:
    friday_evening = datetime(2026, 11, 20, 18, 30, tzinfo=UTC)
    v = one(cand("a1", at=friday_evening))
    assert v.queue_for_next_morning and v.next_morning_at == datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def test_an_unknown_owner_timezone_falls_back_to_the_policy_default() -> None:
    odd = {**ACCOUNT, "cs_owner": {"timezone": "Mars/Olympus_Mons"}}
    v = one(cand("a1", account=odd), policy=Governance(default_timezone="Asia/Tokyo"))
    assert v.queue_for_next_morning  # 10:00 UTC is 19:00 in Tokyo


# --- determinism and purity -------------------------------------------------------------------


def _scenario() -> tuple[list[Candidate], GovernanceView]:
    ny = {**ACCOUNT, "cs_owner": {"timezone": "America/New_York"}}
    batch = [cand(f"a{i}", rule=f"r{i % 3}", priority=("critical", "high", "medium", "low")[i % 4],
                  promotional=i % 2 == 0, at=THU_10 + timedelta(hours=i * 2),
                  account=ny if i % 3 == 0 else ACCOUNT, account_id=f"acct_{i % 2}")
             for i in range(14)]
    view = GovernanceView(
        cooldowns={("acct_0", "r1"): [CooldownEntry("z", THU_10, THU_10 + timedelta(hours=48))]},
        published={("acct_1", THU_10.date()): frozenset({"x"})},
        tickets={"acct_0": [TicketSpan("t1", THU_10, THU_10 + timedelta(hours=20))]})
    return batch, view


def test_governance_is_deterministic_whatever_the_input_order() -> None:
    batch, view = _scenario()
    verdicts, writes = govern(batch, view, POLICY)
    again, writes_again = govern(batch, view, POLICY)
    assert verdicts == again and writes == writes_again
    shuffled = batch[:]
    random.Random(7).shuffle(shuffled)
    by_id = {v.candidate.alert_id: v for v in govern(shuffled, view, POLICY)[0]}
    assert [by_id[c.alert_id] for c in batch] == verdicts
    assert {v.outcome for v in verdicts} == {"publish", "suppressed", "deferred"}


def test_governance_does_not_mutate_its_input() -> None:
    batch, view = _scenario()
    before = copy.deepcopy((batch, view))
    govern(batch, view, POLICY)
    assert (batch, view) == before


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        govern([cand("a1", at=datetime(2026, 11, 19, 10, 0))], GovernanceView(), POLICY)
