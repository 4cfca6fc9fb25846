"""``cuewire loadtest``: realistic traffic into a running flow, measured from the outside.

The tool is a client of the flow, never part of it. It produces to the input
topics and reads the output topics of whatever ``cuewire run`` listens on the
CUEWIRE_* settings, so what it measures is what a downstream team would see:

* **Traffic** (:class:`Traffic`): N accounts whose activity follows a Zipf law
  (a few accounts are very busy, most are quiet), several users per account, a
  configurable mix of Segment events (page views, pricing and cancellation
  pages, cart and onboarding steps, logins) and a share of tickets (10 % by
  default) in every helpdesk shape of CONTRACTS.md, whose texts span the
  taxonomy from data loss to polite how-to questions. Account snapshots and a
  ``group`` call per user are produced first, as a CRM sync and the identity
  calls would be in production.
* **Event→alert latency**: each ticket's ``record_id`` (the idempotency key the
  flow puts in the alert's evidence) is remembered with its produce time; an
  alert's latency is its arrival time minus the produce time of the newest
  record in its evidence.
* **Throughput**: the rate actually offered, and, when the flow's Prometheus
  endpoint answers, the rate at which it read records.
* **Consumer lag** over time: Bytewax keeps offsets in its recovery store and
  never commits them to Kafka, so lag is read from the flow's metrics
  (``cuewire_consumer_lag`` when exposed, else the input topics' end offsets
  minus ``cuewire_records_in_total``).
* **Dead letters** produced during the run.

Loads go only to loopback addresses: a load test aimed at a shared cluster by
mistake is an outage. Every loop is bounded in count and in time.
"""

from __future__ import annotations

import ipaddress
import math
import random
import socket
import statistics
import threading
import time
import urllib.request
import uuid
import zlib
from bisect import bisect_left
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlparse

import orjson
import typer

from config.settings import Settings

Produced = tuple[str, bytes | None, bytes, str | None]
"""(topic kind, key, value, id the flow will carry as evidence or None)."""

# ---------------------------------------------------------------------------
# Traffic model
# ---------------------------------------------------------------------------

DEFAULT_EVENT_MIX: dict[str, float] = {
    "page": 30, "login": 18, "feature": 12, "pricing": 8, "plan_compare": 3, "cancel_terms": 2,
    "export": 1, "cart": 8, "checkout": 4, "onboarding_start": 8, "onboarding_done": 6,
}
"""Relative weights of the event kinds; ``--event-mix`` overrides any of them."""

# (Segment call, event or page name, path)
_EVENT_KINDS: dict[str, tuple[str, str, str]] = {
    "page": ("page", "Dashboard", "/app/dashboard"),
    "login": ("track", "Signed In", "/login"),
    "feature": ("track", "Report Created", "/app/reports"),
    "pricing": ("track", "Pricing Page Viewed", "/pricing"),
    "plan_compare": ("track", "Plan Compared", "/pricing/compare"),
    "cancel_terms": ("page", "Cancellation Terms", "/legal/cancel"),
    "export": ("track", "Data Export Started", "/app/settings/export"),
    "cart": ("track", "Product Added", "/store/addons"),
    "checkout": ("track", "Checkout Started", "/store/checkout"),
    "onboarding_start": ("track", "Onboarding Step Started", "/app/onboarding"),
    "onboarding_done": ("track", "Onboarding Step Completed", "/app/onboarding"),
}

# Helpdesk shapes and their shares of tickets.
TICKET_SHAPES: dict[str, float] = {
    "zendesk_created": 25, "zendesk_comment": 15, "zendesk_trigger": 20,
    "intercom_created": 15, "intercom_replied": 10, "generic": 15,
}

