"""A CRM snapshot in its plain shape read without pydantic: what the model would dump.

:func:`plain_snapshot` returns exactly ``AccountSnapshot.model_validate(body).model_dump(mode="json")``
for a snapshot whose fields all hold their JSON types in the form the CRM writes them (text
ids or whole-number ids, lists of text, numbers, ``YYYY-MM-DD`` dates, ``…THH:MM:SSZ``
times, booleans for consent), and ``None`` for anything else: a numeric string, another
date form, a wrong type, a value the model refuses. The caller then goes through the model,
which decides and words every error as before. ``tests/unit/operators/test_plain_account.py``
holds the two to the same dict, key order included, on generated snapshots.

>>> plain_snapshot({"account_id": 42, "mrr": 1200, "domains": [" Acme.IO ", ""],
...                 "updated_at": "2026-11-20T10:15:00Z", "extra": "ignored"})["mrr"]
1200.0
>>> plain_snapshot({"account_id": "a", "renewal_date": "20 Nov 2026"}) is None
True
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

__all__ = ["plain_snapshot"]



class _NotPlain(Exception):
    """Raised inside :func:`plain_snapshot` when the model has to decide."""


def plain_snapshot(body: dict[str, Any]) -> dict[str, Any] | None:
    """The snapshot as the model dumps it (JSON mode), or ``None`` when the model must read it."""
    try:
        return _read(body)
    except (_NotPlain, ValueError, OverflowError):
        return None


def _read(body: dict[str, Any]) -> dict[str, Any]:
    get = body.get
    account_id = _id(get("account_id"))
    if account_id is None or not 1 <= len(account_id) <= 200:
        raise _NotPlain
    name, currency, plan, segment = get("name"), get("currency"), get("plan"), get("segment")
    for text in (name, currency, plan, segment):
        if text is not None and type(text) is not str:
            raise _NotPlain
    mrr, health_score = get("mrr"), get("health_score")
    if mrr is not None:
        mrr = _number(mrr)
        if mrr < 0:
            raise _NotPlain
    if health_score is not None:
        health_score = _number(health_score)
    renewal_date, updated_at = get("renewal_date"), get("updated_at")
    if renewal_date is not None:
        _check_day(renewal_date)
    if updated_at is not None:
        _check_utc_time(updated_at)
    cs_owner = get("cs_owner")
    if cs_owner is not None:
        cs_owner = _owner(cs_owner)
    consent = get("consent", {})
    if type(consent) is not dict or not all(type(k) is str and type(v) is bool for k, v in consent.items()):
        raise _NotPlain
    return {"account_id": account_id, "name": name, "domains": _lowered(get("domains", [])),
            "mrr": mrr, "currency": currency, "plan": plan, "segment": segment,
            "renewal_date": renewal_date, "health_score": health_score, "cs_owner": cs_owner,
            "contacts": _lowered(get("contacts", [])),
            "zendesk_organization_id": _id(get("zendesk_organization_id")),
            "consent": dict(consent), "updated_at": updated_at}


def _id(value: object) -> str | None:
    if value is None or type(value) is str:
        return value
    if type(value) is int:
        return str(value)
    raise _NotPlain


def _number(value: object) -> float:
    if type(value) is float or type(value) is int:
        return float(value)
    raise _NotPlain


def _check_day(value: object) -> None:
    """A day that exists (else ValueError), written as its ISO form is: ``YYYY-MM-DD``."""
    if type(value) is not str or date.fromisoformat(value).isoformat() != value:
        raise _NotPlain


def _check_utc_time(value: object) -> None:
    """A time that exists (else ValueError), written ``YYYY-MM-DDTHH:MM:SS`` and ``Z``."""
    if (type(value) is not str or len(value) != 20 or value[19] != "Z"
            or datetime.fromisoformat(value[:19]).isoformat() != value[:19]):
        raise _NotPlain


def _lowered(values: object) -> list[str]:
    """What the model's ``_lower`` makes of a list of text: stripped, lower-cased, blanks dropped."""
    if type(values) is not list:
        raise _NotPlain
    out = []
    for value in values:
        if type(value) is not str:
            raise _NotPlain
        stripped = value.strip()
        if stripped:
            out.append(stripped.lower())
    return out


def _owner(value: object) -> dict[str, str | None]:
    if type(value) is not dict:
        raise _NotPlain
    get = value.get
    owner = {"name": get("name"), "email": get("email"), "slack": get("slack"), "timezone": get("timezone")}
    for text in owner.values():
        if text is not None and type(text) is not str:
            raise _NotPlain
    return owner
