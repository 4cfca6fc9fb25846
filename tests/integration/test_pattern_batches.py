"""``match-patterns`` makes one candidate per alert, and none for an alert already out.

A ticket that asks about the API and about a bigger plan carries two signals at one time;
each triggers ``upgrade-intent`` and each completes it with the same evidence: one batch
makes one candidate. A candidate re-derived for an alert Kafka has acknowledged is not made
at all. Over the test session's Redis, as the flow composes the step.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from config.settings import Settings
from cuewire.wiring import make_parts
from flows.stages.items import Outgoing, PendingAlert
from operators.signals import Signal
from state.redis_client import connect

pytestmark = pytest.mark.integration

AT = datetime(2026, 11, 19, 10, 0, tzinfo=UTC)


def ticket_signal(name: str, ticket: str, at: datetime) -> Signal:
    return Signal("acct_42", name, ticket, at, "ticket", ticket, f"{ticket}-r1",
                  topic="api", score=20, text="API limits on Business?")


def candidates(redis_url: str, unique: str, batch: list[Signal]) -> list[PendingAlert]:
    parts = make_parts(Settings(redis_prefix=f"pb{unique}:"), connect(redis_url), lambda: AT)
    return [c for c in parts.patterns.match_patterns(list(batch)) if isinstance(c, PendingAlert)]


def test_two_signals_of_one_ticket_make_one_candidate(redis_url: str, unique: str) -> None:
    found = candidates(redis_url, unique, [ticket_signal("upgrade_intent", "t1", AT),
                                          ticket_signal("api_question", "t1", AT)])
    assert [c.candidate.rule_id for c in found] == ["upgrade-intent"]


def test_a_candidate_for_an_alert_kafka_acknowledged_is_not_made_again(redis_url: str,
                                                                     unique: str) -> None:
    """A re-derived candidate of an acknowledged alert could only end as the ledger's dropped
    copy (``flows/published_alerts.py``); one not yet acknowledged is still made."""
    parts = make_parts(Settings(redis_prefix=f"pa{unique}:"), connect(redis_url), lambda: AT)

    def made(batch: list[Signal]) -> list[str]:
        return [c.candidate.alert_id for c in parts.patterns.match_patterns(list(batch))
                if isinstance(c, PendingAlert)]

    asked = [ticket_signal("upgrade_intent", "t1", AT), ticket_signal("api_question", "t1", AT)]
    first = made(asked)
    assert len(first) == 1
    assert made(asked) == first, "not acknowledged yet: re-derived as before"
    parts.publisher.published([Outgoing("digest", b"acct_42", b"{}", alert_id=first[0])])
    assert made(asked) == first, "a digest record of that id is not the alert"
    parts.publisher.published([Outgoing("alerts", b"acct_42", b"{}", alert_id=first[0])])
    assert made(asked) == []
    later = AT.replace(hour=11)
    other = made([ticket_signal("upgrade_intent", "t2", later),
                  ticket_signal("api_question", "t2", later)])
    assert len(other) == 1 and other != first
