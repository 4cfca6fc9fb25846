"""A rule's ``account`` conditions (``operators.match.account_conditions_hold``): every one
must hold for the CRM snapshot in force, ``renewal_days`` counted from the evidence time."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from config.rules import PropertyCondition
from operators.match import account_conditions_hold
from tests.unit.timelines import rule

AT = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def with_conditions(*conditions: dict[str, Any]):  # type: ignore[no-untyped-def]
    return rule("upgrade-intent").model_copy(
        update={"account": [PropertyCondition.model_validate(c) for c in conditions]})


def test_a_rule_without_account_conditions_holds_for_any_account_or_none() -> None:
    assert account_conditions_hold(rule("upgrade-intent"), None, AT)
    assert account_conditions_hold(rule("upgrade-intent"), {"plan": "starter"}, AT)


@pytest.mark.parametrize(("condition", "account", "holds"), [
    ({"field": "plan", "equals": "enterprise"}, {"plan": "enterprise"}, True),
    ({"field": "plan", "equals": "enterprise"}, {"plan": "starter"}, False),
    ({"field": "plan", "equals": "enterprise"}, {}, False),
    ({"field": "plan", "equals": "enterprise"}, None, False),
    ({"field": "plan", "one_of": ["pro", "enterprise"]}, {"plan": "pro"}, True),
    ({"field": "plan", "one_of": ["pro", "enterprise"]}, {"plan": "free"}, False),
    ({"field": "mrr", "at_least": 1000}, {"mrr": 1000}, True),
    ({"field": "mrr", "at_least": 1000}, {"mrr": 999.5}, False),
    ({"field": "mrr", "at_most": 1000}, {"mrr": 1000}, True),
    ({"field": "mrr", "at_most": 1000}, {"mrr": 1000.5}, False),
    ({"field": "mrr", "at_least": 1000}, {"mrr": "lots"}, False),
    ({"field": "cs_owner.timezone", "equals": "Asia/Tokyo"}, {"cs_owner": {"timezone": "Asia/Tokyo"}}, True),
])
def test_one_condition(condition: dict[str, Any], account: dict[str, Any] | None, holds: bool) -> None:
    assert account_conditions_hold(with_conditions(condition), account, AT) is holds


def test_every_condition_must_hold() -> None:
    both = with_conditions({"field": "plan", "equals": "enterprise"}, {"field": "mrr", "at_least": 1000})
    assert account_conditions_hold(both, {"plan": "enterprise", "mrr": 5000}, AT)
    assert not account_conditions_hold(both, {"plan": "enterprise", "mrr": 500}, AT)
    assert not account_conditions_hold(both, {"plan": "starter", "mrr": 5000}, AT)


def test_renewal_days_are_counted_from_the_evidence_time() -> None:
    soon = with_conditions({"field": "renewal_days", "at_most": 30})
    account = {"renewal_date": "2026-12-01"}
    assert account_conditions_hold(soon, account, datetime(2026, 11, 1, tzinfo=UTC))  # 30 days
    assert not account_conditions_hold(soon, account, datetime(2026, 10, 31, tzinfo=UTC))  # 31 days
    assert not account_conditions_hold(soon, {}, AT)  # no renewal date: no renewal_days to compare


def test_the_account_snapshot_is_not_changed() -> None:
    soon = with_conditions({"field": "renewal_days", "at_most": 30})
    account = {"renewal_date": "2026-12-01"}
    account_conditions_hold(soon, account, AT)
    assert account == {"renewal_date": "2026-12-01"}
