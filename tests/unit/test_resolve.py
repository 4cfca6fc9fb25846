"""Account resolution: the CONTRACTS.md order, sequential semantics within a batch."""

from datetime import UTC, datetime
from typing import Any

from operators.records import AccountUpdate, Event, Record, Ticket
from operators.resolve import LookupKey, candidate_keys, resolve_batch

T = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


def ticket(**kw: Any) -> Ticket:
    base: dict[str, Any] = {"record_id": "r1", "ticket_id": "generic:1", "source": "generic",
                            "kind": "created", "subject": "s", "body": "b", "created_at": T}
    return Ticket(**{**base, **kw})


def acct(account_id: str, **kw: Any) -> AccountUpdate:
    return AccountUpdate(account_id, {"account_id": account_id, **kw})


class FakeStore:
    """Plays Redis for the fetch loop: unknown keys are absent (None)."""

    def __init__(self, data: dict[LookupKey, Any] | None = None) -> None:
        self.data = data or {}
        self.rounds = 0

    def run(self, records: list[Record]):  # type: ignore[no-untyped-def]
        fetched = {k: self.data.get(k) for k in candidate_keys(records)}
        self.rounds = 1
        while True:
            result = resolve_batch(records, fetched)
            if not result.missing:
                return result
            self.rounds += 1
            fetched.update({k: self.data.get(k) for k in result.missing})


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
    assert out.writes[("email", "dana@acme.io")] == "acct_42"


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
    assert out.writes[("user", "u1")] == "acct_9"
    assert out.resolved[1].account_id == "acct_9"


def test_tombstone_removes_the_links_the_snapshot_made() -> None:
    old = {"account_id": "acct_42", "contacts": ["dana@acme.io"], "domains": ["acme.io"],
           "zendesk_organization_id": "901"}
    store = FakeStore({("account", "acct_42"): old, ("email", "dana@acme.io"): "acct_42",
                       ("domain", "acme.io"): "acct_42", ("org", "901"): "acct_42"})
    out = store.run([AccountUpdate("acct_42", None),
                     ticket(requester_email="dana@acme.io", organization_id="901")])
    assert out.writes[("account", "acct_42")] is None
    assert out.writes[("email", "dana@acme.io")] is None
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
