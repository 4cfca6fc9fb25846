"""Governance: which alert candidates are published now, which wait, which are held back — and why.

DESIGN.md, "Governance", applied after the rules and before anything is
published, in this order:

0. **snooze**: a reviewer snoozed the rule for the account (feedback
   ``snoozed`` with ``until``): it stays quiet for evidence before ``until``;
1. **cooldown** per account and rule (the rule's own, else the policy's 48 h):
   an alert published at ``t`` keeps the same rule quiet for that account until
   ``t + cooldown`` — and, because records arrive out of order across
   partitions, for evidence up to ``cooldown`` *before* ``t`` as well, so a
   burst yields one alert whatever order it arrives in;
2. **daily cap** per account and owner-local day (3): within one call the
   candidates are ranked by priority, then evidence time, then ``alert_id``;
   those over the cap are *deferred* to the start of the owner's next day,
   never dropped;
3. **promotional suppression**: no promotional (upgrade) alert while the
   account has an open frustrated ticket;
4. **consent** for the policy's channel: ``account.consent[channel] is False``
   suppresses. A snapshot without a ``consent`` entry for the channel is
   allowed — CONTRACTS.md makes every account field optional, and reading
   silence as refusal would mute every account whose CRM does not export
   consent. Consent is account-level: CONTRACTS.md has no per-contact consent;
5. **working hours**: outside the owner's working hours and days (the owner's
   ``cs_owner.timezone``, else the policy's default) an alert is still
   published at once, marked for the next morning's queue.

Everything is evaluated *as of the evidence time* (``Candidate.at``), never
the wall clock, so a replay or a restart that re-reads history governs
identically. For the same reason the state is keyed by ``alert_id``: a
re-derived alert finds itself in the cooldown history and the day's published
set and is published again (the alert ledger drops the duplicate) instead of
being suppressed by its own earlier publication — which would lose it if the
flow died between governing and producing.

The function is pure: the caller fetches a :class:`GovernanceView` for the
keys :func:`view_keys` names, calls :func:`govern`, and stores the returned
:class:`GovernanceWrites`. Candidates in one call see each other's effects.

>>> from datetime import UTC, datetime
>>> from config.rules import Governance
>>> c = Candidate("a1", "upgrade-intent", "acct_42", "upgrade_intent", "medium", True,
...               datetime(2026, 11, 20, 10, 0, tzinfo=UTC), {"consent": {"email": True}}, None)
>>> first, writes = govern([c], GovernanceView(), Governance())
>>> first[0].outcome, first[0].queue_for_next_morning
('publish', False)
>>> later = Candidate("a2", "upgrade-intent", "acct_42", "upgrade_intent", "medium", True,
...                   datetime(2026, 11, 21, 10, 0, tzinfo=UTC), None, None)
>>> second, _ = govern([later], GovernanceView(cooldowns=writes.cooldowns), Governance())
>>> second[0].outcome
'suppressed'
>>> print(second[0].reason)
cooldown: rule upgrade-intent alerted acct_42 at 2026-11-20T10:00Z, quiet until 2026-11-22T10:00Z
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from config.rules import Governance
from contracts.errors import ConfigurationError
from operators.records import iso_minutes as iso

Priority = Literal["critical", "high", "medium", "low"]
Outcome = Literal["publish", "suppressed", "deferred"]
CooldownKey = tuple[str, str]
"""(account_id, rule_id)."""
DayKey = tuple[str, date]
"""(account_id, the owner-local day)."""

PRIORITY_RANK: Mapping[str, int] = {"critical": 0, "high": 1, "medium": 2, "low": 3}
COOLDOWN_HISTORY = 16
"""Cooldown entries kept per account and rule: enough for a restart that re-reads
history to find the publication that silenced each candidate, and bounded."""
CLOSED_TICKET_KEEP = timedelta(days=30)
"""A frustrated ticket closed longer than this before a candidate is forgotten."""


@dataclass(frozen=True, slots=True)
class Candidate:
    """An alert a rule wants to publish.

    ``at`` is the evidence (event) time, aware UTC: governance is evaluated as
    of this time. ``account`` is the CRM snapshot (CONTRACTS.md); ``cooldown``
    is the rule's own, else the policy's applies.
    """

    alert_id: str
    rule_id: str
    account_id: str
    signal: str
    priority: Priority
    promotional: bool
    at: datetime
    account: dict[str, Any] | None
    contact_email: str | None
    cooldown: timedelta | None = None
    alert: dict[str, Any] | None = None
    """The rendered alert, carried untouched so a deferred candidate publishes as rendered."""


@dataclass(frozen=True, slots=True)
class Verdict:
    """What governance decided for one candidate, and why in words."""

    candidate: Candidate
    outcome: Outcome
    reason: str
    queue_for_next_morning: bool = False
    next_morning_at: datetime | None = None
    retry_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class CooldownEntry:
    """One publication of a rule for an account: the rule is quiet in ``[since, until)``."""

    alert_id: str
    since: datetime
    until: datetime


@dataclass(frozen=True, slots=True)
class Snooze:
    """A reviewer's snooze of a rule for an account: quiet for evidence before ``until``."""

    alert_id: str
    until: datetime
    by: str | None = None

    def silences(self, at: datetime) -> bool:
        return _aware(at) < self.until


