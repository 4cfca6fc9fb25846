"""A record derived twice in one run keeps its outbox entry until it is confirmed, against
a real redis-server: a run that stops in between leaves it for the next start to produce."""

from __future__ import annotations

import pytest

from state.keys import Keyspace, TTLs
from state.ledger import AlertLedger
from state.redis_client import connect

pytestmark = pytest.mark.integration


def test_a_second_claim_of_an_unconfirmed_id_leaves_the_first_in_the_outbox(
        redis_url: str, unique: str) -> None:
    ledger = AlertLedger(connect(redis_url), Keyspace(f"lc{unique}:"), TTLs(), run_id="run")
    assert ledger.claim([("alert-1", b"first"), ("alert-2", b"other")]) == [True, True]
    # The same alert derived again (a late record re-evaluated) before the epoch confirmed it.
    assert ledger.claim([("alert-1", b"again")]) == [False]
    assert sorted(e.record_id for e in ledger.outbox()) == ["alert-1", "alert-2"]
    # Once confirmed, a later copy is dropped and leaves nothing behind.
    ledger.confirm(["alert-1", "alert-2"])
    assert ledger.claim([("alert-1", b"once more")]) == [False]
    assert ledger.outbox() == []
