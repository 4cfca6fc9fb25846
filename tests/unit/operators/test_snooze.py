"""Governance honours reviewers' snoozes: the rule stays quiet for the account until the date."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from operators.govern import GovernanceView, Snooze, govern, snooze_of
from tests.unit.operators.test_govern import POLICY, THU_10, cand, one

UNTIL = THU_10 + timedelta(days=14)
SNOOZED = GovernanceView(snoozes={("acct_42", "upgrade-intent"): (Snooze("a0", UNTIL, "riley@vendor.com"),)})


@pytest.mark.parametrize(("later", "outcome"), [
    (timedelta(days=3), "suppressed"),             # beyond the 48 h cooldown: only the snooze holds it
    (timedelta(days=13, hours=23), "suppressed"),
    (timedelta(days=14), "publish"),               # the snooze ends at `until`
    (timedelta(days=20), "publish"),
])
def test_a_snooze_silences_the_rule_for_the_account_until_its_date(later: timedelta, outcome: str) -> None:
    verdict = one(cand("a1", at=THU_10 + later), SNOOZED)
    assert verdict.outcome == outcome
    if outcome == "suppressed":
        assert verdict.reason == ("snoozed: riley@vendor.com snoozed rule upgrade-intent for acct_42 "
                                  "until 2026-12-03T10:00Z (alert a0)")


def test_a_snooze_is_per_rule_and_per_account() -> None:
    assert one(cand("a1", rule="other-rule", at=THU_10 + timedelta(days=3)), SNOOZED).outcome == "publish"
    assert one(cand("a2", account_id="acct_7", at=THU_10 + timedelta(days=3)), SNOOZED).outcome == "publish"


def test_a_snoozed_candidate_starts_no_cooldown_and_counts_toward_no_cap() -> None:
    verdicts, writes = govern([cand("a1", at=THU_10 + timedelta(days=3))], SNOOZED, POLICY)
    assert verdicts[0].outcome == "suppressed"
    assert not writes


def test_the_alert_that_was_snoozed_still_re_derives_as_published() -> None:
    # A restart re-reads the evidence of the snoozed alert itself: it was published before
    # the reviewer snoozed it, and stays one published alert (the ledger drops the copy).
    _, first = govern([cand("a0")], GovernanceView(), POLICY)
    view = GovernanceView(cooldowns=first.cooldowns, snoozes=SNOOZED.snoozes)
    assert one(cand("a0"), view).outcome == "publish"


def test_only_a_snoozed_decision_with_a_date_is_a_snooze() -> None:
    until = datetime(2026, 12, 15, tzinfo=UTC)
    assert snooze_of("a1", "snoozed", until, None) == Snooze("a1", until, None)
    assert snooze_of("a1", "dismissed", until, None) is None
    assert snooze_of("a1", "snoozed", None, None) is None