# Ticket language across the taxonomy: (category, weight, subject, body).
_TEXTS: list[tuple[str, float, str, str]] = [
    ("data_integrity", 4, "Dashboard numbers wrong",
     "Since yesterday's import the numbers are wrong on our revenue dashboard and the totals don't "
     "match our own records. We report to the board on Friday."),
    ("data_integrity", 3, "Data disappeared",
     "Half of our project history disappeared overnight; data is missing from before October."),
    ("core_workflow", 5, "Can't export to CSV",
     "We can't export anything to CSV any more: the export spins and then fails."),
    ("core_workflow", 3, "App keeps crashing",
     "The desktop app keeps crashing when we open large boards, the team is blocked."),
    ("integration", 5, "{integration} sync stopped",
     "The {integration} sync stopped on Monday and nothing has come through since."),
    ("integration", 3, "Webhook not firing",
     "Our order webhook is not firing since the update and we get API error 500 on retries."),
    ("billing", 5, "Charged the wrong amount",
     "We were charged the wrong amount this month: {seats} seats billed but we have {users} users."),
    ("billing", 3, "Unexpected charge",
     "There is an unexpected charge of ${amount} on our card from yesterday. What is it for?"),
    ("annoyance", 8, "App is slow",
     "The app has been really slow this week, loading a board takes 10 to 15 seconds."),
    ("annoyance", 5, "New editor is confusing",
     "The new editor is confusing; it took us a while to find where the filters went."),
    ("escalation", 3, "Still not fixed",
     "This is the third time I'm writing: the sync is still broken. We are looking at alternatives."),
    ("upgrade", 6, "Question about the Pro plan",
     "What's in the Pro plan compared to our {plan} plan? We may need to add more users soon."),
    ("upgrade", 4, "More seats",
     "We'd like to add seats for {users} more people. How does pricing work mid-term?"),
    ("api", 4, "Do you have an API?",
     "Do you have an API we could use to pull usage data into our BI tool?"),
    ("cancellation", 3, "Cancel at renewal",
     "Please tell us how to cancel our subscription at renewal, we are switching to {competitor}."),
    ("full_export", 3, "Export all our data",
     "How can we export all our data, including attachments, before the end of the month?"),
    ("feature", 5, "Custom fields",
     "Is there a way to add a custom field to the project template?"),
    ("polite", 12, "Thanks for the quick fix!",
     "Just wanted to say thanks for the quick fix yesterday, everything works perfectly now!!!"),
    ("polite", 8, "Change the invoice e-mail",
     "Hi team, could you send our invoices to our finance address from next month on? Thanks!"),
]

_HEADS = ["Blue", "Bright", "North", "Silver", "Red", "Quiet", "Swift", "Open", "Clear", "Iron"]
_TAILS = ["Ledger", "Pine", "Forge", "Field", "Peak", "Loop", "Wave", "Stone", "Bridge", "Harbor"]
_FIRST = ["Dana", "Maya", "Jonas", "Priya", "Lena", "Tom", "Aiko", "Sam", "Noah", "Ines", "Omar"]
_LAST = ["Lee", "Okafor", "Weber", "Raman", "Fischer", "Brooks", "Tanaka", "Ortiz", "Berg", "Silva"]
_OWNERS = [("Riley Chen", "riley@vendor.example"), ("Jo Park", "jo@vendor.example"),
           ("Kim Novak", "kim@vendor.example")]
_INTEGRATIONS = ["Salesforce", "HubSpot", "Slack", "Jira"]
_COMPETITORS = ["Asana", "ClickUp", "Airtable"]
_PLANS = ["starter", "team", "business"]


def parse_weights(spec: str | None, defaults: dict[str, float]) -> dict[str, float]:
    """``"page=30,pricing=10"`` over ``defaults``; unknown names are an error.

    >>> parse_weights("pricing=50", {"page": 50, "pricing": 0})["pricing"]
    50.0
    """
    weights = dict(defaults)
    for part in (spec or "").split(","):
        if not part.strip():
            continue
        name, _, value = part.partition("=")
        name = name.strip()
        if name not in defaults:
            raise ValueError(f"unknown kind {name!r}; known: {', '.join(defaults)}")
        weights[name] = float(value)
    if sum(weights.values()) <= 0 or any(w < 0 for w in weights.values()):
        raise ValueError("weights must be non-negative and not all zero")
    return weights


