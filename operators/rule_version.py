"""Which version of its rule raised an alert: stamped on the alert so it can be measured per version.

A rule's version is a short hash of its definition (``config.rules.Rule.version``):
editing a threshold makes a new version; editing its description does not.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from operators.govern import Verdict


def stamp_rule_versions(verdicts: Sequence[Verdict], rules: Mapping[str, Any]) -> list[Verdict]:
    """Verdicts whose rendered alert names the version of its rule (``data.rule_version``,
    from ``rules[rule_id].version``), so precision and lift can be told apart per version."""
    out = []
    for v in verdicts:
        c = v.candidate
        rule = rules.get(c.rule_id)
        data = (c.alert or {}).get("data")
        if rule is None or not isinstance(data, dict) or c.alert is None:
            out.append(v)
            continue
        stamp = {"rule_version": rule.version}
        if rule.arm is not None:  # an A/B arm: the alert is the rule's, in this variant
            stamp |= {"rule": rule.arm_of, "variant": rule.arm}
        alert = {**c.alert, "data": {**data, **stamp}}
        out.append(replace(v, candidate=replace(c, alert=alert)))
    return out
