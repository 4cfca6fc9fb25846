"""Account resolution: the CONTRACTS.md order, sequential semantics within a batch."""

from datetime import UTC, datetime
from typing import Any

from operators.records import AccountUpdate, Event, Record, Ticket
from operators.resolve import LookupKey, ResolveResult, candidate_keys, record_time_ms, resolve_batch
from operators.versions import Versions, latest

T = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
MS = int(T.timestamp() * 1000)


def ticket(**kw: Any) -> Ticket:
    base: dict[str, Any] = {"record_id": "r1", "ticket_id": "generic:1", "source": "generic",
                            "kind": "created", "subject": "s", "body": "b", "created_at": T}
    return Ticket(**{**base, **kw})


def acct(account_id: str, **kw: Any) -> AccountUpdate:
    return AccountUpdate(account_id, {"account_id": account_id, **kw})


class FakeStore:
    """Plays Redis for the fetch loop: each key holds one version from the start; unknown
    keys have no history."""

    def __init__(self, data: dict[LookupKey, Any] | None = None) -> None:
        self.data: dict[LookupKey, Versions] = {k: ((0, v),) for k, v in (data or {}).items()}
        self.rounds = 0

    def run(self, records: list[Record], times: list[int] | None = None) -> ResolveResult:
        at = times or [MS] * len(records)
        fetched = {k: self.data.get(k, ()) for k in candidate_keys(records)}
        self.rounds = 1
        while True:
            result = resolve_batch(records, at, fetched)
            if not result.missing:
                self.data.update(result.writes)
                return result
            self.rounds += 1
            fetched.update({k: self.data.get(k, ()) for k in result.missing})


def written(result: ResolveResult, key: LookupKey) -> Any:
    return latest(result.writes[key])


def test_explicit_account_id_wins() -> None:
    store = FakeStore({("email", "dana@acme.io"): "acct_other", ("account", "acct_42"): {"mrr": 1}})
    out = store.run([ticket(account_id="acct_42", requester_email="dana@acme.io")])
    assert out.resolved[0].account_id == "acct_42"
    assert out.resolved[0].account == {"mrr": 1}


def test_order_email_then_org_then_domain() -> None:
    data = {("email", "dana@acme.io"): "by_email", ("org", "901"): "by_org",
            ("domain", "acme.io"): "by_domain"}
    assert FakeStore(data).run([ticket(requester_email="dana@acme.io", organization_id="901")]) \
        .resolved[0].account_id == "by_email"
    del data[("email", "dana@acme.io")]
    assert FakeStore(data).run([ticket(requester_email="dana@acme.io", organization_id="901")]) \
        .resolved[0].account_id == "by_org"
    del data[("org", "901")]
    got = FakeStore(data).run([ticket(requester_email="dana@acme.io", organization_id="901")])
    assert got.resolved[0].account_id == "by_domain"
    assert got.resolved[0].how == "e-mail domain"


def test_free_mail_domains_never_match() -> None:
    store = FakeStore({("domain", "gmail.com"): "acct_wrong"})
    assert store.run([ticket(requester_email="someone@gmail.com")]).resolved[0].account_id is None


def test_unresolved_ticket_is_none() -> None:
    assert FakeStore().run([ticket(requester_email="x@nowhere.test")]).resolved[0].account_id is None


def test_a_snapshot_earlier_in_the_batch_is_seen_by_later_records() -> None:
    batch: list[Record] = [
        ticket(record_id="before", requester_email="dana@acme.io"),
        acct("acct_42", contacts=["dana@acme.io"], mrr=3200),
        ticket(record_id="after", requester_email="dana@acme.io"),
    ]
    out = FakeStore().run(batch)
    assert out.resolved[0].account_id is None
    assert out.resolved[2].account_id == "acct_42"
    assert out.resolved[2].account is not None and out.resolved[2].account["mrr"] == 3200
    assert written(out, ("email", "dana@acme.io")) == "acct_42"


def test_identify_then_group_links_user_to_account_in_two_hops() -> None:
    store = FakeStore({("email", "dana@acme.io"): "acct_42", ("account", "acct_42"): {"name": "Acme"}})
    out = store.run([
        Event("m1", "identify", T, user_id="u1", email="dana@acme.io"),
        Event("m2", "track", T, name="Pricing Page Viewed", user_id="u1"),
    ])
    assert out.resolved[1].account_id == "acct_42"
    assert out.resolved[1].account == {"name": "Acme"}


def test_user_email_link_from_an_earlier_batch_needs_another_round() -> None:
    store = FakeStore({("user_email", "u1"): "dana@acme.io", ("email", "dana@acme.io"): "acct_42"})
    out = store.run([Event("m2", "page", T, name="Cancellation Terms", user_id="u1")])
    assert out.resolved[0].account_id == "acct_42"
    assert store.rounds <= 3


