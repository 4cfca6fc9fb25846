"""The traffic model: a Zipf-weighted population of accounts and the records it produces.

Account snapshots and a ``group`` call per user first (a CRM sync and the identity calls),
then Segment events and tickets in every helpdesk shape of CONTRACTS.md, deterministic per seed.
"""

from __future__ import annotations

import random
import uuid
import zlib
from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import orjson

from cuewire_dev.loadtest.vocabulary import (
    COMPETITORS,
    DEFAULT_EVENT_MIX,
    EVENT_KINDS,
    FIRST,
    HEADS,
    INTEGRATIONS,
    LAST,
    OWNERS,
    PLANS,
    TAILS,
    TEXTS,
    TICKET_SHAPES,
)

Produced = tuple[str, bytes | None, bytes, str | None]
"""(topic kind, key, value, id the flow will carry as evidence or None)."""


@dataclass(frozen=True, slots=True)
class TrafficConfig:
    accounts: int = 1000
    users_per_account: int = 3
    ticket_share: float = 0.10
    event_mix: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_EVENT_MIX))
    zipf_s: float = 1.1
    seed: int = 7
    run_id: str = ""
    """Makes ids unique per run, so the alert ledger never drops a new run's alerts."""
    unknown_share: float = 0.03
    """Share of tickets from requesters no account knows (the unattached path)."""


@dataclass(slots=True)
class _Account:
    index: int
    account_id: str
    name: str
    domain: str
    org_id: str
    mrr: int
    plan: str
    renewal: date
    health: int
    users: list[tuple[str, str, str]]  # (user id, e-mail, name)