def parse_duration(text: str) -> float:
    """Seconds from ``"250ms"``, ``"1s"``, ``"1.5s"``, ``"2m"`` or a bare number of seconds.

    >>> parse_duration("250ms"), parse_duration("2m"), parse_duration("1.5")
    (0.25, 120.0, 1.5)
    """
    t = text.strip().lower()
    for suffix, factor in (("ms", 0.001), ("s", 1.0), ("m", 60.0), ("h", 3600.0)):
        if t.endswith(suffix):
            return float(t[: -len(suffix)]) * factor
    return float(t)


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
        self._text_cum = _cumulative([t[1] for t in _TEXTS])
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
        name = f"{r.choice(_HEADS)} {r.choice(_TAILS)}"
        domain = f"{name.lower().replace(' ', '')}{index}.example"
        users = []
        for j in range(self.cfg.users_per_account):
            first, last = r.choice(_FIRST), r.choice(_LAST)
            users.append((f"u_{index}_{j}", f"{first}.{last}{j}@{domain}".lower(), f"{first} {last}"))
        return _Account(
            index=index, account_id=f"acct_{index:06d}", name=name, domain=domain,
            org_id=str(9_000_000_000 + index), mrr=int(r.paretovariate(1.3) * 300),
            plan=r.choice(_PLANS), renewal=self.today + timedelta(days=r.randint(5, 365)),
            health=r.randint(20, 95), users=users,
        )

    def setup_records(self) -> Iterator[Produced]:
        """Every account's CRM snapshot, then a Segment ``group`` call per user."""
        now = datetime.now(UTC)
        for i in range(self.cfg.accounts):
            a = self.account(i)
            owner = _OWNERS[i % len(_OWNERS)]
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
        call, name, path = _EVENT_KINDS[kind]
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
        category, _, subject, body = _TEXTS[_pick(self._text_cum, self.rng.random())]
        fill = {"integration": self.rng.choice(_INTEGRATIONS), "seats": str(len(a.users) + 12),
                "users": str(len(a.users) + 4), "amount": str(self.rng.randint(90, 900)),
                "plan": a.plan, "competitor": self.rng.choice(_COMPETITORS)}
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


# ---------------------------------------------------------------------------
# Safety: loopback only
# ---------------------------------------------------------------------------


def require_loopback(hostports: list[str], what: str) -> None:
    """Refuse any address that does not resolve to loopback only."""
    for hp in hostports:
        host = hp.rsplit(":", 1)[0].strip("[]") if ":" in hp else hp
        try:
            infos = socket.getaddrinfo(host, None)
        except OSError as exc:
            raise ValueError(f"{what} {hp!r} does not resolve ({exc})") from None
        for info in infos:
            if not ipaddress.ip_address(info[4][0].split("%")[0]).is_loopback:
                raise ValueError(
                    f"{what} {hp!r} is not a loopback address: the load test only targets this "
                    "machine (127.0.0.1, ::1, localhost)")


# ---------------------------------------------------------------------------
# Measuring
# ---------------------------------------------------------------------------


@dataclass(slots=True)
class LoadOptions:
    rate: float = 1000.0
    duration_s: float = 30.0
    drain_s: float = 20.0
    setup: bool = True
    metrics_url: str | None = None
    slo_p99_ms: float | None = None
    traffic: TrafficConfig = field(default_factory=TrafficConfig)
    settle_s: float = 60.0
    """After the setup records, wait at most this long for the flow to apply them."""
    max_tracked: int = 2_000_000
    """Bound on remembered produce times (tickets first; events while room remains)."""


