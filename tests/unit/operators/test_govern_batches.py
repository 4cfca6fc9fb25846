"""Governance decides the same whatever the batch boundaries: one account's competing
candidates (inside a cooldown, over the daily cap, of different priorities), fed in
event-time order, split every way, get the verdicts one call gives them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

import pytest

from operators.govern import (
    Candidate,
    GovernanceView,
    decision_order,
    govern,
)
from tests.governance_world import ACCOUNT, POLICY, THU_10, stored


def cand(alert_id: str, rule: str, hours: float, priority: str, account_id: str = "acct_42") -> Candidate:
    return Candidate(alert_id, rule, account_id, "churn_risk", priority, False,  # type: ignore[arg-type]
                     THU_10 + timedelta(hours=hours), ACCOUNT, None)


def governed_in(batches: Sequence[Sequence[Candidate]]) -> dict[str, tuple[str, str]]:
    view, out = GovernanceView(), {}
    for batch in batches:
        verdicts, writes = govern(batch, view, POLICY)
        out.update({v.candidate.alert_id: (v.outcome, v.reason) for v in verdicts})
        view = stored(view, writes)
    return out


# One account, in event-time order: a low-priority alert opens a cooldown that a later,
# higher-priority match of the same rule falls into; four rules compete for a cap of 3.
COMPETING = [
    cand("gate-low", "gate", 0, "low"),
    cand("gate-crit", "gate", 1, "critical"),
    cand("cancel", "cancellation-intent", 2, "high"),
    cand("upgrade", "upgrade-intent", 3, "medium"),
    cand("absence", "abandonment", 4, "critical"),
    cand("other-account", "gate", 1.5, "high", account_id="acct_7"),
]


def test_the_competing_candidates_are_really_competing() -> None:
    verdicts = governed_in([COMPETING])
    assert {o for o, _ in verdicts.values()} >= {"publish", "deferred"}
    assert verdicts["absence"][0] == "deferred"  # the cap was filled earlier in event time
    assert verdicts["gate-crit"][1].startswith("escalated:")  # the low alert's thread, escalated


@pytest.mark.parametrize("cut", range(1, len(COMPETING)))
def test_every_split_into_two_batches_decides_as_one_batch(cut: int) -> None:
    assert governed_in([COMPETING[:cut], COMPETING[cut:]]) == governed_in([COMPETING])


def test_one_candidate_per_batch_decides_as_one_batch() -> None:
    assert governed_in([[c] for c in COMPETING]) == governed_in([COMPETING])


def test_within_a_batch_arrival_order_does_not_matter() -> None:
    assert governed_in([list(reversed(COMPETING))]) == governed_in([COMPETING])


def test_the_decision_order_is_event_time_then_priority_then_id() -> None:
    same_time = [cand("b", "r1", 0, "low"), cand("a", "r2", 0, "low"), cand("c", "r3", 0, "critical")]
    assert [c.alert_id for c in sorted([*same_time, cand("z", "r4", -1, "low")], key=decision_order)
            ] == ["z", "c", "a", "b"]

