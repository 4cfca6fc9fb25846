"""One reading of a rule serves its match and its near miss: what the patterns stage relies on
when it reads each trigger once (``match_of`` and ``near_miss_of`` over a full progress)."""

import random
from datetime import timedelta

import numpy as np
import pytest

from config.rules import Rule
from operators import rule_progress
from operators.match import evaluate, match_of
from operators.near_miss import near_miss, near_miss_of
from operators.problem import pack
from operators.signals import Signal
from tests.unit.timelines import RULES, T0, sig, window

TOPICS = ("integration", "billing", None)
PROBLEMS = (pack(np.array([0.9, 0.1, 0.0])), pack(np.array([0.8, 0.2, 0.1])),
            pack(np.array([0.0, 0.1, 0.9])), None)


def timeline(rule: Rule, seed: int) -> list[Signal]:
    """A random fortnight of the signals ``rule`` reads, a few a day, some sharing a ticket."""
    rng = random.Random(seed)
    names = sorted(rule.when.signals())
    out = []
    for n in range(rng.randint(2, 9)):
        name = rng.choice(names)
        key = f"k{rng.randint(0, n)}"
        out.append(sig(name, rng.uniform(0, 14 * 24), key=f"{name}-{key}", topic=rng.choice(TOPICS),
                       problem=rng.choice(PROBLEMS)))
    return sorted(out, key=lambda s: (s.at, s.record_id))


@pytest.mark.parametrize("rule", [r for r in RULES.rules if r.when.ticket_gate is None], ids=lambda r: r.id)
def test_a_full_reading_holds_the_match_and_the_near_miss(rule: Rule) -> None:
    matched = near = 0
    for seed in range(150):
        signals = timeline(rule, seed)
        win = window(signals)
        for trigger in signals:
            got = rule_progress.evaluate(rule, trigger, win)
            assert match_of(rule, trigger, got) == evaluate(rule, trigger, win)
            for at_least in (0.5, 0.6):
                assert (near_miss_of(rule, trigger, got, trigger.at, min_closeness=at_least)
                        == near_miss(rule, trigger, win, trigger.at, min_closeness=at_least))
            matched += match_of(rule, trigger, got) is not None
            near += near_miss_of(rule, trigger, got, trigger.at, min_closeness=0.5) is not None
    if not rule.when.absences():
        # Rules judged on arrival: the sample has both outcomes, so the equalities above are tested.
        assert matched and near, (rule.id, matched, near)


def test_a_reading_later_than_the_trigger_is_not_its_match() -> None:
    rule = next(r for r in RULES.rules if r.id == "upgrade-intent")
    first, second = sig("upgrade_intent", 0), sig("upgrade_intent", 24)
    win = window([first, second])
    assert match_of(rule, first, rule_progress.evaluate(rule, first, win)) is None
    found = match_of(rule, second, rule_progress.evaluate(rule, second, win))
    assert found is not None and found.at == T0 + timedelta(hours=24)