class Traffic:
    """Deterministic (per seed) records for a population of accounts, produced on demand."""

    def __init__(self, cfg: TrafficConfig, today: date | None = None) -> None:
        if cfg.accounts < 1 or cfg.users_per_account < 1:
            raise ValueError("need at least one account and one user per account")
        if not 0 <= cfg.ticket_share <= 1:
            raise ValueError("ticket share must be between 0 and 1")
        self.cfg = cfg
        self.rng = random.Random(cfg.seed)
        self.run = cfg.run_id or uuid.uuid4().hex[:8]
        self.today = today or datetime.now(UTC).date()
        # Zipf: weight of rank r is 1 / r^s; cumulative for O(log n) sampling.
        cum, total = [], 0.0
        for rank in range(1, cfg.accounts + 1):
            total += 1.0 / rank**cfg.zipf_s
            cum.append(total)
        self._cum = cum
        self._events = list(cfg.event_mix)
        self._event_cum = _cumulative([cfg.event_mix[k] for k in self._events])
        self._shapes = list(TICKET_SHAPES)
        self._shape_cum = _cumulative(list(TICKET_SHAPES.values()))
        self._text_cum = _cumulative([t[1] for t in TEXTS])
        self._accounts: dict[int, _Account] = {}
        self._seq = 0
        self._run_num = zlib.crc32(self.run.encode()) % 100_000

    # -- population ------------------------------------------------------------

    def account(self, index: int) -> _Account:
        acct = self._accounts.get(index)
        if acct is None:
            acct = self._make_account(index)
            self._accounts[index] = acct
        return acct

    def _make_account(self, index: int) -> _Account:
        r = random.Random(f"{self.cfg.seed}:{index}")
        name = f"{r.choice(HEADS)} {r.choice(TAILS)}"
        domain = f"{name.lower().replace(' ', '')}{index}.example"
        users = []
        for j in range(self.cfg.users_per_account):
            first, last = r.choice(FIRST), r.choice(LAST)
            users.append((f"u_{index}_{j}", f"{first}.{last}{j}@{domain}".lower(), f"{first} {last}"))
        return _Account(
            index=index, account_id=f"acct_{index:06d}", name=name, domain=domain,
            org_id=str(9_000_000_000 + index), mrr=int(r.paretovariate(1.3) * 300),
            plan=r.choice(PLANS), renewal=self.today + timedelta(days=r.randint(5, 365)),
            health=r.randint(20, 95), users=users,
        )

    def setup_records(self) -> Iterator[Produced]:
        """Every account's CRM snapshot, then a Segment ``group`` call per user."""
        now = datetime.now(UTC)
        for i in range(self.cfg.accounts):
            a = self.account(i)
            owner = OWNERS[i % len(OWNERS)]
            snapshot = {
                "account_id": a.account_id, "name": a.name, "domains": [a.domain], "mrr": a.mrr,
                "currency": "USD", "plan": a.plan, "segment": "smb" if a.mrr < 1000 else "mid-market",
                "renewal_date": a.renewal.isoformat(), "health_score": a.health,
                "cs_owner": {"name": owner[0], "email": owner[1]},
                "contacts": [u[1] for u in a.users], "zendesk_organization_id": a.org_id,
                "consent": {"email": True}, "updated_at": _z(now),
            }
            yield "accounts", a.account_id.encode(), orjson.dumps(snapshot), None
        from cuewire_dev.sample import segment_message

        for i in range(self.cfg.accounts):
            a = self.account(i)
            for user_id, email, name in a.users:
                msg = segment_message(
                    "group", message_id=f"lt-{self.run}-g-{user_id}", user_id=user_id,
                    anonymous_id=f"anon-{user_id}", at=now, group_id=a.account_id,
                    traits={"name": a.name, "email": email, "contact": name},
                )
                yield "events", user_id.encode(), orjson.dumps(msg), None

    # -- live traffic ----------------------------------------------------------

    def pick_account(self) -> _Account:
        x = self.rng.random() * self._cum[-1]
        return self.account(min(bisect_left(self._cum, x), self.cfg.accounts - 1))

    def next_record(self, now: datetime) -> Produced:
        self._seq += 1
        account = self.pick_account()
        if self.rng.random() < self.cfg.ticket_share:
            return self._ticket(account, now)
        return self._event(account, now)

    def _event(self, a: _Account, now: datetime) -> Produced:
        from cuewire_dev.sample import segment_message

        kind = self._events[_pick(self._event_cum, self.rng.random())]
        call, name, path = EVENT_KINDS[kind]
        user_id, email, _ = self.rng.choice(a.users)
        message_id = f"lt-{self.run}-e{self._seq}"
        with_group = self.rng.random() < 0.5
        msg = segment_message(
            call,  # type: ignore[arg-type]
            message_id=message_id, user_id=user_id, anonymous_id=f"anon-{user_id}", at=now,
            event=name if call == "track" else None, name=name if call == "page" else None,
            context_group_id=a.account_id if with_group else None,
            context_email=email if with_group else None,
            properties={"path": path} if call == "page" else {"plan": a.plan},
            page_path=path,
        )
        return "events", user_id.encode(), orjson.dumps(msg), message_id

    def _text(self, a: _Account) -> tuple[str, str, str]:
        category, _, subject, body = TEXTS[_pick(self._text_cum, self.rng.random())]
        fill = {"integration": self.rng.choice(INTEGRATIONS), "seats": str(len(a.users) + 12),
                "users": str(len(a.users) + 4), "amount": str(self.rng.randint(90, 900)),
                "plan": a.plan, "competitor": self.rng.choice(COMPETITORS)}
        return category, subject.format(**fill), body.format(**fill)

    def _ticket(self, a: _Account, now: datetime) -> Produced:
        from cuewire_dev import sample

        _category, subject, body = self._text(a)
        shape = self._shapes[_pick(self._shape_cum, self.rng.random())]
        user_id, email, name = self.rng.choice(a.users)
        if self.rng.random() < self.cfg.unknown_share:
            email, name = f"someone{self._seq}@freemail.example", "Someone"
        tid = f"{self._seq}{self._run_num:05d}"
        nanos = self.rng.randint(0, 999_999_999)
        if shape in ("zendesk_created", "zendesk_comment"):
            detail = sample.zendesk_detail(
                ticket_id=tid, subject=subject, description=body, requester_id=f"9{tid}",
                organization_id=a.org_id, assignee_id="9120398711697", tags=["loadtest"],
                priority="NORMAL", status="OPEN", created_at=now, updated_at=now,
            )
            event_id = str(uuid.UUID(int=self.rng.getrandbits(128)))
            if shape == "zendesk_created":
                value = sample.zendesk_event("zen:event-type:ticket.created", event_id=event_id,
                                             at=now, nanos=nanos, detail=detail, event={})
            else:
                comment = sample.zendesk_comment_event(comment_id=f"c{tid}", body=body,
                                                       author_id=f"9{tid}", author_name=name,
                                                       is_staff=False)
                value = sample.zendesk_event("zen:event-type:ticket.comment_added",
                                             event_id=event_id, at=now, nanos=nanos,
                                             detail=detail, event=comment)
            return "tickets", None, orjson.dumps(value), event_id
        if shape == "zendesk_trigger":
            value = sample.zendesk_trigger(
                ticket_id=tid, subject=subject, description=body, created_at=now, priority="Normal",
                status="New", tags=["loadtest"], requester_email=email, requester_name=name,
                organization_name=a.name, organization_external_id=a.account_id,
            )
            return "tickets", None, orjson.dumps(value), f"zendesk:{tid}:created"
        if shape in ("intercom_created", "intercom_replied"):
            author = sample.intercom_author("user", f"ic-{user_id}", name, email)
            parts = []
            if shape == "intercom_replied":
                parts = [sample.intercom_part(part_id=f"p{tid}", part_type="comment",
                                              body=f"<p>{body}</p>", at=now, author=author)]
            conv = sample.intercom_conversation(
                conversation_id=tid, created_at=now - timedelta(minutes=5), updated_at=now,
                state="open", source_id=f"s{tid}", body_html=f"<p>{subject}</p><p>{body}</p>",
                author=author, contact_external_id=user_id, parts=parts, admin_assignee_id=None,
                tags=["loadtest"], page_url=None,
            )
            topic = "conversation.user.created" if shape == "intercom_created" else \
                "conversation.user.replied"
            note_id = f"notif_{uuid.UUID(int=self.rng.getrandbits(128))}"
            value = sample.intercom_notification(topic, notification_id=note_id, item=conv, at=now)
            return "tickets", None, orjson.dumps(value), note_id
        created = now.replace(microsecond=0)
        value = sample.generic_ticket(
            ticket_id=f"LT-{tid}", account_id=a.account_id if self.rng.random() < 0.5 else None,
            requester_email=email, subject=subject, body=body, created_at=created,
            status="open", url=None,
        )
        return "tickets", None, orjson.dumps(value), f"generic:LT-{tid}:{created.isoformat()}"


def _cumulative(weights: list[float]) -> list[float]:
    out, total = [], 0.0
    for w in weights:
        total += w
        out.append(total)
    return [c / total for c in out]


def _pick(cum: list[float], x: float) -> int:
    return min(bisect_left(cum, x), len(cum) - 1)


def _z(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
