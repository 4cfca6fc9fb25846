"""Governance: which alert candidates are published now, which wait, which are held back — and why.

The decision itself lives here; its types are :mod:`operators.governance_model`, the
owner's calendar :mod:`operators.owner_time`, its records :mod:`operators.governance_records`.

DESIGN.md, "Governance", applied after the rules and before anything is
published, in this order:

0. **snooze**: a reviewer snoozed the rule for the account (feedback
   ``snoozed`` with ``until``): it stays quiet for evidence before ``until``;
1. **cooldown** per account and rule (the rule's own, else the policy's 48 h):
   an alert published at ``t`` is *open* until ``t + cooldown`` — and, because
   records arrive out of order across partitions, for evidence up to
   ``cooldown`` *before* ``t`` as well, so a burst yields one alert whatever
   order it arrives in. A match of the same rule for the account while it is
   open does not make a new alert: it updates the open one, in its thread,
   and escalates it when its priority is higher (:mod:`operators.alert_thread`);
2. **daily cap** per account and owner-local day (3): new alerts over the cap
   are *deferred* to the start of the owner's next day, never dropped (an
   update is not a new alert: it does not count);
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
...                   datetime(2026, 11, 20, 15, 0, tzinfo=UTC), None, None)
>>> second, _ = govern([later], GovernanceView(cooldowns=writes.cooldowns), Governance())
>>> second[0].outcome, second[0].update.thread_id, second[0].update.change
('publish', 'a1', 'new_evidence')
>>> for part in second[0].reason.split(" ("):
...     print(part)
updated: new evidence for rule upgrade-intent on acct_42 at 2026-11-20T15:00Z while alert a1 is open
opened 2026-11-20T10:00Z, open until 2026-11-22T10:00Z)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from config.rules import Governance
from operators.alert_thread import open_thread, thread_update, update_entry, update_reason
from operators.governance_model import (
    CLOSED_TICKET_KEEP,
    COOLDOWN_HISTORY,
    PRIORITY_RANK,
    Candidate,
    CooldownEntry,
    CooldownKey,
    DayKey,
    GovernanceView,
    GovernanceWrites,
    Outcome,
    Priority,
    Snooze,
    ThreadUpdate,
    TicketSpan,
    Verdict,
    ViewKeys,
    dismissal_of,
    snooze_of,
)
from operators.governance_records import (
    candidate_from_dict,
    candidate_to_dict,
    explain_entry,
    retry_candidate,
)
from operators.owner_time import (
    aware,
    in_working_hours,
    local_day,
    next_day_start,
    next_working_start,
    owner_zone,
)
from operators.records import iso_minutes as iso

__all__ = [
    "CLOSED_TICKET_KEEP",
    "COOLDOWN_HISTORY",
    "PRIORITY_RANK",
    "Candidate",
    "CooldownEntry",
    "CooldownKey",
    "DayKey",
    "GovernanceView",
    "GovernanceWrites",
    "Outcome",
    "Priority",
    "Snooze",
    "ThreadUpdate",
    "TicketSpan",
    "Verdict",
    "ViewKeys",
    "candidate_from_dict",
    "candidate_to_dict",
    "decision_order",
    "dismissal_of",
    "explain_entry",
    "govern",
    "iso",
    "owner_zone",
    "retry_candidate",
    "snooze_of",
    "view_keys",
]


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

    Each account's candidates are decided in evidence-time order (ties: higher
    priority first, then ``alert_id``): the order an account's records already
    have when they reach governance (``to-account-shards``). Deciding in that
    order, and no other, makes the verdicts independent of where the stream is
    cut into batches: a run that sees the candidates one at a time, a replay
    that sees them all at once and any split between decide the same. (Ranking
    by priority first would let the batch boundary decide which of two
    competing alerts goes out.) Neither argument is mutated.
    """
    state = _Overlay(view)
    writes = GovernanceWrites()
    zones = [owner_zone(c.account, policy) for c in candidates]
    days = [local_day(c.at, z) for c, z in zip(candidates, zones, strict=True)]
    order = sorted(range(len(candidates)), key=lambda i: (*decision_order(candidates[i]), i))
    verdicts: dict[int, Verdict] = {}
    for i in order:
        verdicts[i] = _decide(candidates[i], zones[i], days[i], state, writes, policy)
    _forget_closed_tickets(candidates, view, writes)
    return [verdicts[i] for i in range(len(candidates))], writes


