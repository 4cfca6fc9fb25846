"""Governance state in Redis: cooldowns, daily counts, frustrated tickets, the suppression log
and the deferred queue.

The decisions are made by the pure :func:`operators.govern.govern`; this store
fetches what it reads and keeps what it decides, one pipeline per batch:

* ``gov:cool:<account>:<rule>`` — sorted set of the rule's recent publications
  for the account (score: evidence time), each with the time its cooldown ends,
  its priority and, for an update of an open alert, the thread it updated;
* ``gov:day:<account>:<owner-local day>`` — set of the alert ids published that day;
* ``gov:tickets:<account>`` — hash of the account's frustrated tickets:
  ``o:<ticket>`` when it opened, ``c:<ticket>`` when it closed (event time, so
  governance as of an older time still sees a ticket that has since closed);
* ``gov:log:<account>`` — capped list of the account's suppressions and
  deferrals, newest first: ``cuewire explain`` reads it;
* ``gov:snooze:<account>:<rule>`` — sorted set of reviewers' snoozes of the rule
  for the account (score: until), kept for the longest one's span in event time
  (from the decision to a day past its end, :mod:`operators.snooze_expiry`);
* ``gov:alert:<alert id>`` — the account and rule of a published alert, so a
  snooze that names only the alert finds what to silence;
* ``gov:deferred`` (alert id → retry time) and ``gov:deferred:payload``
  (alert id → the candidate, re-timed to its retry) — the deferred queue.

Everything is keyed by ``alert_id``, so a redelivered batch or a restart that
re-reads history writes the same members again instead of counting twice.
Every key gets its TTL on every write.

The store imports the pure governance types from ``operators.govern`` (no
Kafka, Bytewax or Redis there), as the brief for this module asked; the values
it keeps are plain JSON.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import orjson
import redis
from redis.client import Pipeline

from config.rules import Governance
from operators.govern import (
    COOLDOWN_HISTORY,
    Candidate,
    GovernanceView,
    GovernanceWrites,
    Verdict,
    candidate_to_dict,
    dismissal_of,
    explain_entry,
    retry_candidate,
    snooze_of,
    view_keys,
)
from operators.records import Feedback
from operators.snooze_expiry import snooze_lifetime
from state.commands import stage_set
from state.frustrated_tickets import FrustratedTickets, TicketChanges, TicketStatus
from state.governance_codec import (
    alert_key,
    alert_member,
    cooldown_entry,
    cooldown_member,
    snooze_from,
    snooze_member,
    text_of,
    ticket_spans,
)
from state.keys import DAY, Keyspace, TTLs
from state.unit_of_work import UnitOfWork

__all__ = ["DEFAULT_LEASE", "LOG_LIMIT", "GovernanceStore", "TicketChanges", "TicketStatus"]

LOG_LIMIT = 200
"""Suppressions and deferrals kept per account (newest first)."""
DEFAULT_LEASE = timedelta(minutes=10)


class GovernanceStore(FrustratedTickets):
    def __init__(self, client: redis.Redis, keyspace: Keyspace, ttls: TTLs,
                 log_limit: int = LOG_LIMIT) -> None:
        self._r = client
        self._ks = keyspace
        self._ttls = ttls
        self._log_limit = log_limit

    # --- what govern() reads and writes -------------------------------------------------------

    def fetch(self, candidates: Sequence[Candidate], policy: Governance) -> GovernanceView:
        """Everything :func:`operators.govern.govern` reads for these candidates, in one round trip."""
        if not candidates:
            return GovernanceView()
        keys = view_keys(candidates, policy)
        pipe = self._r.pipeline(transaction=False)
        for account_id, rule_id in keys.cooldowns:
            pipe.zrange(self._ks.governance_cooldown(account_id, rule_id), 0, -1)
        for account_id, day in keys.days:
            pipe.smembers(self._ks.governance_day(account_id, day.isoformat()))
        for account_id in keys.accounts:
            pipe.hgetall(self._ks.governance_tickets(account_id))
        for account_id, rule_id in keys.cooldowns:
            pipe.zrange(self._ks.governance_snooze(account_id, rule_id), 0, -1)
        replies = iter(pipe.execute())
        cooldowns = {key: tuple(cooldown_entry(m) for m in next(replies)) for key in keys.cooldowns}
        published = {key: frozenset(m.decode() for m in next(replies)) for key in keys.days}
        tickets = {account: ticket_spans(next(replies)) for account in keys.accounts}
        snoozes = {key: tuple(snooze_from(m) for m in next(replies)) for key in keys.cooldowns}
        return GovernanceView(cooldowns=cooldowns, published=published, tickets=tickets,
                              snoozes={k: v for k, v in snoozes.items() if v})

    def write(self, writes: GovernanceWrites) -> None:
        """Store what a :func:`govern` call decided, in one round trip."""
        self.commit(writes, ())

    def commit(self, writes: GovernanceWrites, verdicts: Sequence[Verdict]) -> None:
        """:meth:`write`, :meth:`record` and :meth:`defer` together, in one round trip."""
        pipe = self._r.pipeline(transaction=False)
        if self.stage_commit(pipe, writes, verdicts):
            pipe.execute()

    def stage_commit(self, pipe: Pipeline | UnitOfWork, writes: GovernanceWrites,
                     verdicts: Sequence[Verdict]) -> int:
        """:meth:`commit`'s commands, added to ``pipe`` (the flow sends them with the ledger's claims)."""
        staged = self._stage_writes(pipe, writes)
        staged += self._stage_record(pipe, verdicts)
        staged += self._stage_defer(pipe, verdicts)
        return staged

    def _stage_writes(self, pipe: Pipeline | UnitOfWork, writes: GovernanceWrites) -> int:
        for (account_id, rule_id), entries in writes.cooldowns.items():
            key = self._ks.governance_cooldown(account_id, rule_id)
            pipe.zadd(key, {cooldown_member(e): e.since.timestamp() for e in entries})
            # Keep the newest entries only: bounded however often the rule fires.
            pipe.zremrangebyrank(key, 0, -(COOLDOWN_HISTORY + 1))
            longest = max(int((e.until - e.since).total_seconds()) for e in entries)
            pipe.expire(key, max(self._ttls.governance_cooldown, longest + DAY))
            for e in entries:
                stage_set(pipe, self._ks.governance_alert(e.alert_id), alert_member(account_id, rule_id),
                          ex=self._ttls.governance_alert)
        for (account_id, day), alert_ids in writes.published.items():
            key = self._ks.governance_day(account_id, day.isoformat())
            pipe.sadd(key, *alert_ids)
            pipe.expire(key, self._ttls.governance_day)
        for account_id, ticket_ids in writes.forget_tickets.items():
            fields = [f"{kind}:{t}" for t in ticket_ids for kind in ("o", "c")]
            pipe.hdel(self._ks.governance_tickets(account_id), *fields)
        return len(writes.cooldowns) + len(writes.published) + len(writes.forget_tickets)

    # --- reviewers' snoozes ---------------------------------------------------------------------

    def honour_snoozes(self, feedback: Sequence[Feedback],
                       mirrors: Sequence[GovernanceStore] = ()) -> list[Feedback]:
        """Keep every ``snoozed`` decision as a snooze of its alert's rule for its account,
        and every ``dismissed`` one as the closing of its alert's thread.

        The account and rule come from the record itself (the review console
        sends them), else from what governance kept when the alert was
        published. Returns the snoozes that named an alert this deployment
        does not know, for the dead-letter topic (a dismissal of one closes
        nothing). Idempotent: a redelivered record adds the same member again.
        Each of ``mirrors`` (a shadow branch's governance) keeps the same snoozes
        in its own keys, in the same round trip: the reviewers' decisions would
        bind a candidate rules file once promoted.
        """
        asked = [(fb, s) for fb in feedback
                 if (s := snooze_of(fb.alert_id, fb.decision, fb.until, fb.by)
                     or dismissal_of(fb.alert_id, fb.decision, fb.at, fb.by)) is not None]
        if not asked:
            return []
        unnamed = sorted({fb.alert_id for fb, _ in asked if not (fb.account_id and fb.rule)})
        known: dict[str, tuple[str, str]] = {}
        if unnamed:
            found = self._r.mget([self._ks.governance_alert(a) for a in unnamed])
            known = {a: alert_key(raw) for a, raw in zip(unnamed, found, strict=True) if raw is not None}
        pipe = self._r.pipeline(transaction=False)
        unknown: list[Feedback] = []
        for fb, snooze in asked:
            target = (fb.account_id, fb.rule) if fb.account_id and fb.rule else known.get(fb.alert_id)
            if target is None:
                if not snooze.closes_thread:  # a dismissal of an alert unknown here closes nothing
                    unknown.append(fb)
                continue
            # Kept for the snooze's span in event time (never until a wall-clock instant,
            # which a replay of older history has long passed), however far ahead it ends.
            lifetime = snooze_lifetime(snooze.until, fb.at, timedelta(seconds=self._ttls.governance_snooze))
            for store in (self, *mirrors):
                key = store._ks.governance_snooze(*target)
                pipe.zadd(key, {snooze_member(snooze): snooze.until.timestamp()})
                pipe.zremrangebyrank(key, 0, -(COOLDOWN_HISTORY + 1))
                pipe.expire(key, int(lifetime.total_seconds()), gt=True)
                pipe.expire(key, int(lifetime.total_seconds()), nx=True)
        if len(pipe):
            pipe.execute()
        return unknown

    # --- the suppression log --------------------------------------------------------------------

    def record(self, verdicts: Sequence[Verdict]) -> None:
        """Keep every suppression and deferral in its account's log, in one round trip."""
        pipe = self._r.pipeline(transaction=False)
        if self._stage_record(pipe, verdicts):
            pipe.execute()

    def _stage_record(self, pipe: Pipeline | UnitOfWork, verdicts: Sequence[Verdict]) -> int:
        logs: dict[str, list[bytes]] = {}
        for v in verdicts:
            if v.outcome != "publish":
                logs.setdefault(v.candidate.account_id, []).append(
                    orjson.dumps(explain_entry(v), option=orjson.OPT_SORT_KEYS))
        for account_id, entries in logs.items():
            key = self._ks.governance_log(account_id)
            pipe.lpush(key, *entries)
            pipe.ltrim(key, 0, self._log_limit - 1)
            pipe.expire(key, self._ttls.governance_log)
        return len(logs)

    def explain(self, account_id: str, limit: int = 50) -> list[dict[str, Any]]:
        """The account's latest suppressions and deferrals, newest first.

        A redelivered or re-read batch records the same decision again; it is
        shown once.
        """
        raw = self._r.lrange(self._ks.governance_log(account_id), 0, self._log_limit - 1)
        seen: set[bytes | str] = set()
        entries: list[dict[str, Any]] = []
        for item in raw:
            if item in seen:
                continue
            seen.add(item)
            entries.append(orjson.loads(item))
            if len(entries) >= limit:
                break
        return entries

    # --- the deferred queue ---------------------------------------------------------------------

    def defer(self, verdicts: Sequence[Verdict]) -> None:
        """Queue each deferred candidate for its retry; settle the others, in one round trip.

        A candidate the queue resubmitted and that is now decided (published or
        suppressed) leaves the queue here; one deferred again stays, with its
        new retry time.
        """
        pipe = self._r.pipeline(transaction=False)
        if self._stage_defer(pipe, verdicts):
            pipe.execute()

    def _stage_defer(self, pipe: Pipeline | UnitOfWork, verdicts: Sequence[Verdict]) -> int:
        if not verdicts:
            return 0
        queue, payloads = self._ks.governance_deferred(), self._ks.governance_deferred_payloads()
        deferred = {v.candidate.alert_id: v for v in verdicts if v.outcome == "deferred"}
        decided = sorted({v.candidate.alert_id for v in verdicts} - set(deferred))
        if deferred:
            pipe.hset(payloads, mapping={
                aid: orjson.dumps(candidate_to_dict(retry_candidate(v)), option=orjson.OPT_SORT_KEYS)
                for aid, v in deferred.items()})
            pipe.zadd(queue, {aid: v.retry_at.timestamp() for aid, v in deferred.items()
                              if v.retry_at is not None})
            pipe.expire(queue, self._ttls.governance_deferred)
            pipe.expire(payloads, self._ttls.governance_deferred)
        if decided:
            pipe.zrem(queue, *decided)
            pipe.hdel(payloads, *decided)
        return len(deferred) + len(decided)

    def due(self, now: datetime, lease: timedelta = DEFAULT_LEASE) -> list[dict[str, Any]]:
        """Deferred candidates whose retry time has come, as dicts for ``candidate_from_dict``.

        They are leased, not removed: their retry moves to ``now + lease`` until
        :meth:`defer` (or :meth:`commit`) settles them, so a flow that dies
        between taking them and governing them sees them again instead of
        losing them. Two workers taking the same candidate govern it twice,
        which the alert-id keyed state and the ledger make harmless.
        """
        queue, payloads = self._ks.governance_deferred(), self._ks.governance_deferred_payloads()
        ids = [text_of(m) for m in self._r.zrangebyscore(queue, "-inf", now.timestamp())]
        if not ids:
            return []
        pipe = self._r.pipeline(transaction=False)
        pipe.hmget(payloads, ids)
        pipe.zadd(queue, {aid: (now + lease).timestamp() for aid in ids}, xx=True)
        raw, _ = pipe.execute()
        found = [orjson.loads(p) for p in raw if p is not None]
        orphans = [aid for aid, p in zip(ids, raw, strict=True) if p is None]
        if orphans:
            self._r.zrem(queue, *orphans)
        return found