def percentile(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile (``q`` in 0..100) of unsorted ``values``.

    >>> percentile([5.0, 1.0, 3.0, 2.0, 4.0], 50)
    3.0
    """
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def scrape_metrics(url: str, timeout: float = 1.0) -> dict[str, float]:
    """Prometheus text → ``{"name{labels}": value}`` (enough for counters and gauges)."""
    with urllib.request.urlopen(url, timeout=timeout) as resp:
        text = resp.read().decode()
    out: dict[str, float] = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        name, _, value = line.rpartition(" ")
        try:
            out[name] = float(value)
        except ValueError:
            continue
    return out


def records_in(metrics: dict[str, float], topics: list[str]) -> float:
    return sum(v for k, v in metrics.items() if k.startswith("cuewire_records_in_total{")
               and any(f'topic="{t}"' in k for t in topics))


class _Watcher:
    """Background reader of the alert and dead-letter topics, and lag sampler."""

    def __init__(self, settings: Settings, sent_at: dict[str, float], metrics_url: str | None) -> None:
        from confluent_kafka import Consumer, TopicPartition

        self.settings = settings
        self.sent_at = sent_at
        self.metrics_url = metrics_url
        self.latencies: list[tuple[float, float]] = []  # (arrival, seconds)
        self.alert_ids: set[str] = set()
        self.unmatched = 0
        self.dlq = 0
        self.lag: list[tuple[float, float]] = []  # (time, records)
        self.flow_read: list[tuple[float, float]] = []  # (time, records read so far)
        self.last_alert_at = 0.0
        self.stop = threading.Event()
        self.error: str | None = None
        conf = {**settings.kafka_consumer(), "group.id": f"cuewire-loadtest-{uuid.uuid4().hex[:8]}",
                "enable.auto.commit": "false"}
        self.consumer = Consumer(conf)
        self.meta = Consumer(conf)
        parts = []
        for topic in (settings.topic_alerts, settings.topic_dlq):
            md = self.consumer.list_topics(topic, timeout=10).topics[topic]
            for p in md.partitions:
                _low, high = self.consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=10)
                parts.append(TopicPartition(topic, p, high))
        self.consumer.assign(parts)
        self.inputs = []
        for topic in settings.input_topics:
            md = self.meta.list_topics(topic, timeout=10).topics.get(topic)
            self.inputs += [TopicPartition(topic, p) for p in (md.partitions if md else {})]
        self.threads = [threading.Thread(target=self._read, daemon=True),
                        threading.Thread(target=self._sample, daemon=True)]

    def start(self) -> None:
        for t in self.threads:
            t.start()

    def close(self) -> None:
        self.stop.set()
        for t in self.threads:
            t.join(timeout=10)
        self.consumer.close()
        self.meta.close()

    def _read(self) -> None:
        alerts = self.settings.topic_alerts
        try:
            while not self.stop.is_set():
                for msg in self.consumer.consume(500, timeout=0.1):
                    if msg.error():
                        continue
                    arrived = time.time()
                    if msg.topic() != alerts:
                        self.dlq += 1
                        continue
                    self._alert(msg.value(), arrived)
        except Exception as exc:  # reported in the result rather than killing the run silently
            self.error = f"alert reader: {exc.__class__.__name__}: {exc}"

    def _alert(self, value: bytes | None, arrived: float) -> None:
        try:
            event = orjson.loads(value or b"{}")
            data = event.get("data") or {}
        except orjson.JSONDecodeError:
            return
        alert_id = str(event.get("id") or data.get("alert_id"))
        if alert_id in self.alert_ids:
            return
        self.alert_ids.add(alert_id)
        self.last_alert_at = arrived
        times = []
        for ev in data.get("evidence") or []:
            for key in (ev.get("record_id"), ev.get("id")):
                if key and key in self.sent_at:
                    times.append(self.sent_at[key])
                    break
        if times:
            self.latencies.append((arrived, arrived - max(times)))
        else:
            self.unmatched += 1

    def lag_now(self) -> float | None:
        if not self.metrics_url:
            return None
        try:
            m = scrape_metrics(self.metrics_url)
        except OSError:
            return None
        read = records_in(m, self.settings.input_topics)
        self.flow_read.append((time.time(), read))
        if "cuewire_consumer_lag" in m or any(k.startswith("cuewire_consumer_lag{") for k in m):
            return sum(v for k, v in m.items() if k.split("{")[0] == "cuewire_consumer_lag")
        ends = 0
        for tp in self.inputs:
            _low, high = self.meta.get_watermark_offsets(tp, timeout=5, cached=False)
            ends += high
        return max(0.0, ends - read)

    def _sample(self) -> None:
        while not self.stop.wait(1.0):
            lag = self.lag_now()
            if lag is not None:
                self.lag.append((time.time(), lag))


def run_loadtest(settings: Settings, opts: LoadOptions,
                 progress: Callable[[dict[str, Any]], None] | None = None) -> dict[str, Any]:
    """Produce the traffic, watch the outputs, and return the result document."""
    from confluent_kafka import Producer

    require_loopback(settings.kafka_bootstrap.split(","), "Kafka bootstrap")
    if opts.metrics_url:
        require_loopback([urlparse(opts.metrics_url).hostname or ""], "metrics URL")
    if opts.rate <= 0 or opts.duration_s <= 0:
        raise ValueError("rate and duration must be positive")
    traffic = Traffic(opts.traffic)
    producer = Producer({**settings.kafka_producer(), "linger.ms": 2})
    topics = {k: settings.topic(k) for k in ("events", "tickets", "accounts")}  # type: ignore[arg-type]
    sent_at: dict[str, float] = {}
    watcher = _Watcher(settings, sent_at, opts.metrics_url)
    watcher.start()
    counts = {"setup": 0, "events": 0, "tickets": 0}
    started_at = datetime.now(UTC)
    try:
        if opts.setup:
            for kind, key, value, _ in traffic.setup_records():
                _produce(producer, topics[kind], key, value)
                counts["setup"] += 1
            producer.flush(60)
            _settle(watcher, opts, progress)
        t0 = time.time()
        total = int(opts.rate * opts.duration_s)
        deadline = t0 + opts.duration_s + 5.0
        sent = 0
        last_report = t0
        while sent < total and time.time() < deadline:
            now = time.time()
            due = min(total, int((now - t0) * opts.rate)) - sent
            at = datetime.fromtimestamp(now, UTC)
            for _ in range(max(0, min(due, 5000))):
                kind, key, value, ref = traffic.next_record(at)
                if ref is not None and (kind == "tickets" or len(sent_at) < opts.max_tracked):
                    sent_at[ref] = time.time()
                _produce(producer, topics[kind], key, value)
                counts[kind] += 1
                sent += 1
            producer.poll(0)
            if progress and now - last_report >= 0.5:
                last_report = now
                progress(_snapshot(watcher, sent, total, now - t0))
            time.sleep(max(0.0, min(0.005, t0 + (sent + 1) / opts.rate - time.time())))
        produce_end = time.time()
        producer.flush(60)
        _drain(watcher, opts, progress, sent, total, t0)
    finally:
        watcher.close()
    return _result(settings, opts, traffic, watcher, counts, started_at, t0, produce_end)


def _produce(producer: Any, topic: str, key: bytes | None, value: bytes) -> None:
    for _ in range(1000):
        try:
            producer.produce(topic, value, key)
            return
        except BufferError:
            producer.poll(0.01)
    raise RuntimeError("the producer queue stayed full for 10 s: is Kafka up?")


def _settle(watcher: _Watcher, opts: LoadOptions, progress: Callable[..., None] | None) -> None:
    """Give the flow time to apply the CRM snapshots and identities before the load starts."""
    deadline = time.time() + opts.settle_s
    if not opts.metrics_url:
        time.sleep(min(5.0, opts.drain_s))
        return
    while time.time() < deadline:
        lag = watcher.lag_now()
        if progress:
            progress({"phase": "setup", "lag": lag})
        if lag is not None and lag <= 0:
            return
        time.sleep(0.5)


def _drain(watcher: _Watcher, opts: LoadOptions, progress: Callable[..., None] | None,
           sent: int, total: int, t0: float) -> None:
    """Wait for the flow to catch up: lag zero (or no new alert for 3 s), bounded by --drain."""
    deadline = time.time() + opts.drain_s
    while time.time() < deadline:
        time.sleep(0.5)
        if progress:
            progress({**_snapshot(watcher, sent, total, time.time() - t0), "phase": "drain"})
        quiet = time.time() - max(watcher.last_alert_at, deadline - opts.drain_s) > 3.0
        lag = watcher.lag[-1][1] if watcher.lag else None
        if quiet and (lag == 0 or (not opts.metrics_url)):
            return


def _snapshot(watcher: _Watcher, sent: int, total: int, elapsed: float) -> dict[str, Any]:
    recent = [lat for _, lat in watcher.latencies[-500:]]
    return {"phase": "load", "sent": sent, "total": total, "elapsed": elapsed,
            "alerts": len(watcher.alert_ids), "dlq": watcher.dlq,
            "p99_ms": (percentile(recent, 99) or 0) * 1000 if recent else None,
            "lag": watcher.lag[-1][1] if watcher.lag else None}


def _result(settings: Settings, opts: LoadOptions, traffic: Traffic, w: _Watcher,
            counts: dict[str, int], started_at: datetime, t0: float, produce_end: float) -> dict[str, Any]:
    lat = [x for _, x in w.latencies]
    pct = {f"p{q}": _ms(percentile(lat, q)) for q in (50, 90, 95, 99)}
    pct |= {"max": _ms(max(lat)) if lat else None, "mean": _ms(statistics.fmean(lat)) if lat else None,
            "count": len(lat)}
    sent = counts["events"] + counts["tickets"]
    produce_s = max(1e-9, produce_end - t0)
    buckets: dict[int, list[float]] = {}
    for arrived, x in w.latencies:
        buckets.setdefault(int(arrived - t0), []).append(x)
    over_time = [{"t": t, "n": len(v), "p50_ms": _ms(percentile(v, 50)), "p99_ms": _ms(percentile(v, 99))}
                 for t, v in sorted(buckets.items())]
    flow_rate = None
    during = [(t, r) for t, r in w.flow_read if t0 <= t <= produce_end + 1.0]
    if len(during) >= 2 and during[-1][0] > during[0][0]:
        flow_rate = (during[-1][1] - during[0][1]) / (during[-1][0] - during[0][0])
    slo_met = None
    if opts.slo_p99_ms is not None:
        slo_met = bool(lat) and (pct["p99"] or math.inf) <= opts.slo_p99_ms
    cfg = asdict(opts.traffic) | {"run_id": traffic.run}
    return {
        "tool": "cuewire loadtest",
        "started_at": started_at.isoformat(),
        "load_started_at": t0,
        "bootstrap": settings.kafka_bootstrap,
        "topics": {k: settings.topic(k) for k in ("events", "tickets", "accounts", "alerts", "dlq")},  # type: ignore[arg-type]
        "config": {"rate": opts.rate, "duration_s": opts.duration_s, "drain_s": opts.drain_s,
                   "setup": opts.setup, "slo_p99_ms": opts.slo_p99_ms, "traffic": cfg},
        "produced": counts | {"total_load": sent},
        "throughput": {"offered_per_s": opts.rate, "achieved_per_s": sent / produce_s,
                       "flow_read_per_s": flow_rate},
        "alerts": {"received": len(w.alert_ids), "with_latency": len(lat), "unmatched": w.unmatched},
        "latency_ms": pct,
        "latency_over_time": over_time,
        "lag": [{"t": round(t - t0, 2), "records": v} for t, v in w.lag],
        "max_lag_records": max((v for t, v in w.lag if t >= t0), default=None),
        "dlq": w.dlq,
        "errors": [w.error] if w.error else [],
        "slo": {"p99_ms": opts.slo_p99_ms, "met": slo_met},
    }


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 2)


# ---------------------------------------------------------------------------
# Reporting
# ---------------------------------------------------------------------------


def write_plot(result: dict[str, Any], path: Path) -> None:
    """Latency percentiles per second and consumer lag over time, as a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(9, 6), sharex=True)
    ot = result["latency_over_time"]
    ax1.plot([p["t"] for p in ot], [p["p50_ms"] for p in ot], label="p50")
    ax1.plot([p["t"] for p in ot], [p["p99_ms"] for p in ot], label="p99")
    slo = result["slo"]["p99_ms"]
    if slo:
        ax1.axhline(slo, color="red", linestyle="--", linewidth=1, label=f"SLO p99 {slo:g} ms")
    ax1.set_ylabel("event→alert (ms)")
    ax1.set_yscale("log")
    ax1.grid(True, which="both", alpha=0.3)
    ax1.legend(loc="upper left")
    cfg = result["config"]
    ax1.set_title(f"cuewire loadtest: {cfg['rate']:g} events/s offered for {cfg['duration_s']:g} s, "
                  f"{cfg['traffic']['accounts']} accounts, tickets {cfg['traffic']['ticket_share']:.0%}")
    lag = result["lag"]
    if lag:
        ax2.plot([p["t"] for p in lag], [p["records"] for p in lag], color="tab:purple")
    else:
        ax2.text(0.5, 0.5, "lag unavailable (flow metrics endpoint not reachable)",
                 ha="center", transform=ax2.transAxes)
    ax2.set_ylabel("consumer lag (records)")
    ax2.set_xlabel("seconds since the load started")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def summary_table(result: dict[str, Any]) -> Any:
    from rich.table import Table

    t = Table(title="cuewire loadtest", show_header=True)
    t.add_column("measure")
    t.add_column("value", justify="right")
    thr, lat = result["throughput"], result["latency_ms"]

    def fmt(v: float | None, unit: str = "") -> str:
        return "—" if v is None else f"{v:,.1f}{unit}"

    rows = [
        ("offered / achieved (events/s)", f"{thr['offered_per_s']:,.0f} / {thr['achieved_per_s']:,.0f}"),
        ("flow read rate (records/s)", fmt(thr["flow_read_per_s"])),
        ("records produced (load + setup)",
         f"{result['produced']['total_load']:,} + {result['produced']['setup']:,}"),
        ("tickets produced", f"{result['produced']['tickets']:,}"),
        ("alerts received (with latency)",
         f"{result['alerts']['received']:,} ({result['alerts']['with_latency']:,})"),
        ("event→alert p50 / p90", f"{fmt(lat['p50'], ' ms')} / {fmt(lat['p90'], ' ms')}"),
        ("event→alert p99 / max", f"{fmt(lat['p99'], ' ms')} / {fmt(lat['max'], ' ms')}"),
        ("max consumer lag (records)", fmt(result["max_lag_records"])),
        ("dead letters", str(result["dlq"])),
    ]
    slo = result["slo"]
    if slo["p99_ms"] is not None:
        rows.append((f"SLO p99 ≤ {slo['p99_ms']:g} ms", "[green]met[/]" if slo["met"] else "[red]MISSED[/]"))
    for r in rows:
        t.add_row(*r)
    return t