def test_group_call_links_user() -> None:
    out = FakeStore().run([
        Event("m1", "group", T, user_id="u1", group_id="acct_9"),
        Event("m2", "track", T, name="Signed In", user_id="u1"),
    ])
    assert written(out, ("user", "u1")) == "acct_9"
    assert out.resolved[1].account_id == "acct_9"


def test_tombstone_removes_the_links_the_snapshot_made() -> None:
    old = {"account_id": "acct_42", "contacts": ["dana@acme.io"], "domains": ["acme.io"],
           "zendesk_organization_id": "901"}
    store = FakeStore({("account", "acct_42"): old, ("email", "dana@acme.io"): "acct_42",
                       ("domain", "acme.io"): "acct_42", ("org", "901"): "acct_42"})
    out = store.run([AccountUpdate("acct_42", None),
                     ticket(requester_email="dana@acme.io", organization_id="901")])
    assert written(out, ("account", "acct_42")) is None
    assert written(out, ("email", "dana@acme.io")) is None
    assert out.resolved[1].account_id is None


def test_changed_snapshot_keeps_links_another_account_took_over() -> None:
    old = {"account_id": "a", "contacts": ["shared@x.io"]}
    store = FakeStore({("account", "a"): old, ("email", "shared@x.io"): "b"})
    out = store.run([acct("a", contacts=[])])
    assert ("email", "shared@x.io") not in out.writes


def test_input_records_are_not_mutated() -> None:
    snapshot = {"account_id": "a", "contacts": ["dana@acme.io"]}
    record = AccountUpdate("a", snapshot)
    FakeStore().run([record])
    assert snapshot == {"account_id": "a", "contacts": ["dana@acme.io"]}


def at(minutes: int) -> int:
    return MS + minutes * 60_000


def test_a_ticket_joins_the_snapshot_in_force_at_its_own_time() -> None:
    """Whatever order the snapshots were read in: a newer snapshot read first does not
    change what an older ticket sees, nor an older snapshot read late a newer ticket."""
    old, new = acct("a", mrr=1000, contacts=["dana@acme.io"]), acct("a", mrr=3200, contacts=["dana@acme.io"])
    before, after = ticket(record_id="before", account_id="a"), ticket(record_id="after", account_id="a")
    for records, times in (([old, new, before, after], [at(0), at(20), at(10), at(30)]),
                           ([new, old, after, before], [at(20), at(0), at(30), at(10)])):
        out = FakeStore().run(records, times)
        mrr = {r.record.record_id: (r.account or {}).get("mrr")
               for r in out.resolved if isinstance(r.record, Ticket)}
        assert mrr == {"before": 1000, "after": 3200}, records


def test_a_contact_moved_to_another_account_counts_from_the_move() -> None:
    store = FakeStore()
    store.run([acct("a", contacts=["dana@acme.io"]), acct("b", contacts=[])], [at(0), at(0)])
    store.run([acct("a", contacts=[]), acct("b", contacts=["dana@acme.io"])], [at(60), at(60)])
    out = store.run([ticket(record_id="early", requester_email="dana@acme.io"),
                     ticket(record_id="late", requester_email="dana@acme.io")], [at(30), at(90)])
    assert [r.account_id for r in out.resolved] == ["a", "b"]


def test_the_first_snapshot_counts_from_the_start() -> None:
    """A compacted topic keeps an account's newest snapshot only: an older ticket joins it."""
    out = FakeStore().run([acct("a", mrr=3200), ticket(account_id="a")], [at(60), at(0)])
    assert out.resolved[1].account == {"account_id": "a", "mrr": 3200}


def test_a_snapshot_read_again_writes_nothing() -> None:
    store = FakeStore()
    snapshot = acct("a", mrr=3200, contacts=["dana@acme.io"], domains=["acme.io"])
    store.run([snapshot], [at(0)])
    assert store.run([snapshot], [at(0)]).writes == {}


def test_an_unattached_ticket_says_which_keys_a_later_link_could_fill() -> None:
    out = FakeStore().run([ticket(requester_email="pat@contractor.test", organization_id="77")])
    assert out.resolved[0].account_id is None
    assert out.consulted[0] >= {("email", "pat@contractor.test"), ("org", "77"),
                                ("domain", "contractor.test")}


def test_a_snapshot_counts_from_its_updated_at_else_its_log_time() -> None:
    dated = AccountUpdate("a", {"account_id": "a", "updated_at": "2026-11-20T09:00:00+00:00"})
    assert record_time_ms(dated, 5, 7) == int(datetime(2026, 11, 20, 9, tzinfo=UTC).timestamp() * 1000)
    assert record_time_ms(AccountUpdate("a", {"account_id": "a"}), 5, 7) == 5
    assert record_time_ms(AccountUpdate("a", None), None, 7) == 7
    assert record_time_ms(ticket(), None, 7) == MS