def snooze_of(alert_id: str, decision: str, until: datetime | None, by: str | None) -> Snooze | None:
    """The snooze a feedback decision asks for, if any.

    >>> from datetime import UTC, datetime
    >>> snooze_of("a1", "snoozed", datetime(2026, 12, 15, tzinfo=UTC), "riley@vendor.com").until.day
    15
    >>> snooze_of("a1", "dismissed", datetime(2026, 12, 15, tzinfo=UTC), None) is None
    True
    """
    if decision != "snoozed" or until is None:
        return None
    return Snooze(alert_id, _aware(until).astimezone(UTC), by)


@dataclass(frozen=True, slots=True)
class TicketSpan:
    """A frustrated ticket of an account, open from ``opened_at`` until ``closed_at`` (or still)."""

    ticket_id: str
    opened_at: datetime | None
    closed_at: datetime | None = None

    def open_at(self, at: datetime) -> bool:
        return self.opened_at is not None and self.opened_at <= at and (
            self.closed_at is None or at < self.closed_at)


@dataclass(frozen=True, slots=True)
class ViewKeys:
    """The state a batch of candidates needs: what the store fetches into a view."""

    cooldowns: tuple[CooldownKey, ...]
    days: tuple[DayKey, ...]
    accounts: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class GovernanceView:
    """State fetched for the candidates' accounts; a key not present reads as empty."""

    cooldowns: Mapping[CooldownKey, Sequence[CooldownEntry]] = field(default_factory=dict)
    published: Mapping[DayKey, frozenset[str]] = field(default_factory=dict)
    """The alert ids published per account and owner-local day."""
    tickets: Mapping[str, Sequence[TicketSpan]] = field(default_factory=dict)
    """The frustrated tickets tracked per account."""
    snoozes: Mapping[CooldownKey, Sequence[Snooze]] = field(default_factory=dict)
    """Reviewers' snoozes per account and rule."""


@dataclass(slots=True)
class GovernanceWrites:
    """What to store after a call: new cooldown entries, publications per day, tickets to forget."""

    cooldowns: dict[CooldownKey, list[CooldownEntry]] = field(default_factory=dict)
    published: dict[DayKey, list[str]] = field(default_factory=dict)
    forget_tickets: dict[str, list[str]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.cooldowns or self.published or self.forget_tickets)


