"""Candidates wait so an account's are governed in event-time order, whatever order they
arrive in: by event time alone in replays and bounded runs, and at most a few seconds
of wall clock live."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from operators.candidate_hold import CandidateHold, HoldPolicy
from operators.govern import Candidate, GovernanceView, decision_order, govern
from tests.governance_world import POLICY, stored
from tests.unit.operators.test_govern_batches import COMPETING

T0 = datetime(2026, 11, 19, 10, 0, tzinfo=UTC)
EVENT_TIME = HoldPolicy(timedelta(minutes=5), wait_s=None)
LIVE = HoldPolicy(None, wait_s=3.0)


def key(account: str, minutes: float, alert_id: str, rank: int = 2) -> tuple[str, datetime, int, str]:
    return account, T0 + timedelta(minutes=minutes), rank, alert_id


def test_a_candidate_waits_until_event_time_has_passed_it_by_the_lateness() -> None:
    hold: CandidateHold[str] = CandidateHold(EVENT_TIME)
    hold.add(key("a", 0, "a0"), "a0", now=0.0)
    hold.add(key("b", 4.9, "b1"), "b1", now=1.0)
    assert hold.release(now=1_000.0) == []  # the wall clock means nothing here
    hold.add(key("b", 5, "b2"), "b2", now=2.0)
    assert hold.release(now=2.0) == ["a0"]
    assert hold.held() == 2


def test_a_late_candidate_is_handed_on_before_the_later_one_it_competes_with() -> None:
    hold: CandidateHold[str] = CandidateHold(EVENT_TIME)
    hold.add(key("a", 2, "later"), "later", now=0.0)
    hold.add(key("a", 1, "earlier"), "earlier", now=1.0)   # read after, happened before
    hold.add(key("a", 8, "news"), "news", now=2.0)
    assert hold.release(now=2.0) == ["earlier", "later"]
    assert hold.drain() == ["news"]


def test_what_comes_before_a_due_candidate_of_its_account_goes_with_it() -> None:
    hold: CandidateHold[str] = CandidateHold(LIVE)
    hold.add(key("a", 1, "first-read"), "first-read", now=0.0)
    hold.add(key("a", 0, "second-read"), "second-read", now=2.5)
    hold.add(key("c", 0, "other"), "other", now=2.5)
    # Only first-read has waited 3 s; the earlier candidate of its account goes with it.
    assert hold.release(now=3.0) == ["second-read", "first-read"]
    assert hold.release(now=5.4) == []
    assert hold.release(now=5.5) == ["other"]


def test_live_event_time_does_not_cut_the_wait_short() -> None:
    """A burst dated minutes apart arrives within a second: the late record still counts."""
    hold: CandidateHold[str] = CandidateHold(LIVE)
    hold.add(key("a", 0, "a0"), "a0", now=0.0)
    hold.add(key("a", 10, "a10"), "a10", now=0.0)
    assert hold.release(now=1.0) == []
    hold.add(key("a", -1, "late"), "late", now=1.0)
    assert hold.release(now=3.0) == ["late", "a0", "a10"]


def test_live_the_wall_clock_bounds_the_wait_and_says_when_to_wake() -> None:
    hold: CandidateHold[str] = CandidateHold(LIVE)
    assert hold.next_due() is None
    hold.add(key("a", 0, "a0"), "a0", now=10.0)
    hold.add(key("a", 0.5, "a1"), "a1", now=11.0)
    assert hold.next_due() == 13.0
    assert hold.release(now=12.9) == []
    assert hold.release(now=13.0) == ["a0"]
    assert hold.next_due() == 14.0
    assert CandidateHold(EVENT_TIME).next_due() is None


def test_a_zero_hold_hands_everything_on_at_once() -> None:
    hold: CandidateHold[str] = CandidateHold(HoldPolicy(timedelta(0), 0.0))
    hold.add(key("a", 3, "x"), "x", now=0.0)
    hold.add(key("a", 1, "y"), "y", now=0.0)
    assert hold.release(now=0.0) == ["y", "x"]


def test_the_snapshot_resumes_what_was_held_and_how_far_event_time_had_got() -> None:
    hold: CandidateHold[str] = CandidateHold(EVENT_TIME)
    hold.add(key("a", 0, "a0"), "a0", now=0.0)
    hold.add(key("b", 4, "b0"), "b0", now=0.0)
    resumed: CandidateHold[str] = CandidateHold(EVENT_TIME, hold.snapshot())
    hold.drain()  # the snapshot is a copy
    resumed.add(key("b", 4.5, "b1"), "b1", now=1.0)
    assert resumed.release(now=1.0) == []
    resumed.add(key("c", 5, "c0"), "c0", now=1.0)
    assert resumed.release(now=1.0) == ["a0"]


def _governed_as_held(arrivals: list[list[Candidate]], policy: HoldPolicy) -> dict[str, tuple[str, str]]:
    """Batches as they arrive, through the hold, then governed batch by batch (the flow)."""
    hold: CandidateHold[Candidate] = CandidateHold(policy)
    view, out = GovernanceView(), {}
    batches = []
    for n, batch in enumerate(arrivals):
        for c in batch:
            hold.add(decision_order(c), c, now=float(n))
        batches.append(hold.release(now=float(n)))
    batches.append(hold.drain())
    for batch in batches:
        verdicts, writes = govern(batch, view, POLICY)
        out.update({v.candidate.alert_id: (v.outcome, v.reason) for v in verdicts})
        view = stored(view, writes)
    return out


def test_competing_candidates_read_out_of_order_within_the_lateness_are_governed_as_in_one_batch() -> None:
    within = HoldPolicy(timedelta(hours=5), wait_s=None)  # COMPETING spans four hours
    one_batch = _governed_as_held([COMPETING], within)
    reversed_one_by_one = [[c] for c in reversed(COMPETING)]
    assert _governed_as_held(reversed_one_by_one, within) == one_batch
    # Without the hold, the same arrivals decide otherwise: the hold is what makes them agree.
    assert _governed_as_held(reversed_one_by_one, HoldPolicy(timedelta(0), 0.0)) != one_batch
    # Later than the lateness, a candidate is decided on arrival, as before.
    assert _governed_as_held(reversed_one_by_one, HoldPolicy(timedelta(hours=1), None)) != one_batch


def test_a_resumed_hold_knows_how_far_event_time_had_got() -> None:
    """A restart resumes from the snapshot: the newest candidate time it had seen still makes
    an older held candidate due, without waiting for a newer one to arrive."""
    hold: CandidateHold[str] = CandidateHold(EVENT_TIME)
    hold.add(key("a", 6, "a6"), "a6", now=0.0)
    hold.add(key("b", 0, "b0"), "b0", now=1.0)  # arrived late: event time is already 6 minutes on
    resumed: CandidateHold[str] = CandidateHold(EVENT_TIME, resume=hold.snapshot())
    assert resumed.release(now=1.0) == ["b0"]
    assert resumed.drain() == ["a6"]