def loadtest_command(
    rate: Annotated[float, typer.Option("--rate", help="offered load in records per second")] = 1000.0,
    duration: Annotated[str, typer.Option(
        "--duration", "-d", help="how long to offer the load: 30s, 2m …")] = "30s",
    accounts: Annotated[int, typer.Option(help="accounts in the simulated population")] = 1000,
    users_per_account: Annotated[int, typer.Option(help="users per account")] = 3,
    ticket_share: Annotated[float, typer.Option(
        help="share of records that are helpdesk tickets (0..1); the rest are Segment events")] = 0.10,
    event_mix: Annotated[str | None, typer.Option(
        help="relative weights of event kinds, e.g. 'pricing=20,cancel_terms=5'; kinds: "
        + ", ".join(DEFAULT_EVENT_MIX))] = None,
    zipf: Annotated[float, typer.Option(
        help="Zipf exponent of activity per account (higher: a few accounts dominate)")] = 1.1,
    slo_p99: Annotated[str | None, typer.Option(
        "--slo-p99", help="exit 1 when the p99 event→alert latency exceeds this (1s, 250ms)")] = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="JSON result file")] = Path("loadtest.json"),
    plot: Annotated[Path | None, typer.Option(
        help="PNG plot of latency percentiles and lag (default: next to --out)")] = None,
    setup: Annotated[bool, typer.Option(
        "--setup/--no-setup", help="produce account snapshots and group calls before the load")] = True,
    drain: Annotated[str, typer.Option(
        help="after the load, wait at most this long for the flow to catch up")] = "20s",
    metrics_url: Annotated[str | None, typer.Option(
        help="the flow's Prometheus endpoint, for lag and read rate "
        "(default http://127.0.0.1:$CUEWIRE_METRICS_PORT/metrics when that is set)")] = None,
    seed: Annotated[int, typer.Option(help="random seed of the traffic")] = 7,
) -> None:
    """Offer realistic traffic to a running flow and measure what comes out.

    Start the flow first (`cuewire run`, with CUEWIRE_METRICS_PORT set to see lag),
    then point this at the same CUEWIRE_* settings. It produces account snapshots
    and identities, then events and tickets (all helpdesk shapes) at --rate for
    --duration, reads the alert and dead-letter topics, and reports event→alert
    latency (produce time of the record that completed the evidence → alert
    arrival), throughput, consumer lag and dead letters. Writes a JSON result
    and a PNG plot. Exit status: 0, or 1 when --slo-p99 is missed (or no alert
    arrived to show it met), 2 on bad options. Only loopback brokers are accepted.
    """
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from config.settings import load_settings
    from contracts.errors import CuewireError

    console = Console(stderr=True)
    try:
        settings = load_settings()
        opts = LoadOptions(
            rate=rate, duration_s=parse_duration(duration), drain_s=parse_duration(drain),
            setup=setup, slo_p99_ms=parse_duration(slo_p99) * 1000 if slo_p99 else None,
            metrics_url=metrics_url or (f"http://127.0.0.1:{settings.metrics_port}/metrics"
                                        if settings.metrics_port else None),
            traffic=TrafficConfig(accounts=accounts, users_per_account=users_per_account,
                                  ticket_share=ticket_share, zipf_s=zipf, seed=seed,
                                  event_mix=parse_weights(event_mix, DEFAULT_EVENT_MIX)),
        )
        Traffic(opts.traffic)  # validates the population before anything is produced
        require_loopback(settings.kafka_bootstrap.split(","), "Kafka bootstrap")
    except (ValueError, CuewireError) as exc:
        console.print(f"[red]cuewire loadtest: {exc}[/]")
        raise typer.Exit(2) from None

    with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.fields[info]}"),
                  TimeElapsedColumn(), console=console, transient=False) as bar:
        task = bar.add_task("setup", total=int(opts.rate * opts.duration_s), info="")

        def show(s: dict[str, Any]) -> None:
            lag = "—" if s.get("lag") is None else f"{s['lag']:,.0f}"
            if s.get("phase") == "setup":
                bar.update(task, description="setup (flow applying accounts)", info=f"lag {lag}")
                return
            p99 = "—" if s.get("p99_ms") is None else f"{s['p99_ms']:,.0f} ms"
            bar.update(task, completed=s["sent"], description=s["phase"],
                       info=f"{s['sent'] / max(s['elapsed'], 1e-9):,.0f}/s  alerts {s['alerts']:,}  "
                            f"p99 {p99}  lag {lag}  dlq {s['dlq']}")

        result = run_loadtest(settings, opts, show)
    out.write_bytes(orjson.dumps(result, option=orjson.OPT_INDENT_2))
    plot_path = plot or out.with_suffix(".png")
    write_plot(result, plot_path)
    console.print(summary_table(result))
    console.print(f"result: {out}   plot: {plot_path}")
    if opts.slo_p99_ms is not None and not result["slo"]["met"]:
        console.print(f"[red]SLO missed: p99 {result['latency_ms']['p99']} ms > {opts.slo_p99_ms:g} ms[/]")
        raise typer.Exit(1)
