"""The ``order-by-log`` step: one :class:`~operators.ordering.InputOrder` per account shard.

Bytewax routes each shard's key to one worker, so every record of an account is
handled by one worker, and this step hands them on in log order (see
``operators/ordering.py`` for why and how). Held records are part of the step's
recovery snapshot: the input's offsets move past them before they are released.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from bytewax.operators import StatefulBatchLogic

from flows import metrics, shutdown
from flows.steps import Located
from operators.ordering import InputOrder, OrderPolicy, OrderState, PartitionMark, sort_key


class ShardOrder(StatefulBatchLogic[Located | PartitionMark, Located, OrderState[Located]]):
    def __init__(self, policy: OrderPolicy, resume: OrderState[Located] | None,
                 clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._order: InputOrder[Located] = InputOrder(policy, clock(), resume)

    def on_batch(self, values: list[Located | PartitionMark]) -> tuple[Iterable[Located], bool]:
        now = self._clock()
        order = self._order
        late = order.late
        for value in values:
            if isinstance(value, PartitionMark):
                order.mark(value.reached, now)
            else:
                c = value.coords
                order.add(sort_key(c.topic, c.partition, c.offset, c.timestamp_ms), value, now)
        if order.late > late:
            metrics.RECORDS_OUT_OF_ORDER.inc(order.late - late)
        return order.release(now), StatefulBatchLogic.RETAIN

    def on_notify(self) -> tuple[Iterable[Located], bool]:
        return self._order.release(self._clock()), StatefulBatchLogic.RETAIN

    def on_eof(self) -> tuple[Iterable[Located], bool]:
        if shutdown.STOP.is_set():
            # Not the input's end but a stop: what is held stays in the snapshot, to be
            # handed on in order by the next run (or re-read by one without a recovery store).
            return (), StatefulBatchLogic.RETAIN
        return self._order.drain(), StatefulBatchLogic.RETAIN

    def notify_at(self) -> datetime | None:
        due = self._order.next_due(self._clock())
        return None if due is None else datetime.fromtimestamp(due, UTC)

    def snapshot(self) -> OrderState[Located]:
        return self._order.snapshot()


def shard_order(policy: OrderPolicy) -> Callable[[OrderState[Located] | None], ShardOrder]:
    """The step's builder: a fresh shard, or one resumed from its snapshot."""

    def build(resume: OrderState[Located] | None) -> ShardOrder:
        return ShardOrder(policy, resume)

    return build
