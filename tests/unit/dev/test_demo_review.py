"""The demo's reviewers: each owner judges an alert by what the sample's account is going through."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from typing import Any

from cuewire_dev.demo_review import review
from cuewire_dev.sample.builder import SAMPLE_START, Builder
from cuewire_dev.sample.cast import PERSONAS, persona_of
from cuewire_dev.sample.world import _accounts

AT = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def alert(alert_id: str, account: str, signal: str, owner: str = "riley@northwind.example"
          ) -> dict[str, Any]:
    return {"data": {"alert_id": alert_id, "account_id": account, "signal": signal,
                     "rule": "some-rule", "owner": {"email": owner}}}


def test_personas_are_the_ones_the_sample_world_gives_its_accounts() -> None:
    # The world is built from the same cast: each account's persona, by its id.
    world = _accounts(Builder(random.Random(7), SAMPLE_START), 30)
    assert [persona_of(a.account_id) for a in world] == [a.persona for a in world]
    assert {a.persona for a in world} == set(PERSONAS)


def test_an_owner_approves_a_right_reading_and_dismisses_the_rest_with_the_reason() -> None:
    decisions = {d.alert_id: d for d in review([
        alert("right", "acct_1004", "churn_risk"),          # churn account, churn risk
        alert("healthy", "acct_1001", "churn_risk"),        # steady account
        alert("wrong", "acct_1004", "upgrade_intent"),      # churn account read as upgrade
        alert("stranger", "acct_x", "churn_risk"),          # not the sample's
    ], AT)}
    assert decisions["right"].decision == "approved"
    assert (decisions["healthy"].decision, decisions["healthy"].reason) == ("dismissed", "false_signal")
    assert (decisions["wrong"].decision, decisions["wrong"].reason) == ("dismissed", "not_useful")
    assert "stranger" not in decisions
    assert {d.at for d in decisions.values()} == {AT}
    assert decisions["right"].by == "riley@northwind.example"


def test_each_alert_is_decided_once_and_the_console_users_alerts_are_left_open() -> None:
    alerts = [alert("a", "acct_1004", "churn_risk"), alert("a", "acct_1004", "churn_risk"),
              alert("b", "acct_1002", "churn_risk", owner="ana@northwind.example")]
    assert [d.alert_id for d in review(alerts, AT)] == ["a", "b"]
    assert [d.alert_id for d in review(alerts, AT, skip_owner="ana@northwind.example")] == ["a"]
