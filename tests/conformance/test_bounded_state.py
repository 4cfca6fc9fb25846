"""State per key stays bounded however much arrives for the key: versions per table key,
records waiting for a link, frustrated tickets per account, evidence per near miss, text
per window member."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from operators.govern import CLOSED_TICKET_KEEP, GovernanceView, TicketSpan, govern
from operators.near_miss import EVIDENCE_LIMIT, near_miss
from operators.reattach import Unattached
from operators.signals import ticket_signals
from operators.versions import KEEP_VERSIONS, with_version
from tests.conformance import strategies as s
from tests.conformance.registry import TABLE

CHECK = settings(max_examples=60, deadline=None)


@CHECK
@given(st.lists(st.tuples(st.integers(0, 10_000), st.none() | st.sampled_from(s.ACCOUNTS)), max_size=40))
def test_a_table_key_keeps_at_most_keep_versions_the_newest(writes: list[tuple[int, str | None]]) -> None:
    versions: tuple[tuple[int, str | None], ...] = ()
    for at_ms, value in writes:
        versions = with_version(versions, at_ms, value)
        assert len(versions) <= KEEP_VERSIONS
    times = sorted({t for t, _ in writes})
    assert [t for t, _ in versions] == times[-KEEP_VERSIONS:]


@CHECK
@given(st.integers(0, 8),
       st.lists(st.tuples(st.integers(0, 10**6), st.sampled_from(s.ACCOUNTS)), max_size=40))
def test_records_waiting_for_a_link_are_bounded_oldest_dropped_first(
        cap: int, parks: list[tuple[int, str]]) -> None:
    waiting: Unattached[int] = Unattached(window_ms=10**9, max_records=cap)
    for n, (at_ms, account) in enumerate(parks):
        waiting.park(n, at_ms, frozenset({("email", f"pat@{account}.test")}))
        assert len(waiting) <= cap
    kept = [item for item, _ in waiting.touched([("email", f"pat@{a}.test") for a in s.ACCOUNTS], 0)]
    assert kept == list(range(len(parks)))[len(parks) - min(cap, len(parks)):]


@CHECK
@given(st.lists(s.candidates(), min_size=1, max_size=6), s.policies,
       st.lists(st.tuples(s.ids, s.times, st.integers(0, 90)), max_size=8))
def test_frustrated_tickets_closed_long_ago_are_forgotten(candidates, policy, spans) -> None:  # type: ignore[no-untyped-def]
    account = candidates[0].account_id
    tickets = [TicketSpan(t, opened, opened + timedelta(days=days)) for t, opened, days in spans]
    _, writes = govern(candidates, GovernanceView(tickets={account: tickets}), policy)
    newest = max(c.at for c in candidates if c.account_id == account)
    forgotten = set(writes.forget_tickets.get(account, ()))
    kept = [t for t in tickets if t.ticket_id not in forgotten]
    assert all(t.closed_at is None or t.closed_at >= newest - CLOSED_TICKET_KEEP for t in kept)


@CHECK
@given(s.pattern_rules, s.signals(account_id="acct_1"), st.lists(s.signals(account_id="acct_1"), max_size=40))
def test_a_near_miss_names_a_bounded_number_of_signals(rule, trigger, history) -> None:  # type: ignore[no-untyped-def]
    window: dict[str, list] = {}  # type: ignore[type-arg]
    for sig in [*history, trigger]:
        window.setdefault(sig.name, []).append(sig)
    found = near_miss(rule, trigger, window, trigger.at, min_closeness=0.0)
    assert found is None or len(found.evidence) <= EVIDENCE_LIMIT


@CHECK
@given(s.tickets(), s.scores(), st.text(min_size=200, max_size=2000))
def test_a_ticket_signal_in_its_window_carries_a_bounded_text(ticket, score, long_text) -> None:  # type: ignore[no-untyped-def]
    from dataclasses import replace
    long_ticket = replace(ticket, kind="created", subject=long_text, body=long_text)
    for sig in ticket_signals(long_ticket, score, "acct_1", TABLE):
        assert len(sig.to_member().get("text", "")) <= 140
