"""Hypothesis strategies for the operators' inputs: signals, windows, accounts, candidates,
scores, tickets and events, in the ranges the flow hands them on."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from hypothesis import strategies as st

from config.rules import Governance, load_rules
from operators.gate import FrustrationGate, gate_ticket
from operators.govern import Candidate, CooldownEntry, GovernanceView, Snooze, TicketSpan, Verdict
from operators.records import Event, Feedback, Ticket
from operators.score import Score
from operators.signals import Signal

RULES = load_rules()
SIGNAL_NAMES = sorted({n for r in RULES.rules for n in r.when.signals()} | {"frustrated_ticket"})
ACCOUNTS = ("acct_1", "acct_2", "acct_3")
T0 = datetime(2026, 11, 2, tzinfo=UTC)

ids = st.text("abcdefgh0123456789-", min_size=1, max_size=8)
short_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)
times = st.integers(0, 60 * 24 * 30).map(lambda minutes: T0 + timedelta(minutes=minutes))
"""Aware UTC times over a month, to the minute: windows of hours and days see each other."""
priorities = st.sampled_from(["critical", "high", "medium", "low"])
rules = st.sampled_from(RULES.rules)
pattern_rules = st.sampled_from([r for r in RULES.rules if r.when.ticket_gate is None])
policies = st.builds(Governance, daily_cap=st.integers(1, 4),
                     working_days=st.sampled_from([[0, 1, 2, 3, 4], [], [0, 1, 2, 3, 4, 5, 6]]),
                     default_timezone=st.sampled_from(["UTC", "Europe/Berlin", "America/New_York"]))
gates = st.builds(FrustrationGate, score_with_mrr=st.integers(40, 90),
                  mrr_floor=st.sampled_from([500.0, 1000.0]), score_alone=st.integers(60, 95),
                  renewal_within_days=st.integers(10, 90), score_near_renewal=st.integers(20, 80))


@st.composite
def accounts(draw: st.DrawFn) -> dict[str, Any] | None:
    if draw(st.booleans()) and draw(st.booleans()):
        return None
    account: dict[str, Any] = {"account_id": draw(st.sampled_from(ACCOUNTS))}
    if draw(st.booleans()):
        account["mrr"] = draw(st.sampled_from([0, 200, 999, 1000, 5000]))
    if draw(st.booleans()):
        days = draw(st.integers(-30, 400))
        account["renewal_date"] = (date(2026, 11, 2) + timedelta(days=days)).isoformat()
    if draw(st.booleans()):
        account["plan"] = draw(st.sampled_from(["starter", "enterprise"]))
    if draw(st.booleans()):
        account["consent"] = {"email": draw(st.booleans())}
    if draw(st.booleans()):
        account["cs_owner"] = {"name": "Riley Chen", "email": "riley@vendor.test",
                               "timezone": draw(st.sampled_from(["Asia/Tokyo", "UTC", "Not/AZone", ""]))}
    return account


@st.composite
def signals(draw: st.DrawFn, name: str | None = None, account_id: str | None = None) -> Signal:
    key = draw(ids)
    kind = draw(st.sampled_from(["ticket", "event"]))
    return Signal(
        account_id=account_id or draw(st.sampled_from(ACCOUNTS)),
        name=name or draw(st.sampled_from(SIGNAL_NAMES)), key=key, at=draw(times), kind=kind,
        source_id=draw(st.one_of(st.just(key), ids)), record_id=draw(st.one_of(st.just(key), ids)),
        topic=draw(st.none() | st.sampled_from(["billing", "integration", "export"])),
        score=draw(st.none() | st.integers(0, 100)), text=draw(st.none() | short_text),
        url=draw(st.none() | st.just("https://help.example/t/1")),
        person=draw(st.none() | st.just("Pat")), email=draw(st.none() | st.just("pat@acme.test")),
        open=draw(st.booleans()), problem=None,
    )


@st.composite
def windows(draw: st.DrawFn, account_id: str = "acct_1") -> dict[str, list[Signal]]:
    """One account's window: a few signals of the names the rules read."""
    out: dict[str, list[Signal]] = {}
    for s in draw(st.lists(signals(account_id=account_id), max_size=10)):
        out.setdefault(s.name, []).append(s)
    return out


