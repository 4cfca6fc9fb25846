"""Alert threads: a match inside an open alert's cooldown updates it (and escalates it when
its priority is higher) instead of being suppressed; what that looks like on the wire."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from contracts.alert import AlertData, CloudEvent
from operators.alert_thread import UPDATED_TYPE, thread_priority, thread_record
from operators.govern import (
    Candidate,
    CooldownEntry,
    GovernanceView,
    Snooze,
    Verdict,
    govern,
)
from tests.governance_world import ACCOUNT, POLICY, THU_10, stored

KEY = ("acct_42", "gate")


def cand(alert_id: str, hours: float = 0, priority: str = "high", *, rule: str = "gate",
         account: dict[str, Any] | None = None) -> Candidate:
    return Candidate(alert_id, rule, "acct_42", "churn_risk", priority, False,  # type: ignore[arg-type]
                     THU_10 + timedelta(hours=hours), ACCOUNT if account is None else account, None,
                     alert=_body(alert_id, priority))


def _body(alert_id: str, priority: str) -> dict[str, Any]:
    return {"specversion": "1.0", "id": alert_id, "source": "cuewire/test",
            "type": "io.cuewire.alert.churn_risk", "subject": "acct_42", "time": "2026-11-19T10:00:05Z",
            "datacontenttype": "application/json",
            "data": {"alert_id": alert_id, "account_id": "acct_42", "signal": "churn_risk", "rule": "gate",
                     "priority": priority, "summary": "s", "recommended_action": "r", "evidence": [],
                     "first_evidence_at": "2026-11-19T10:00:00Z", "detected_at": "2026-11-19T10:00:05Z"}}


def run(*batches: list[Candidate],
        view: GovernanceView | None = None) -> tuple[list[Verdict], GovernanceView]:
    view = view or GovernanceView()
    out: list[Verdict] = []
    for batch in batches:
        verdicts, writes = govern(batch, view, POLICY)
        out += verdicts
        view = stored(view, writes)
    return out, view


def test_a_higher_priority_match_escalates_the_open_alert_instead_of_hiding_in_its_cooldown() -> None:
    [opened, crit], _ = run([cand("a1", 0, "high")], [cand("a2", 3, "critical")])
    assert opened.update is None and crit.outcome == "publish"
    assert crit.update is not None
    assert (crit.update.thread_id, crit.update.change) == ("a1", "escalated")
    assert (crit.update.previous_priority, crit.update.priority) == ("high", "critical")
    assert crit.reason.startswith("escalated: rule gate matched acct_42 at 2026-11-19T13:00Z with critical "
                                  "priority, above open alert a1's high")


def test_an_equal_or_lower_priority_match_is_new_evidence_and_the_thread_keeps_its_priority() -> None:
    verdicts, _ = run([cand("a1", 0, "critical")], [cand("a2", 1, "critical")], [cand("a3", 2, "low")])
    assert [(v.update.change, v.update.priority) for v in verdicts[1:] if v.update] == [
        ("new_evidence", "critical"), ("new_evidence", "critical")]


def test_after_an_escalation_the_thread_has_the_higher_priority() -> None:
    verdicts, _ = run([cand("a1", 0, "medium")], [cand("a2", 1, "critical")], [cand("a3", 2, "high")])
    third = verdicts[2].update
    assert third is not None and (third.change, third.priority, third.previous_priority) == (
        "new_evidence", "critical", "critical")


def test_an_update_neither_extends_the_thread_nor_counts_against_the_daily_cap() -> None:
    verdicts, view = run([cand("a1", 0)], [cand("a2", 47)], [cand("a3", 48)])
    assert verdicts[1].update is not None and verdicts[2].update is None  # a new thread at 48 h
    assert view.published[("acct_42", THU_10.date())] == frozenset({"a1"})
    others = [cand(f"o{i}", 1 + i, rule=f"r{i}") for i in range(2)]
    more, _ = run([cand("a1", 0), *others, cand("a4", 5)])
    assert [v.outcome for v in more] == ["publish"] * 4 and more[3].update is not None


def test_a_re_derived_update_is_the_same_update_again() -> None:
    first, view = run([cand("a1", 0, "low")], [cand("a2", 1, "high")])
    [again], _ = run([cand("a2", 1, "high")], view=view)
    assert again == first[1]


def test_an_update_found_by_its_thread_when_the_opening_entry_is_gone() -> None:
    # The store keeps a bounded history: a thread is found from any of its entries.
    _, view = run([cand("a1", 0, "low")], [cand("a2", 1, "high")])
    only_update = GovernanceView(cooldowns={KEY: [e for e in view.cooldowns[KEY] if e.alert_id == "a2"]})
    [v], _ = run([cand("a3", 2, "critical")], view=only_update)
    assert v.update is not None and (v.update.thread_id, v.update.previous_priority) == ("a1", "high")


def test_a_snooze_and_a_missing_consent_still_hold_an_update_back() -> None:
    opening = CooldownEntry("a1", THU_10, THU_10 + timedelta(hours=48), "low")
    snoozed = GovernanceView(cooldowns={KEY: [opening]},
                             snoozes={KEY: [Snooze("a1", THU_10 + timedelta(days=3))]})
    [v], _ = run([cand("a2", 1, "critical")], view=snoozed)
    assert v.outcome == "suppressed" and v.reason.startswith("snoozed:")
    opened = GovernanceView(cooldowns=snoozed.cooldowns)
    [v], _ = run([cand("a2", 1, account={"consent": {"email": False}})], view=opened)
    assert v.outcome == "suppressed" and v.reason.startswith("no consent:")


def test_new_evidence_for_a_dismissed_alert_is_not_sent_and_other_alerts_still_are() -> None:
    """A dismissal closes its alert's thread: a match inside that cooldown is suppressed, by
    whoever dismissed it. It is no snooze: another thread of the rule, or the same match once
    the cooldown has passed, goes out as before."""
    opening = CooldownEntry("a1", THU_10, THU_10 + timedelta(hours=48), "high")
    dismissed = Snooze("a1", THU_10 + timedelta(days=30), "riley@vendor.test", closes_thread=True)
    view = GovernanceView(cooldowns={KEY: [opening]}, snoozes={KEY: [dismissed]})
    [v], _ = run([cand("a2", 3, "critical")], view=view)
    assert (v.outcome, v.candidate.alert_id) == ("suppressed", "a2")
    assert v.reason == ("dismissed: riley@vendor.test dismissed alert a1; "
                        "new evidence for it is not sent")
    [later], _ = run([cand("a3", 60)], view=view)
    assert later.outcome == "publish" and later.update is None
    elsewhere = Snooze("a0", THU_10 + timedelta(days=30), None, closes_thread=True)
    [other], _ = run([cand("a2", 3)], view=GovernanceView(cooldowns={KEY: [opening]},
                                                          snoozes={KEY: [elsewhere]}))
    assert other.outcome == "publish" and other.update is not None
    anonymous = Snooze("a1", THU_10 + timedelta(days=30), None, closes_thread=True)
    [v], _ = run([cand("a2", 3)], view=GovernanceView(cooldowns={KEY: [opening]},
                                                      snoozes={KEY: [anonymous]}))
    assert v.reason.startswith("dismissed: a reviewer dismissed alert a1;")


def test_an_update_made_again_is_marked_by_its_owners_working_hours() -> None:
    """Re-derived (a restart, a late record), an update is published as it was the first time:
    at 18:00 UTC the owner in Los Angeles is at work, so neither is held for the next morning."""
    la = {**ACCOUNT, "cs_owner": {"name": "Riley", "timezone": "America/Los_Angeles"}}
    [_, first, again], _ = run([cand("a1", 0, account=la)], [cand("a2", 8, account=la)],
                               [cand("a2", 8, account=la)])
    assert first.update is not None and again.update == first.update
    assert not first.queue_for_next_morning and not again.queue_for_next_morning
    assert again.reason == first.reason


def test_an_entry_kept_before_priorities_were_is_updated_never_escalated() -> None:
    legacy = GovernanceView(cooldowns={KEY: [CooldownEntry("a1", THU_10, THU_10 + timedelta(hours=48))]})
    [v], _ = run([cand("a2", 1, "critical")], view=legacy)
    assert v.update is not None and (v.update.change, v.update.previous_priority) == ("new_evidence", None)


def test_an_update_goes_out_as_alert_updated_in_its_thread() -> None:
    [_, crit], _ = run([cand("a1", 0, "high")], [cand("a2", 3, "critical")])
    body = thread_record(crit.candidate.alert or {}, crit)
    assert body["type"] == UPDATED_TYPE and body["id"] == "a2"
    data = AlertData.model_validate(body["data"])
    assert (data.alert_id, data.thread_id, data.update_id) == ("a1", "a1", "a2")
    assert (data.change, data.priority, data.previous_priority) == ("escalated", "critical", "high")
    assert data.update_reason is not None and data.update_reason.startswith("escalated:")
    CloudEvent.model_validate(body)


def test_an_alert_that_opens_a_thread_names_itself_as_the_thread() -> None:
    [opened], _ = run([cand("a1")])
    body = thread_record(opened.candidate.alert or {}, opened)
    assert body["type"] == "io.cuewire.alert.churn_risk" and body["data"]["thread_id"] == "a1"
    assert "change" not in body["data"]


def test_new_evidence_of_a_lower_priority_goes_out_at_the_threads_priority() -> None:
    [_, low], _ = run([cand("a1", 0, "critical")], [cand("a2", 3, "low")])
    assert low.update is not None and low.update.change == "new_evidence"
    data = thread_record(low.candidate.alert or {}, low)["data"]
    assert (data["priority"], data["previous_priority"]) == ("critical", "critical")


def test_a_threads_priority_is_the_highest_of_its_own_alerts_only() -> None:
    entries = [CooldownEntry("a1", THU_10, THU_10 + timedelta(hours=48), "medium"),
               CooldownEntry("b1", THU_10, THU_10 + timedelta(hours=48), "critical"),
               CooldownEntry("b2", THU_10, THU_10 + timedelta(hours=48), None)]
    assert thread_priority(entries, "a1") == "medium"
    assert thread_priority(entries, "b2") is None
