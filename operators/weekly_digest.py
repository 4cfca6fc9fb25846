"""The weekly digest: per owner and ISO week, the accounts that came close to alerting.

Weeks are ISO weeks in UTC (``2026-W47``: Monday 00:00 to the next Monday
00:00), taken from each near miss's evidence time, so a replay files every near
miss under the same week as the live run did. The digest's id is derived from
owner and week only: published twice (a restart, a replay), it is the same
record and the alert ledger drops the copy.

>>> from datetime import UTC, datetime
>>> iso_week(datetime(2026, 11, 22, 23, 59, tzinfo=UTC))
'2026-W47'
>>> [iso(t) for t in week_bounds("2026-W47")]
['2026-11-16T00:00:00Z', '2026-11-23T00:00:00Z']
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from operators.render import ALERT_NAMESPACE, cloud_event, iso

DIGEST_TYPE = "io.cuewire.digest.weekly"
ENTRY_LIMIT = 200
"""Accounts listed per digest, closest first: a digest stays one readable Kafka record."""
_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


def iso_week(at: datetime) -> str:
    """The ISO week (UTC) an evidence time falls in, as ``YYYY-Www``."""
    year, week, _ = at.astimezone(UTC).isocalendar()
    return f"{year}-W{week:02d}"


def week_bounds(week: str) -> tuple[datetime, datetime]:
    """Start (Monday 00:00 UTC) and end (the next Monday 00:00 UTC) of an ISO week."""
    found = _WEEK.match(week)
    if not found:
        raise ValueError(f"{week!r} is not an ISO week such as 2026-W47")
    monday = date.fromisocalendar(int(found.group(1)), int(found.group(2)), 1)
    start = datetime.combine(monday, time(0), tzinfo=UTC)
    return start, start + timedelta(days=7)


def owner_of(account: dict[str, Any] | None) -> str | None:
    """Who an account's digest goes to: its CS owner's e-mail, else name; None when unowned.

    >>> owner_of({"cs_owner": {"name": "Dana Reyes", "email": "dana@acme.io"}})
    'dana@acme.io'
    >>> owner_of({"cs_owner": None}) is None
    True
    """
    owner = (account or {}).get("cs_owner") or {}
    found = owner.get("email") or owner.get("name")
    return str(found) if found else None


def digest_id(owner: str, week: str) -> str:
    """The digest's CloudEvent id: one per owner and week, whoever publishes it and when."""
    return str(uuid.uuid5(ALERT_NAMESPACE, f"digest\x1fweekly\x1f{owner}\x1f{week}"))


def render_weekly_digest(
    owner: str,
    week: str,
    near_misses: list[dict[str, Any]],
    deployment: str,
    detected_at: datetime,
    *,
    limit: int = ENTRY_LIMIT,
) -> dict[str, Any]:
    """The CloudEvent for one owner's week: accounts that came close, closest first.

    ``near_misses`` are :meth:`operators.near_miss.NearMiss.to_json` dicts (what
    ``WeeklyDigestStore.take`` returns); for each (account, rule) the closest is
    listed, ties going to the later one.
    """
    best: dict[tuple[str, str], dict[str, Any]] = {}
    for nm in near_misses:
        key = (nm["account_id"], nm["rule_id"])
        if key not in best or _rank(nm) > _rank(best[key]):
            best[key] = nm
    ordered = sorted(best.values(), key=lambda nm: (-float(nm["closeness"]), nm["account_id"], nm["rule_id"]))
    start, end = week_bounds(week)
    entries = [_entry(nm) for nm in ordered[:limit]]
    data = {
        "owner": owner,
        "week": week,
        "period": {"start": iso(start), "end": iso(end)},
        "summary": _summary(len(ordered), len({nm["account_id"] for nm in ordered})),
        "near_misses": entries,
        "omitted": max(0, len(ordered) - limit),
        "detected_at": iso(detected_at),
    }
    return cloud_event(event_id=digest_id(owner, week), type_=DIGEST_TYPE, subject=owner,
                       time=detected_at, deployment=deployment, data=data)


def _rank(nm: dict[str, Any]) -> tuple[float, datetime, str]:
    return float(nm["closeness"]), datetime.fromisoformat(nm["at"]), str(nm["missing"])


def _entry(nm: dict[str, Any]) -> dict[str, Any]:
    percent = int(float(nm["closeness"]) * 100)  # floored: 99.9 % close must not read as 100 %
    return {
        "account_id": nm["account_id"],
        "rule": nm["rule_id"],
        "missing": nm["missing"],
        "closeness": float(nm["closeness"]),
        "closeness_percent": percent,
        "summary": f"{percent}% of the way to {nm['rule_id']}: missing {nm['missing']}",
        "at": iso(datetime.fromisoformat(nm["at"])),
        "evidence_ids": list(nm.get("evidence", ())),
    }


def _summary(near_misses: int, accounts: int) -> str:
    if not near_misses:
        return "No account came close to an alert this week."
    return (f"{accounts} account{'' if accounts == 1 else 's'} came close to an alert this week "
            f"({near_misses} near miss{'' if near_misses == 1 else 'es'}).")
