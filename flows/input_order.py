"""The ``order-by-log`` step: every event, ticket and CRM snapshot in log order, on one worker.

Accounts, identity links and consent are tables that tickets and events join as
they were at their own time, so a record may be joined only once every table
change logged before it has been read, wherever in the input it sits. One
:class:`~operators.ordering.InputOrder` on one key (``flows.table_join.LOG_KEY``) holds each record
until every other event, ticket and accounts partition has been read past its
log time (see ``operators/ordering.py``), then hands records on in that order to
``resolve-accounts``. In a live run a partition read to its end is confirmed by
the broker (``flows/partition_ends.py``) rather than waited for. Held records
are part of the step's recovery snapshot: the input's offsets move past them
before they are released.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from bytewax.operators import StatefulBatchLogic

from flows import metrics, shutdown
from flows.partition_ends import PartitionEnds
from flows.stages.items import Decoded, TimelineBatch
from operators.ordering import InputOrder, OrderPolicy, OrderState, Partition, PartitionMark, sort_key


class LogOrder(StatefulBatchLogic[TimelineBatch, Decoded, OrderState[Decoded]]):
    """Takes each worker's batches (:class:`TimelineBatch`) and hands records on in log order."""

    def __init__(self, policy: OrderPolicy, resume: OrderState[Decoded] | None,
                 clock: Callable[[], float] = time.time, ends: PartitionEnds | None = None,
                 margin_ms: int = 0) -> None:
        self._clock = clock
        self._order: InputOrder[Decoded] = InputOrder(policy, clock(), resume)
        self._ends = ends
        self._margin_ms = margin_ms
        self._baseline: dict[Partition, int] = {}
        """Partitions never read from: the offset where reading them started."""

    def on_batch(self, values: list[TimelineBatch]) -> tuple[Iterable[Decoded], bool]:
        now = self._clock()
        order = self._order
        late = order.late
        for batch in values:
            for value in batch.items:
                if isinstance(value, PartitionMark):
                    order.mark(value.reached, now)
                else:
                    c = value.incoming.coords
                    order.add(sort_key(c.topic, c.partition, c.offset, c.timestamp_ms), value, now)
        if order.late > late:
            metrics.RECORDS_OUT_OF_ORDER.inc(order.late - late)
        return self._release(now), StatefulBatchLogic.RETAIN

    def on_notify(self) -> tuple[Iterable[Decoded], bool]:
        return self._release(self._clock()), StatefulBatchLogic.RETAIN

    def on_eof(self) -> tuple[Iterable[Decoded], bool]:
        if shutdown.STOP.is_set():
            # Not the input's end but a stop: what is held stays in the snapshot, to be
            # handed on in order by the next run (or re-read by one without a recovery store).
            return (), StatefulBatchLogic.RETAIN
        out = self._order.drain()
        self._account(0)
        return out, StatefulBatchLogic.RETAIN

    def notify_at(self) -> datetime | None:
        now = self._clock()
        due = self._order.next_due(now)
        if self._ends is not None and self._order.held():
            due = now + 0.01 if due is None else min(due, now + 0.01)
        return None if due is None else datetime.fromtimestamp(due, UTC)

    def snapshot(self) -> OrderState[Decoded]:
        return self._order.snapshot()

    def _release(self, now: float) -> list[Decoded]:
        order = self._order
        if self._ends is not None:
            self._learn_ends(now)
        expired = order.expired
        out = order.release(now)
        if order.expired > expired:
            metrics.JOIN_WAIT_EXPIRED.inc(order.expired - expired)
        if self._ends is not None and order.held():
            behind = order.behind()
            self._ends.ask(behind, [p for p in behind if order.read_to(p) is None
                                    and p not in self._baseline])
        self._account(order.held())
        return out

    def _learn_ends(self, now: float) -> None:
        """Partitions the broker says have been read to their end count as read up to the
        moment of asking (less the margin)."""
        assert self._ends is not None
        answer = self._ends.answer()
        if answer is None:
            return
        for partition, end in answer.end.items():
            read = self._order.read_to(partition)
            if read is None:
                if partition not in self._baseline:
                    start = answer.start.get(partition) if self._ends.from_earliest else end
                    if start is None:
                        continue
                    self._baseline[partition] = start
                read = self._baseline[partition]
            if end <= read:
                self._order.caught_up(partition, answer.asked_ms - self._margin_ms, now)

    def _account(self, held: int) -> None:
        waited, self._order.waited = self._order.waited, []
        for seconds in waited:
            metrics.JOIN_WAIT.observe(seconds)
        metrics.RECORDS_WAITING.set(held)


def log_order(policy: OrderPolicy, ends: Callable[[], PartitionEnds | None] = lambda: None,
              margin_ms: int = 0) -> Callable[[OrderState[Decoded] | None], LogOrder]:
    """The step's builder: a fresh order, or one resumed from its snapshot. ``ends`` makes the
    broker's answer to "where does each partition end" (live runs); ``None``: nobody asks."""

    def build(resume: OrderState[Decoded] | None) -> LogOrder:
        return LogOrder(policy, resume, ends=ends(), margin_ms=margin_ms)

    return build
