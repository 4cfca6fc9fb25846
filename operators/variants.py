"""A/B variants of a rule: each account gets one arm, sticky, by a hash of (salt, rule, account).

A rule with ``variants`` becomes one rule per arm when the rules are loaded:
``control`` is the rule as written (same id, so its alerts keep their ids),
and each variant is a copy with its own ``when``, ``priority`` or ``cooldown``
and the id ``<rule>--<variant>``. Matching skips an arm for the accounts that
are not in it, so an account only ever sees one arm's alerts; the alert says
which (``variant``), under the rule's own id, and the report splits by it.

>>> from config.rules import Rule
>>> rule = Rule.model_validate({"id": "pricing", "signal": "upgrade_intent", "recommended_action": "Call",
...     "message": "Hi", "when": {"count": {"of": "upgrade_intent", "at_least": 2, "within": "7d"}},
...     "variants": [{"name": "eager", "share": "50%",
...                   "when": {"count": {"of": "upgrade_intent", "at_least": 1, "within": "7d"}}}]})
>>> [(r.id, r.arm) for r in arms(rule)]
[('pricing', 'control'), ('pricing--eager', 'eager')]
>>> sum(in_arm(r, "acct_1", "s") for r in arms(rule))
1
"""

from __future__ import annotations

from config.rules import Rule
from operators.holdout import assignment_point

CONTROL = "control"


def arms(rule: Rule) -> list[Rule]:
    """The rule as one rule per arm (just the rule when it has no variants)."""
    if not rule.variants:
        return [rule]
    shares = rule.arm_shares
    control = rule.model_copy()
    out = [control]
    for v in rule.variants:
        update = {"id": f"{rule.id}--{v.name}", "variants": []}
        update |= {k: getattr(v, k) for k in ("when", "priority", "cooldown") if getattr(v, k) is not None}
        copy = rule.model_copy(update=update)
        copy.__dict__.pop("version", None)  # a cached version is the original's, not this arm's
        out.append(copy)
    for arm, name in zip(out, [CONTROL, *(v.name for v in rule.variants)], strict=True):
        arm._arm, arm._arm_of, arm._arm_shares = name, rule.id, shares
    return out


def arm_for(rule_id: str, shares: tuple[tuple[str, float], ...], account_id: str, salt: str) -> str:
    """Which arm of rule ``rule_id`` (variants' (name, share), in order) an account is in."""
    point = assignment_point(f"{rule_id}#variants", account_id, salt)
    edge = 0.0
    for name, share in shares:
        edge += share
        if point < edge:
            return name
    return CONTROL


def in_arm(rule: Rule, account_id: str, salt: str) -> bool:
    """Whether an arm (from :func:`arms`) applies to an account; any rule without variants does."""
    if rule.arm is None:
        return True
    return arm_for(rule.arm_of, rule.arm_shares, account_id, salt) == rule.arm
