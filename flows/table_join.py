"""The ``resolve-accounts`` step and the hand-off to the account shards.

``resolve-accounts`` runs on the one key of ``order-by-log`` (``flows.steps.LOG_KEY``),
so it sees every event, ticket and CRM snapshot in log order and joins each with
the tables as they were at its time (``Steps.resolve``). The records that reached
no account wait in its state (``operators/reattach.py``) for a link that reaches
them; they are part of the step's recovery snapshot.

``to-account-shards`` then sends each joined record to its account's shard: one
worker handles an account's records, in the order they were joined (a channel
between two workers keeps its order).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import timedelta

from bytewax.operators import StatefulBatchLogic

from flows.steps import REATTACH_MAX, Decoded, Located, Steps
from operators.reattach import Unattached, UnattachedState


class TableJoin(StatefulBatchLogic[Decoded, Located, UnattachedState[Decoded]]):
    def __init__(self, steps: Steps, window: timedelta, resume: UnattachedState[Decoded] | None) -> None:
        self._steps = steps
        self._waiting: Unattached[Decoded] = Unattached(
            int(window.total_seconds() * 1000), REATTACH_MAX, resume)

    def on_batch(self, values: list[Decoded]) -> tuple[Iterable[Located], bool]:
        return self._steps.resolve(values, self._waiting), StatefulBatchLogic.RETAIN

    def snapshot(self) -> UnattachedState[Decoded]:
        return self._waiting.snapshot()


def table_join(steps: Steps) -> Callable[[UnattachedState[Decoded] | None], TableJoin]:
    def build(resume: UnattachedState[Decoded] | None) -> TableJoin:
        return TableJoin(steps, steps.reattach_window, resume)

    return build


class HandOff(StatefulBatchLogic[Located, Located, list[Located]]):
    """Passes an account shard's records on, on the shard's worker.

    A bounded input (``--exit-at-end``, a replay) is handed on at its end, all of a
    shard's records in one batch: the batch steps after it (patterns, governance)
    decide a batch's candidates together, so when batches were cut by how the work
    is split, one worker and several could decide differently."""

    def __init__(self, live: bool, resume: list[Located] | None) -> None:
        self._live = live
        self._held: list[Located] = list(resume or ())

    def on_batch(self, values: list[Located]) -> tuple[Iterable[Located], bool]:
        if self._live:
            return values, StatefulBatchLogic.RETAIN
        self._held += values
        return [], StatefulBatchLogic.RETAIN

    def on_eof(self) -> tuple[Iterable[Located], bool]:
        held, self._held = self._held, []
        return held, StatefulBatchLogic.RETAIN

    def snapshot(self) -> list[Located]:
        return list(self._held)  # the input's offsets have moved past them


def hand_off(live: bool) -> Callable[[list[Located] | None], HandOff]:
    return lambda resume: HandOff(live, resume)
