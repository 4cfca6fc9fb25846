"""Building an account's signal timeline for rule tests: the default rules, signals by hour."""

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from config.rules import Rule, load_rules
from operators.match import Window
from operators.signals import Signal

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
RULES = load_rules()


def rule(rule_id: str) -> Rule:
    return next(r for r in RULES.rules if r.id == rule_id)


def sig(name: str, hours: float, key: str | None = None, topic: str | None = None,
        kind: str = "ticket", problem: str | None = None) -> Signal:
    """A signal of account ``acct_42``, ``hours`` after T0."""
    k = key or f"{name}-{hours}"
    return Signal("acct_42", name, k, T0 + timedelta(hours=hours), kind, k, f"rec-{k}",  # type: ignore[arg-type]
                  topic=topic, problem=problem)


def window(signals: Sequence[Signal]) -> Window:
    out: dict[str, list[Signal]] = {}
    for s in signals:
        out.setdefault(s.name, []).append(s)
    return out
