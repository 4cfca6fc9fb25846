"""One batch of ``match-patterns`` makes one candidate per alert, however many triggers found it.

A ticket that asks about the API and about a bigger plan carries two signals at one time;
each triggers ``upgrade-intent`` and each completes it with the same evidence. Over the test
session's Redis, as the flow composes the step.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from config.settings import Settings
from cuewire.wiring import make_parts
from flows.stages.items import PendingAlert
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

