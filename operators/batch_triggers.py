"""As of which signals a batch's signals are evaluated: themselves, and the later ones kept
from earlier batches.

A signal that arrives late (after signals with later event times) may complete a rule
as of one of those later signals (:func:`operators.match.later_triggers`). Within one
batch that is only needed for the signals kept from earlier batches: every signal of the
batch that a rule reads triggers that rule itself (``ActiveRules.by_signal``), so it is
evaluated as its own trigger anyway (the pattern stage evaluates each rule and trigger
once). A bounded run hands an account's whole history on as one batch, so asking
:func:`later_triggers` over the full window made every signal list every later one:
quadratic in the account's history. Over the window without the batch it is what the
earlier batches left, and the result is the same set of evaluations.

One subtlety keeps it exact: a window reading counts one signal per key, the first in
the range, so a later signal kept from before is not a trigger of its own when a batch
signal of the same key (a ticket's next record, or another reading of the same record) comes
before it in the range, in the window's order: time, record id, name.

>>> from datetime import UTC, datetime, timedelta
>>> from config.rules import load_rules
>>> rule = next(r for r in load_rules().rules if r.id == "upgrade-intent")
>>> t = datetime(2026, 11, 2, tzinfo=UTC)
>>> late = Signal("a", "upgrade_intent", "m1", t, "event", "m1", "m1")
>>> kept = Signal("a", "api_question", "t9", t + timedelta(days=2), "ticket", "t9", "r9")
>>> also_now = Signal("a", "upgrade_intent", "m2", t + timedelta(days=1), "event", "m2", "m2")
>>> batch = BatchSignals([late, also_now])
>>> window = {"upgrade_intent": [late, also_now], "api_question": [kept]}
>>> [s.key for s in later_triggers_in_batch(rule, late, batch.prior(window), batch)]
['m1', 't9']
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from config.rules import Rule
from operators.rule_progress import Window
from operators.signals import Signal
from operators.window_reading import after

_Id = tuple[str, str, datetime]
"""A signal's identity in a window: key, name, time."""


class BatchSignals:
    """One account's signals of the batch being evaluated."""

    __slots__ = ("_by_key", "_ids")

    def __init__(self, signals: Sequence[Signal]) -> None:
        self._ids: set[_Id] = {(s.key, s.name, s.at) for s in signals}
        self._by_key: dict[str, list[Signal]] = {}
        for s in signals:
            self._by_key.setdefault(s.key, []).append(s)

    def prior(self, window: Window) -> Window:
        """``window`` without this batch's signals: what earlier batches left."""
        ids = self._ids
        return {name: kept for name, signals in window.items()
                if (kept := [s for s in signals if (s.key, s.name, s.at) not in ids])}

    def shadows(self, kept: Signal, names: frozenset[str], since: datetime, until: datetime) -> bool:
        """Whether a batch signal of ``kept``'s key, of ``names``, in ``(since, until]``,
        comes before it: a window reading would count that one for the key instead."""
        before = (kept.at, kept.record_id, kept.name)
        return any(s.name in names and since < s.at <= until and (s.at, s.record_id, s.name) < before
                   for s in self._by_key.get(kept.key, ()))


def later_triggers_in_batch(rule: Rule, signal: Signal, prior: Window, batch: BatchSignals) -> list[Signal]:
    """``signal`` and, oldest first, the signals kept from earlier batches that
    :func:`operators.match.later_triggers` over the whole window would list and that are
    not this batch's own triggers."""
    until = signal.at + 2 * rule.when.longest_window()
    names = rule.when.signals()
    return [signal, *(s for s in after(prior, names, signal.at, until)
                      if not batch.shadows(s, names, signal.at, until))]