def owner_zone(account: Mapping[str, Any] | None, policy: Governance) -> ZoneInfo:
    """The account owner's timezone (``cs_owner.timezone``), else the policy's default.

    An owner timezone that is not a valid IANA name falls back to the default
    rather than failing the batch: it is CRM data, not configuration.
    """
    owner = (account or {}).get("cs_owner")
    name = owner.get("timezone") if isinstance(owner, Mapping) else None
    if isinstance(name, str) and name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    try:
        return ZoneInfo(policy.default_timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigurationError(
            f"governance.default_timezone: {policy.default_timezone!r} is not an IANA timezone "
            "such as UTC or Europe/Berlin") from None


def local_day(at: datetime, zone: ZoneInfo) -> date:
    return _aware(at).astimezone(zone).date()


def next_day_start(at: datetime, zone: ZoneInfo) -> datetime:
    """Midnight at the start of the owner-local day after ``at``, in UTC."""
    day = local_day(at, zone) + timedelta(days=1)
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def next_working_start(at: datetime, zone: ZoneInfo, policy: Governance) -> datetime | None:
    """The next start of working hours at or after ``at`` on a working day, in UTC."""
    if not policy.working_days:
        return None
    local = _aware(at).astimezone(zone)
    for offset in range(8):
        day = local.date() + timedelta(days=offset)
        start = datetime.combine(day, time(policy.working_hours[0]), tzinfo=zone)
        if day.weekday() in policy.working_days and start >= local:
            return start.astimezone(UTC)
    return None


def in_working_hours(at: datetime, zone: ZoneInfo, policy: Governance) -> bool:
    """Whether ``at`` falls in the owner's working hours (start inclusive, end exclusive).

    No working days configured means no marking at all: every time is working time.
    """
    if not policy.working_days:
        return True
    local = _aware(at).astimezone(zone)
    start, end = policy.working_hours
    return local.weekday() in policy.working_days and start <= local.hour < end


def view_keys(candidates: Sequence[Candidate], policy: Governance) -> ViewKeys:
    """Every key :func:`govern` reads for these candidates, in a stable order."""
    cooldowns: dict[CooldownKey, None] = {}
    days: dict[DayKey, None] = {}
    accounts: dict[str, None] = {}
    for c in candidates:
        cooldowns[(c.account_id, c.rule_id)] = None
        days[(c.account_id, local_day(c.at, owner_zone(c.account, policy)))] = None
        accounts[c.account_id] = None
    return ViewKeys(tuple(cooldowns), tuple(days), tuple(accounts))


def govern(
    candidates: Sequence[Candidate], view: GovernanceView, policy: Governance
) -> tuple[list[Verdict], GovernanceWrites]:
    """Decide every candidate, in input order, and what to store.

    Candidates are decided per account and owner-local day by priority, then
    evidence time, then ``alert_id``, so the outcome does not depend on the
    order they arrive in within a call. Neither argument is mutated.
    """
    state = _Overlay(view)
    writes = GovernanceWrites()
    zones = [owner_zone(c.account, policy) for c in candidates]
    days = [local_day(c.at, z) for c, z in zip(candidates, zones, strict=True)]
    order = sorted(range(len(candidates)), key=lambda i: (
        candidates[i].account_id, days[i], PRIORITY_RANK[candidates[i].priority],
        _aware(candidates[i].at), candidates[i].alert_id, i))
    verdicts: dict[int, Verdict] = {}
    for i in order:
        verdicts[i] = _decide(candidates[i], zones[i], days[i], state, writes, policy)
    _forget_closed_tickets(candidates, view, writes)
    return [verdicts[i] for i in range(len(candidates))], writes


class _Overlay:
    """The fetched view plus what earlier candidates of this call published."""

    def __init__(self, view: GovernanceView) -> None:
        self.view = view
        self.cooldowns: dict[CooldownKey, list[CooldownEntry]] = {}
        self.published: dict[DayKey, set[str]] = {}

    def cooldown_entries(self, key: CooldownKey) -> list[CooldownEntry]:
        return [*self.view.cooldowns.get(key, ()), *self.cooldowns.get(key, ())]

    def published_on(self, key: DayKey) -> set[str]:
        return set(self.view.published.get(key, frozenset())) | self.published.get(key, set())


def _decide(
    c: Candidate, zone: ZoneInfo, day: date, state: _Overlay, writes: GovernanceWrites,
    policy: Governance,
) -> Verdict:
    at = _aware(c.at)
    cool_key, day_key = (c.account_id, c.rule_id), (c.account_id, day)
    entries = state.cooldown_entries(cool_key)
    published = state.published_on(day_key)
    if c.alert_id in published or any(e.alert_id == c.alert_id for e in entries):
        # Re-derived after a restart or a redelivery: it already counts, and the
        # ledger keeps consumers from seeing it twice.
        return _publish(c, zone, policy, "already governed and published (re-derived)")

    silencing = [s for s in state.view.snoozes.get(cool_key, ()) if s.silences(at)]
    if silencing:
        snooze = max(silencing, key=lambda s: (s.until, s.alert_id))
        who = snooze.by or "a reviewer"
        return Verdict(c, "suppressed", f"snoozed: {who} snoozed rule {c.rule_id} for {c.account_id} "
                       f"until {iso(snooze.until)} (alert {snooze.alert_id})")

    span = c.cooldown if c.cooldown is not None else policy.cooldown
    # An alert published for evidence shortly *after* this one (records arrive out of
    # order across partitions) blocks it too: a burst yields one alert, in any order.
    blocking = [e for e in entries if e.since <= at < e.until or at < e.since < at + span]
    if blocking:
        last = max(blocking, key=lambda e: (e.since, e.alert_id))
        return Verdict(c, "suppressed", f"cooldown: rule {c.rule_id} alerted {c.account_id} at "
                       f"{iso(last.since)}, quiet until {iso(last.until)}")

    if len(published) >= policy.daily_cap:
        retry = next_day_start(at, zone)
        return Verdict(
            c, "deferred",
            f"daily cap: {len(published)} alerts already published for {c.account_id} on "
            f"{day.isoformat()} ({zone.key}), cap {policy.daily_cap}; {c.priority} priority "
            f"deferred to {iso(retry)}",
            retry_at=retry)

    if c.promotional and policy.suppress_promotional_while_frustrated:
        open_now = sorted(t.ticket_id for t in state.view.tickets.get(c.account_id, ()) if t.open_at(at))
        if open_now:
            return Verdict(c, "suppressed", f"promotional alert held back: {c.account_id} has an open "
                           f"frustrated ticket ({', '.join(open_now)})")

    consent = (c.account or {}).get("consent")
    if isinstance(consent, Mapping) and consent.get(policy.channel) is False:
        return Verdict(c, "suppressed", f"no consent: {c.account_id} has not consented to the "
                       f"{policy.channel} channel")

    entry = CooldownEntry(c.alert_id, at, at + span)
    state.cooldowns.setdefault(cool_key, []).append(entry)
    writes.cooldowns.setdefault(cool_key, []).append(entry)
    state.published.setdefault(day_key, set()).add(c.alert_id)
    writes.published.setdefault(day_key, []).append(c.alert_id)
    return _publish(c, zone, policy, f"published; rule {c.rule_id} quiet for {c.account_id} until "
                    f"{iso(entry.until)}")


def _publish(c: Candidate, zone: ZoneInfo, policy: Governance, reason: str) -> Verdict:
    at = _aware(c.at)
    if in_working_hours(at, zone, policy):
        return Verdict(c, "publish", reason)
    morning = next_working_start(at, zone, policy)
    local = at.astimezone(zone)
    when = f"{local:%a %H:%M} {zone.key}"
    queued = f"next morning's queue at {iso(morning)}" if morning else "next morning's queue"
    return Verdict(c, "publish", f"{reason}; outside the owner's working hours ({when}), marked for the "
                   f"{queued}", queue_for_next_morning=True, next_morning_at=morning)


def _forget_closed_tickets(
    candidates: Sequence[Candidate], view: GovernanceView, writes: GovernanceWrites
) -> None:
    """Bound each account's ticket state: drop tickets closed long before its newest candidate."""
    newest: dict[str, datetime] = {}
    for c in candidates:
        at = _aware(c.at)
        newest[c.account_id] = max(at, newest.get(c.account_id, at))
    for account_id in sorted(newest):
        horizon = newest[account_id] - CLOSED_TICKET_KEEP
        stale = sorted(t.ticket_id for t in view.tickets.get(account_id, ())
                       if t.opened_at is None or (t.closed_at is not None and t.closed_at < horizon))
        if stale:
            writes.forget_tickets[account_id] = stale


def _aware(at: datetime) -> datetime:
    if at.tzinfo is None:
        raise ValueError("governance needs timezone-aware times (UTC)")
    return at


# --- records the state layer and the digest keep ---------------------------------------------


def explain_entry(verdict: Verdict) -> dict[str, Any]:
    """A suppression or deferral as a JSON-ready record: what ``cuewire explain`` shows."""
    c = verdict.candidate
    return {
        "alert_id": c.alert_id,
        "account_id": c.account_id,
        "rule": c.rule_id,
        "signal": c.signal,
        "priority": c.priority,
        "outcome": verdict.outcome,
        "reason": verdict.reason,
        "at": iso(c.at),
        "retry_at": iso(verdict.retry_at) if verdict.retry_at else None,
    }


def candidate_to_dict(candidate: Candidate) -> dict[str, Any]:
    """A candidate as JSON-ready data (the deferred queue stores these)."""
    return {
        "alert_id": candidate.alert_id,
        "rule_id": candidate.rule_id,
        "account_id": candidate.account_id,
        "signal": candidate.signal,
        "priority": candidate.priority,
        "promotional": candidate.promotional,
        "at": _aware(candidate.at).astimezone(UTC).isoformat(),
        "account": candidate.account,
        "contact_email": candidate.contact_email,
        "cooldown_s": candidate.cooldown.total_seconds() if candidate.cooldown is not None else None,
        "alert": candidate.alert,
    }


def candidate_from_dict(data: Mapping[str, Any]) -> Candidate:
    """The inverse of :func:`candidate_to_dict`; unknown fields are ignored."""
    cooldown = data.get("cooldown_s")
    priority = data["priority"]
    if priority not in PRIORITY_RANK:
        raise ValueError(f"unknown priority {priority!r}")
    return Candidate(
        alert_id=str(data["alert_id"]),
        rule_id=str(data["rule_id"]),
        account_id=str(data["account_id"]),
        signal=str(data["signal"]),
        priority=priority,
        promotional=bool(data["promotional"]),
        at=datetime.fromisoformat(str(data["at"])).astimezone(UTC),
        account=data.get("account"),
        contact_email=data.get("contact_email"),
        cooldown=timedelta(seconds=float(cooldown)) if cooldown is not None else None,
        alert=data.get("alert"),
    )


def retry_candidate(verdict: Verdict) -> Candidate:
    """The candidate a deferral resubmits: governed again as of its ``retry_at``.

    Re-timing it is what lets it pass: as of its original time the day's cap
    is still full. Its ``alert_id`` is unchanged, so it stays one alert.
    """
    if verdict.outcome != "deferred" or verdict.retry_at is None:
        raise ValueError("only a deferred verdict has a retry")
    return replace(verdict.candidate, at=verdict.retry_at)