def decision_order(c: Candidate) -> tuple[str, datetime, int, str]:
    """The order governance decides candidates in: per account, by evidence time, then
    priority, then ``alert_id``. A stream in this order per account governs the same
    whatever its batches."""
    return c.account_id, aware(c.at), PRIORITY_RANK[c.priority], c.alert_id


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
    at = aware(c.at)
    cool_key, day_key = (c.account_id, c.rule_id), (c.account_id, day)
    entries = state.cooldown_entries(cool_key)
    published = state.published_on(day_key)
    mine = next((e for e in entries if e.alert_id == c.alert_id), None)
    if mine is not None and mine.update is not None:
        # A re-derived update: the same update again, in the same thread.
        return _publish(c, zone, policy, update_reason(c, mine.update), mine.update)
    if c.alert_id in published or mine is not None:
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
    # Inside an open alert's cooldown (either direction in event time: records arrive out
    # of order across partitions) the candidate is that alert's news, not a new alert.
    thread = open_thread(entries, at, span)
    if thread is not None:
        closed = [s for s in state.view.snoozes.get(cool_key, ())
                  if s.closes_thread and s.alert_id == thread.thread_id]
        if closed:
            who = closed[0].by or "a reviewer"
            return Verdict(c, "suppressed", f"dismissed: {who} dismissed alert {thread.thread_id}; "
                           "new evidence for it is not sent")

    if thread is None and len(published) >= policy.daily_cap:
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

    if thread is not None:
        update = thread_update(c.priority, thread, entries)
        _remember(update_entry(c, update), cool_key, state, writes)
        return _publish(c, zone, policy, update_reason(c, update), update)

    entry = CooldownEntry(c.alert_id, at, at + span, c.priority)
    _remember(entry, cool_key, state, writes)
    state.published.setdefault(day_key, set()).add(c.alert_id)
    writes.published.setdefault(day_key, []).append(c.alert_id)
    return _publish(c, zone, policy, f"published; rule {c.rule_id} quiet for {c.account_id} until "
                    f"{iso(entry.until)}")


def _remember(entry: CooldownEntry, key: CooldownKey, state: _Overlay, writes: GovernanceWrites) -> None:
    state.cooldowns.setdefault(key, []).append(entry)
    writes.cooldowns.setdefault(key, []).append(entry)


def _publish(c: Candidate, zone: ZoneInfo, policy: Governance, reason: str,
             update: ThreadUpdate | None = None) -> Verdict:
    at = aware(c.at)
    if in_working_hours(at, zone, policy):
        return Verdict(c, "publish", reason, update=update)
    morning = next_working_start(at, zone, policy)
    local = at.astimezone(zone)
    when = f"{local:%a %H:%M} {zone.key}"
    queued = f"next morning's queue at {iso(morning)}" if morning else "next morning's queue"
    return Verdict(c, "publish", f"{reason}; outside the owner's working hours ({when}), marked for the "
                   f"{queued}", queue_for_next_morning=True, next_morning_at=morning,
                   update=update)


def _forget_closed_tickets(
    candidates: Sequence[Candidate], view: GovernanceView, writes: GovernanceWrites
) -> None:
    """Bound each account's ticket state: drop tickets closed long before its newest candidate."""
    newest: dict[str, datetime] = {}
    for c in candidates:
        at = aware(c.at)
        newest[c.account_id] = max(at, newest.get(c.account_id, at))
    for account_id in sorted(newest):
        horizon = newest[account_id] - CLOSED_TICKET_KEEP
        stale = sorted(t.ticket_id for t in view.tickets.get(account_id, ())
                       if t.opened_at is None or (t.closed_at is not None and t.closed_at < horizon))
        if stale:
            writes.forget_tickets[account_id] = stale

