"""The ``hold-candidates`` step: each account's candidates reach ``govern`` in event-time order.

What waits and for how long is :mod:`operators.candidate_hold`'s to decide; this step
keys the candidates by account shard, holds them in a Bytewax stateful step (held
candidates are part of its recovery snapshot: the input's offsets move past them
before they are released), wakes at the wall-clock bound in a live run, and hands
everything on at the input's end. Digests and ticks pass straight through.
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import cast

import bytewax.operators as op
from bytewax.dataflow import Stream, operator
from bytewax.operators import StatefulBatchLogic

from flows.stages.items import Outgoing, PendingAlert, Tick
from operators.candidate_hold import CandidateHold, HoldPolicy, HoldState
from operators.govern import decision_order

SHARDS = 16
"""Candidate shards: an account's candidates are always one shard's, so one hold orders them."""

Governable = PendingAlert | Outgoing | Tick


class HeldForOrder(StatefulBatchLogic[PendingAlert, PendingAlert, HoldState[PendingAlert]]):
    def __init__(self, policy: HoldPolicy, resume: HoldState[PendingAlert] | None,
                 clock: Callable[[], float] = time.time) -> None:
        self._hold: CandidateHold[PendingAlert] = CandidateHold(policy, resume)
        self._clock = clock

    def on_batch(self, values: list[PendingAlert]) -> tuple[Iterable[PendingAlert], bool]:
        now = self._clock()
        for pending in values:
            self._hold.add(decision_order(pending.candidate), pending, now)
        return self._hold.release(now), StatefulBatchLogic.RETAIN

    def on_notify(self) -> tuple[Iterable[PendingAlert], bool]:
        return self._hold.release(self._clock()), StatefulBatchLogic.RETAIN

    def on_eof(self) -> tuple[Iterable[PendingAlert], bool]:
        # The input's end, or a stop: decide what is held now, in order, rather than
        # leave it to a next run that may never come.
        return self._hold.drain(), StatefulBatchLogic.RETAIN

    def notify_at(self) -> datetime | None:
        due = self._hold.next_due()
        return None if due is None else datetime.fromtimestamp(due, UTC)

    def snapshot(self) -> HoldState[PendingAlert]:
        return self._hold.snapshot()


def candidate_shard(pending: PendingAlert) -> str:
    return str(zlib.crc32(pending.candidate.account_id.encode()) % SHARDS)


def is_candidate(item: Governable) -> bool:
    return isinstance(item, PendingAlert)


@operator
def hold_for_order(step_id: str, up: Stream[Governable], policy: HoldPolicy) -> Stream[Governable]:
    """``up`` with its candidates held by ``policy``."""
    split = op.branch("split-candidates", up, is_candidate)
    keyed = op.key_on("key-candidates", cast(Stream[PendingAlert], split.trues), candidate_shard)
    held = op.stateful_batch("hold-candidates", keyed,
                             lambda resume: HeldForOrder(policy, resume))  # (shard, PendingAlert)
    released = op.key_rm("unkey-candidates", held)
    return op.merge("merge-held", cast(Stream[Governable], released), split.falses)
