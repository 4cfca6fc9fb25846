"""The sample generator: deterministic, decodable, and as varied as the demo needs."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any

import orjson
import pytest

from contracts.account import AccountSnapshot
from contracts.errors import PoisonRecord
from cuewire_dev.sample import (
    SAMPLE_START,
    generate_sample,
    generic_ticket,
    intercom_conversation,
    intercom_notification,
    intercom_part,
    segment_message,
    write_jsonl,
    zendesk_comment_event,
    zendesk_detail,
    zendesk_event,
    zendesk_trigger,
)
from operators.normalise_event import normalise_event
from operators.normalise_ticket import normalise_ticket
from operators.records import Event, Ticket

FIXTURES = Path(__file__).parents[2] / "fixtures"
FALLBACK = datetime(2030, 1, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def sample() -> list[tuple[str, bytes | None, bytes]]:
    return generate_sample()


def decoded_tickets(
    sample: list[tuple[str, bytes | None, bytes]],
) -> tuple[list[tuple[dict[str, Any], Ticket]], list[bytes]]:
    good: list[tuple[dict[str, Any], Ticket]] = []
    bad: list[bytes] = []
    for kind, _, raw in sample:
        if kind != "tickets":
            continue
        try:
            body = orjson.loads(raw)
            good.append((body, normalise_ticket(body)))
        except (orjson.JSONDecodeError, PoisonRecord):
            bad.append(raw)
    return good, bad


def test_same_seed_same_bytes(sample: list[tuple[str, bytes | None, bytes]]) -> None:
    assert generate_sample() == sample
    assert generate_sample(seed=8) != sample


def test_record_shape(sample: list[tuple[str, bytes | None, bytes]]) -> None:
    kinds = Counter(kind for kind, _, _ in sample)
    assert set(kinds) == {"accounts", "events", "tickets"}
    assert kinds["accounts"] == 36
    assert 80 <= kinds["tickets"] <= 150
    for kind, key, value in sample:
        assert isinstance(value, bytes)
        assert key is None or isinstance(key, bytes)
        if kind in ("accounts", "events"):
            assert key


def test_accounts_come_first_and_match_the_contract(
    sample: list[tuple[str, bytes | None, bytes]],
) -> None:
    n = sum(1 for kind, _, _ in sample if kind == "accounts")
    assert all(kind == "accounts" for kind, _, _ in sample[:n])
    snapshots = [AccountSnapshot.model_validate(orjson.loads(v)) for _, _, v in sample[:n]]
    assert [s.account_id.encode() for s in snapshots] == [k for _, k, _ in sample[:n]]
    mrr = [s.mrr or 0 for s in snapshots]
    assert any(m < 1000 for m in mrr) and any(1000 <= m <= 10000 for m in mrr)
    renewals = [(s.renewal_date - SAMPLE_START.date()).days for s in snapshots
                if s.renewal_date is not None]
    assert any(d <= 30 for d in renewals)
    assert any(30 < d <= 60 for d in renewals)
    assert any(d > 60 for d in renewals)
    for s in snapshots:
        assert s.cs_owner and s.cs_owner.email and s.cs_owner.slack
        assert s.domains and s.contacts and s.zendesk_organization_id
        assert s.plan and s.segment and s.currency and s.health_score is not None
        assert "email" in s.consent and s.updated_at is not None


def test_every_event_normalises_and_events_are_in_time_order(
    sample: list[tuple[str, bytes | None, bytes]],
) -> None:
    events: list[Event] = []
    for kind, key, raw in sample:
        if kind == "events":
            event = normalise_event(orjson.loads(raw), FALLBACK)
            assert key == (event.user_id or event.anonymous_id or "").encode()
            events.append(event)
    times = [e.timestamp for e in events]
    assert times == sorted(times)
    assert FALLBACK not in times
    calls = Counter(e.type for e in events)
    assert calls["identify"] and calls["group"]
    assert 200 <= calls["track"] + calls["page"] <= 600
    names = {e.name for e in events}
    assert names >= {"Pricing Page Viewed", "Plan Compared", "Cancellation Terms",
                     "Data Export Started", "Product Added", "Checkout Started",
                     "Onboarding Step Started", "Onboarding Step Completed", "Signed In"}
    assert any(e.message_id.startswith("sha256:") for e in events)
    assert any(e.user_id is None for e in events)
    assert len({e.message_id for e in events}) == len(events)


def test_every_ticket_normalises_except_the_deliberately_broken(
    sample: list[tuple[str, bytes | None, bytes]],
) -> None:
    good, bad = decoded_tickets(sample)
    # One body that is not JSON, one of no known shape, one with a wrongly typed field.
    assert sorted(_is_json(raw) for raw in bad) == [False, True, True]
    assert len(good) >= 80


def _is_json(raw: bytes) -> bool:
    try:
        orjson.loads(raw)
    except orjson.JSONDecodeError:
        return False
    return True


def test_all_ticket_shapes_and_kinds_are_present(
    sample: list[tuple[str, bytes | None, bytes]],
) -> None:
    good, _ = decoded_tickets(sample)
    shapes = Counter(
        "zendesk_trigger" if "ticket" in body else
        body.get("type", "generic") if body.get("type", "").startswith("zen:") else
        body.get("topic") or body.get("source")
        for body, _ in good
    )
    assert set(shapes) == {
        "zen:event-type:ticket.created", "zen:event-type:ticket.comment_added",
        "zen:event-type:ticket.status_changed", "zendesk_trigger",
        "conversation.user.created", "conversation.user.replied", "conversation.admin.closed",
        "generic",
    }
    kinds = Counter(t.kind for _, t in good)
    assert kinds["created"] and kinds["replied"] and kinds["updated"]


def test_one_delivery_is_repeated_byte_for_byte(
    sample: list[tuple[str, bytes | None, bytes]],
) -> None:
    counts = Counter(raw for kind, _, raw in sample if kind == "tickets")
    assert [n for n in counts.values() if n > 1] == [2]
    good, _ = decoded_tickets(sample)
    record_ids = Counter(t.record_id for _, t in good)
    assert sorted(n for n in record_ids.values() if n > 1) == [2]


def test_some_tickets_reach_no_account(sample: list[tuple[str, bytes | None, bytes]]) -> None:
    domains = set()
    for kind, _, raw in sample:
        if kind == "accounts":
            domains.update(orjson.loads(raw)["domains"])
    good, _ = decoded_tickets(sample)
    strangers = [
        t for _, t in good
        if t.account_id is None and t.organization_id is None
        and (t.requester_email is None or t.requester_email.split("@")[1] not in domains)
    ]
    assert len(strangers) >= 4


def test_ticket_texts_span_the_taxonomy(sample: list[tuple[str, bytes | None, bytes]]) -> None:
    good, _ = decoded_tickets(sample)
    corpus = "\n".join(t.text for _, t in good).lower()
    for phrase in ["numbers", "disappeared", "can't export", "sync stopped", "not firing",
                   "api error 500", "charged the wrong amount", "slow", "confusing", "pro plan",
                   "add more users", "do you have an api", "cancel", "export all our data",
                   "thanks"]:
        assert phrase in corpus, phrase


def test_ticket_times_follow_the_record_order(
    sample: list[tuple[str, bytes | None, bytes]],
) -> None:
    good, _ = decoded_tickets(sample)
    times = [t.created_at for _, t in good]
    # Trigger bodies carry minutes and the repeated delivery comes late: a few minutes' slack.
    for earlier, later in pairwise(times):
        assert later >= earlier - timedelta(minutes=5)
    start = SAMPLE_START
    assert all(start <= t < start + timedelta(days=16) for t in times)


def test_smaller_and_other_samples_still_decode() -> None:
    for n, seed in [(1, 1), (5, 2), (130, 3)]:
        good, bad = decoded_tickets(generate_sample(n_accounts=n, seed=seed))
        assert len(bad) == 3 and good
    with pytest.raises(ValueError):
        generate_sample(n_accounts=0)


def test_start_moves_the_whole_sample() -> None:
    later = datetime(2027, 3, 1, 8, 0, tzinfo=UTC)
    good, _ = decoded_tickets(generate_sample(n_accounts=6, start=later))
    assert min(t.created_at for _, t in good) >= later


def test_write_jsonl_replay_format(tmp_path: Path,
                                   sample: list[tuple[str, bytes | None, bytes]]) -> None:
    path = tmp_path / "sample.jsonl"
    written = write_jsonl(sample, path)
    lines = path.read_bytes().splitlines()
    assert written == len(lines) == len(sample) - 1  # the truncated body cannot be wrapped
    topics: Counter[str] = Counter()
    for line in lines:
        record = orjson.loads(line)
        assert set(record) == {"topic", "value"}
        assert isinstance(record["value"], dict)
        topics[record["topic"]] += 1
    assert set(topics) == {"accounts", "events", "tickets"}
    assert orjson.loads(lines[0])["value"] == orjson.loads(sample[0][2])


# --- the builders produce the fixtures' field sets -----------------------------------


def key_tree(value: Any) -> Any:
    """The structure of a JSON value: dict keys recursively, list items merged."""
    if isinstance(value, dict):
        return {k: key_tree(v) for k, v in value.items()}
    if isinstance(value, list):
        merged: dict[str, Any] = {}
        for item in value:
            sub = key_tree(item)
            if isinstance(sub, dict):
                merged |= sub
        return [merged] if merged else []
    return None


def fixture(kind: str, name: str) -> dict[str, Any]:
    body = orjson.loads((FIXTURES / kind / name).read_bytes())
    assert isinstance(body, dict)
    return body


AT = datetime(2026, 11, 20, 10, 15, 2, tzinfo=UTC)
DETAIL = zendesk_detail(
    ticket_id="1", subject="s", description="d", requester_id="2", organization_id="3",
    assignee_id="4", tags=["t"], priority="HIGH", status="OPEN", created_at=AT, updated_at=AT,
)
ADMIN = {"type": "admin", "id": "1", "name": "A", "email": "a@x.example"}
USER = {"type": "user", "id": "2", "name": "U", "email": "u@x.example"}


def _conversation(state: str, parts: list[dict[str, Any]]) -> dict[str, Any]:
    return intercom_conversation(
        conversation_id="9", created_at=AT, updated_at=AT, state=state, source_id="8",
        body_html="<p>x</p>", author=USER, contact_external_id="u_1", parts=parts,
        admin_assignee_id=1, tags=["t"], page_url="https://x.example",
    )


BUILT: dict[tuple[str, str], dict[str, Any]] = {
    ("tickets", "zendesk_ticket_created.json"): zendesk_event(
        "zen:event-type:ticket.created", event_id="e", at=AT, nanos=1, detail=DETAIL, event={}),
    ("tickets", "zendesk_comment_added.json"): zendesk_event(
        "zen:event-type:ticket.comment_added", event_id="e", at=AT, nanos=1, detail=DETAIL,
        event=zendesk_comment_event(comment_id="c", body="b", author_id="2", author_name="U",
                                    is_staff=False)),
    ("tickets", "zendesk_status_changed.json"): zendesk_event(
        "zen:event-type:ticket.status_changed", event_id="e", at=AT, nanos=1, detail=DETAIL,
        event={"current": "SOLVED", "previous": "OPEN"}),
    ("tickets", "zendesk_trigger.json"): zendesk_trigger(
        ticket_id="1", subject="s", description="d", created_at=AT, priority="High",
        status="New", tags=["a"], requester_email="u@x.example", requester_name="U",
        organization_name="X", organization_external_id="acct_1"),
    ("tickets", "intercom_user_created.json"): intercom_notification(
        "conversation.user.created", notification_id="n", item=_conversation("open", []), at=AT),
    ("tickets", "intercom_user_replied.json"): intercom_notification(
        "conversation.user.replied", notification_id="n", at=AT, item=_conversation("open", [
            intercom_part(part_id="1", part_type="comment", body="<p>a</p>", at=AT, author=ADMIN),
            intercom_part(part_id="2", part_type="comment", body="<p>b</p>", at=AT, author=USER),
        ])),
    ("tickets", "intercom_admin_closed.json"): intercom_notification(
        "conversation.admin.closed", notification_id="n", at=AT, item=_conversation("closed", [
            intercom_part(part_id="3", part_type="close", body=None, at=AT, author=ADMIN)])),
    ("tickets", "generic.json"): generic_ticket(
        ticket_id="T-1", account_id="acct_1", requester_email="u@x.example", subject="s",
        body="b", created_at=AT, status="open", url="https://x.example/T-1"),
    ("events", "track.json"): segment_message(
        "track", message_id="m", user_id="u", anonymous_id="a", at=AT, event="E",
        context_group_id="acct_1", context_email="u@x.example", properties={"p": 1}),
    ("events", "page.json"): segment_message(
        "page", message_id="m", user_id="u", anonymous_id="a", at=AT, name="N",
        properties={"path": "/"}),
    ("events", "identify.json"): segment_message(
        "identify", message_id="m", user_id="u", anonymous_id="a", at=AT, traits={"email": "e"}),
    ("events", "group.json"): segment_message(
        "group", message_id="m", user_id="u", anonymous_id="a", at=AT, group_id="acct_1",
        traits={"name": "X"}),
}


def _without_free_form(tree: Any) -> Any:
    # properties/traits/custom_attributes are free-form by design: only their presence counts.
    if isinstance(tree, dict):
        return {k: (None if k in ("properties", "traits", "custom_attributes") else
                    _without_free_form(v)) for k, v in tree.items()}
    if isinstance(tree, list):
        return [_without_free_form(v) for v in tree]
    return tree


@pytest.mark.parametrize(("kind", "name"), sorted(BUILT))
def test_builders_produce_the_fixtures_field_sets(kind: str, name: str) -> None:
    built = _without_free_form(key_tree(BUILT[(kind, name)]))
    expected = _without_free_form(key_tree(fixture(kind, name)))
    assert built == expected


@pytest.mark.parametrize(("kind", "name"), sorted(BUILT))
def test_built_bodies_normalise(kind: str, name: str) -> None:
    body = BUILT[(kind, name)]
    if kind == "tickets":
        assert isinstance(normalise_ticket(body), Ticket)
    else:
        assert isinstance(normalise_event(body, FALLBACK), Event)


def test_renewals_are_dates() -> None:
    snapshot = orjson.loads(generate_sample(n_accounts=1)[0][2])
    assert date.fromisoformat(snapshot["renewal_date"])
