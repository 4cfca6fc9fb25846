"""What every alert says about its account and the person it is about, in words.

Ticket alerts (:mod:`operators.render`) and pattern alerts
(:mod:`operators.render_match`) carry the same account fields, the same risk
factors from the CRM and greet people the same way.

>>> account_risk_factors({"mrr": 3200, "currency": "EUR", "health_score": 41}, 20)
['renewal in 20 days', 'MRR 3,200 EUR', 'health score 41/100']
>>> account_risk_factors({}, 90), account_risk_factors({}, 91), account_risk_factors({}, -1)
(['renewal in 90 days'], [], [])
>>> first_name(None, "sam.lee@acme.io"), first_name("Kim Park", None), first_name(None, None)
('Sam', 'Kim', 'there')
"""

from __future__ import annotations

from typing import Any

RENEWAL_RISK_DAYS = 90
"""A renewal further away than this is context, not a risk factor."""

TOPIC_WORDS = {
    "integration": "an integration that stopped working",
    "data_integrity": "data that looks wrong or missing",
    "export": "getting your data exported",
    "billing": "a billing problem",
    "performance": "the product being slow",
    "login_access": "trouble signing in",
    "ui_bug": "something in the app not working",
    "how_to": "how to get something done",
    "plan_seats": "your plan and seats",
    "api": "our API",
    "cancellation": "your contract",
    "other": "an issue that is still not resolved",
}
"""A ticket topic as a customer would say it."""


def account_risk_factors(account: dict[str, Any], renewal_in_days: int | None) -> list[str]:
    """What the CRM says that makes an alert more urgent, in words."""
    factors = []
    if renewal_in_days is not None and 0 <= renewal_in_days <= RENEWAL_RISK_DAYS:
        factors.append(f"renewal in {renewal_in_days} days")
    if account.get("mrr") is not None:
        factors.append(f"MRR {float(account['mrr']):,.0f} {account.get('currency') or ''}".rstrip())
    if account.get("health_score") is not None:
        factors.append(f"health score {float(account['health_score']):.0f}/100")
    return factors


def account_fields(account: dict[str, Any]) -> dict[str, Any]:
    """The account's fields an alert carries: its owner and what the CRM says of its health."""
    owner = account.get("cs_owner") or {}
    return {
        "owner": {"name": owner.get("name"), "email": owner.get("email")} if owner else None,
        "health_score": account.get("health_score"),
        "mrr": account.get("mrr"),
        "renewal_date": account.get("renewal_date"),
    }


def owner_first_name(account: dict[str, Any]) -> str:
    """How a suggested message is signed: the CS owner's first name, or a blank to fill."""
    owner = account.get("cs_owner") or {}
    return (owner.get("name") or "").split(" ")[0] or "[your name]"


def first_name(name: str | None, email: str | None) -> str:
    """How to greet a person: the first word of their name, else their e-mail's first part."""
    if name:
        return name.split()[0]
    if email:
        return email.split("@")[0].split(".")[0].capitalize()
    return "there"