@st.composite
def candidates(draw: st.DrawFn) -> Candidate:
    return Candidate(
        alert_id=draw(ids), rule_id=draw(st.sampled_from([r.id for r in RULES.rules])),
        account_id=draw(st.sampled_from(ACCOUNTS)),
        signal=draw(st.sampled_from(["churn_risk", "upgrade_intent"])),
        priority=draw(priorities), promotional=draw(st.booleans()), at=draw(times), account=draw(accounts()),
        contact_email=draw(st.none() | st.just("pat@acme.test")),
        cooldown=draw(st.none() | st.sampled_from([timedelta(hours=1), timedelta(days=2)])),
        alert=draw(st.none() | st.just({"id": "x", "data": {"rule": "r", "account_id": "acct_1"}})),
    )


@st.composite
def views(draw: st.DrawFn) -> GovernanceView:
    key = (draw(st.sampled_from(ACCOUNTS)), draw(st.sampled_from([r.id for r in RULES.rules])))
    since = draw(times)
    opened = draw(times)
    closed = draw(st.none() | times.filter(lambda t: t >= opened))
    return GovernanceView(
        cooldowns={key: [CooldownEntry(draw(ids), since, since + timedelta(days=2))]}
        if draw(st.booleans()) else {},
        published={(key[0], since.date()): frozenset(draw(st.lists(ids, max_size=4)))},
        tickets={key[0]: [TicketSpan(draw(ids), opened, closed)]} if draw(st.booleans()) else {},
        snoozes={key: [Snooze(draw(ids), draw(times), draw(st.none() | st.just("riley")))]}
        if draw(st.booleans()) else {},
    )


@st.composite
def scores(draw: st.DrawFn) -> Score:
    return Score(draw(st.integers(0, 100)), draw(st.sampled_from([None, "churn_risk", "upgrade_intent",
                                                                   "billing_issue"])),
                 draw(st.none() | st.sampled_from(["billing", "integration"])),
                 draw(st.sampled_from([None, "low", "medium-high", "critical"])), draw(st.floats(0, 1)),
                 intents=tuple(draw(st.lists(st.sampled_from(["cancellation", "upgrade_question",
                                                               "api_question"]), max_size=2, unique=True))))


@st.composite
def tickets(draw: st.DrawFn) -> Ticket:
    n = draw(ids)
    return Ticket(record_id=f"generic:{n}:1", ticket_id=f"generic:{n}", source="generic",
                  kind=draw(st.sampled_from(["created", "replied", "updated"])), subject=draw(short_text),
                  body=draw(short_text), created_at=draw(times), requester_email="pat@acme.test",
                  status=draw(st.none() | st.sampled_from(["open", "solved", "closed"])))


@st.composite
def events(draw: st.DrawFn) -> Event:
    names = [e for m in RULES.signals.events for e in m.events] + ["Something Else"]
    return Event(type=draw(st.sampled_from(["track", "page", "identify"])), name=draw(st.sampled_from(names)),
                 user_id="u1", anonymous_id=None, message_id=draw(ids), timestamp=draw(times),
                 group_id=draw(st.none() | st.sampled_from(ACCOUNTS)), email=None,
                 properties=draw(st.dictionaries(st.sampled_from(["plan", "seats"]), st.integers(0, 9))))


@st.composite
def verdicts(draw: st.DrawFn) -> Verdict:
    outcome = draw(st.sampled_from(["publish", "suppressed", "deferred"]))
    return Verdict(draw(candidates()), outcome, draw(short_text),
                   retry_at=draw(times) if outcome == "deferred" else None)


@st.composite
def gate_decisions(draw: st.DrawFn) -> tuple[Any, ...]:
    """(decision, score, account, at, gate): a gate's decision with what it decided on."""
    score, account, at, gate = draw(scores()), draw(accounts()), draw(times), draw(gates)
    return gate_ticket(score, account, at, gate), score.score, account, at, gate


@st.composite
def feedback(draw: st.DrawFn) -> Feedback:
    labels = draw(st.dictionaries(st.sampled_from(["frustrated", "signal", "topic", "intents", "other"]),
                                  st.none() | st.booleans() | ids, max_size=3))
    return Feedback(draw(ids), draw(st.sampled_from(["approved", "dismissed", "snoozed", "sent"])),
                    labels, draw(st.none() | ids), draw(st.none() | times),
                    reason=draw(st.none() | st.sampled_from(["false_signal", "not_useful"])))
