"""normalise_ticket: every helpdesk shape of CONTRACTS.md becomes the right Ticket."""

from __future__ import annotations

import copy
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contracts.errors import PoisonRecord
from operators.normalise_ticket import html_to_text, normalise_ticket
from operators.records import Ticket

TICKETS = Path(__file__).parents[2] / "fixtures" / "tickets"
FIXTURE_NAMES = sorted(p.name for p in TICKETS.glob("*.json"))


def load(name: str) -> dict[str, Any]:
    body = orjson.loads((TICKETS / name).read_bytes())
    assert isinstance(body, dict)
    return body


def texts_in(value: Any) -> Iterator[str]:
    """Every string in a body that reads as prose (ids, enums and types have no spaces)."""
    if isinstance(value, str):
        if value.count(" ") >= 2:
            yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from texts_in(v)
    elif isinstance(value, list):
        for v in value:
            yield from texts_in(v)


def assert_poison_without_text(body: Any, source: dict[str, Any] | None = None) -> str:
    with pytest.raises(PoisonRecord) as info:
        normalise_ticket(body)
    message = str(info.value)
    for text in texts_in(source if source is not None else body):
        assert text not in message
        # Not even a fragment of the prose (a word or two is fine, a phrase is not).
        assert text[:20] not in message
    return message


# --- every fixture, field by field ------------------------------------------------


def test_fixture_set_covers_every_shape_and_kind() -> None:
    assert set(FIXTURE_NAMES) >= {
        "zendesk_ticket_created.json", "zendesk_comment_added.json",
        "zendesk_status_changed.json", "zendesk_trigger.json", "intercom_user_created.json",
        "intercom_user_replied.json", "intercom_admin_closed.json", "generic.json",
    }


def test_zendesk_ticket_created() -> None:
    t = normalise_ticket(load("zendesk_ticket_created.json"))
    assert t == Ticket(
        record_id="6f0c6b1e-3d55-4a0c-9a51-2f7d0c1b8e44",
        ticket_id="zendesk:48213",
        source="zendesk",
        kind="created",
        subject="Dashboard numbers wrong after import",
        body="Since yesterday's import the revenue numbers on our main dashboard are wrong: "
        "March shows $0 and several customer records have disappeared. We report to our "
        "board on Friday, please look at this urgently.",
        created_at=datetime(2026, 11, 20, 10, 15, 2, tzinfo=UTC),
        requester_email=None,
        requester_name=None,
        account_id=None,
        organization_id="9120573301009",
        status="new",
        priority="urgent",
        url=None,
        tags=("dashboard", "data_import"),
    )


def test_zendesk_comment_added_is_the_customers_reply() -> None:
    t = normalise_ticket(load("zendesk_comment_added.json"))
    assert t.record_id == "b2d9a7f4-5c1e-4e8b-8f63-0a4c91d7e215"
    assert t.ticket_id == "zendesk:48213"
    assert t.kind == "replied"
    assert t.subject == "Dashboard numbers wrong after import"
    assert t.body.startswith("Still broken this morning. Now the CSV export fails")
    assert "API error 500" in t.body
    # The reply's time is the event's, not the ticket's creation.
    assert t.created_at == datetime(2026, 11, 21, 8, 42, 37, 119480, tzinfo=UTC)
    assert t.requester_name == "Maya Okafor"
    assert t.organization_id == "9120573301009"
    assert (t.status, t.priority) == ("open", "urgent")
    assert t.tags == ("dashboard", "data_import", "escalated")


def test_zendesk_status_changed_is_an_update_with_no_text() -> None:
    t = normalise_ticket(load("zendesk_status_changed.json"))
    assert t.record_id == "0e51c3a8-9b7d-4f02-a6e4-7d3b28c9f160"
    assert t.ticket_id == "zendesk:48213"
    assert (t.kind, t.status, t.body) == ("updated", "solved", "")
    assert t.created_at == datetime(2026, 11, 22, 16, 5, 11, 904417, tzinfo=UTC)


def test_zendesk_trigger_body() -> None:
    t = normalise_ticket(load("zendesk_trigger.json"))
    assert t == Ticket(
        record_id="zendesk:48230:created",
        ticket_id="zendesk:48230",
        source="zendesk",
        kind="created",
        subject="Charged for 48 seats, we only have 30",
        body="Hi, we were charged the wrong amount this month. Invoice INV-20931 bills 48 seats "
        "but we only have 30 active users. Can you correct the invoice and refund the "
        "difference?",
        # {{ticket.created_at_with_timestamp}} renders to the minute.
        created_at=datetime(2026, 11, 20, 11, 2, tzinfo=UTC),
        requester_email="jonas.weber@brightledger.de",
        requester_name="Jonas Weber",
        account_id="acct_1007",
        organization_id=None,
        status="new",
        priority="normal",
        url="https://northwindhelp.zendesk.com/agent/tickets/48230",
        tags=("billing", "invoice"),
    )


def test_intercom_user_created() -> None:
    t = normalise_ticket(load("intercom_user_created.json"))
    assert t == Ticket(
        record_id="notif_7c1e2b90-a6f3-11f1-9c2d-3b5e8f0a4d21",
        ticket_id="intercom:215472193845712",
        source="intercom",
        kind="created",
        subject="",
        body="Hi there,\nsince Tuesday's update our Slack webhook is not firing at all – no "
        "alerts for new orders.\nWe rely on it for on-call & this is blocking the team.",
        created_at=datetime(2026, 11, 20, 12, 30, 41, tzinfo=UTC),
        requester_email="lena.fischer@silverforge.io",
        requester_name="Lena Fischer",
        account_id=None,
        organization_id=None,
        status="open",
        priority=None,
        url="https://app.intercom.com/a/apps/k7qv2m9x/conversations/215472193845712",
        tags=("integrations",),
    )


def test_intercom_user_replied_reads_the_newest_contact_part() -> None:
    t = normalise_ticket(load("intercom_user_replied.json"))
    assert t.record_id == "notif_1f8a44d2-a6fd-11f1-8e07-0b9c2d7e51a3"
    assert t.ticket_id == "intercom:215472193845712"
    assert t.kind == "replied"
    assert t.body == (
        "Thanks, it works again.\n"
        "Before we renew: what's included in the Pro plan, and can we add 15 more users?\n"
        "Also, do you have an API for pulling usage reports?"
    )
    assert "we found the cause" not in t.body  # the admin's part is not the customer's
    assert t.created_at == datetime(2026, 11, 20, 14, 12, 55, tzinfo=UTC)
    assert t.requester_email == "lena.fischer@silverforge.io"
    assert t.requester_name == "Lena Fischer"


def test_intercom_admin_closed_is_a_status_update() -> None:
    t = normalise_ticket(load("intercom_admin_closed.json"))
    assert t.record_id == "notif_5d02c7e6-a74f-11f1-b3a1-6f0e9a2c8d47"
    assert (t.kind, t.status, t.body) == ("updated", "closed", "")
    assert t.created_at == datetime(2026, 11, 21, 9, 20, 3, tzinfo=UTC)
    assert t.requester_email == "lena.fischer@silverforge.io"


def test_generic() -> None:
    t = normalise_ticket(load("generic.json"))
    assert t == Ticket(
        record_id="generic:T-20931:2026-11-20T13:40:00+00:00",
        ticket_id="generic:T-20931",
        source="generic",
        kind="created",
        subject="How do we export all our data?",
        body="We are reviewing our tooling before the renewal. How do we export all our data, "
        "including archived projects, and what notice do we need to give to cancel at the end "
        "of the term?",
        created_at=datetime(2026, 11, 20, 13, 40, tzinfo=UTC),
        requester_email="priya.raman@quietpine.com",
        account_id="acct_1012",
        status="open",
        url="https://support.quietpine.com/tickets/T-20931",
    )


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_every_fixture_gives_aware_utc_times(name: str) -> None:
    t = normalise_ticket(load(name))
    assert t.created_at.utcoffset() is not None
    assert t.created_at.utcoffset().total_seconds() == 0  # type: ignore[union-attr]


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_input_is_not_mutated(name: str) -> None:
    body = load(name)
    before = copy.deepcopy(body)
    normalise_ticket(body)
    assert body == before


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_same_body_same_ticket(name: str) -> None:
    assert normalise_ticket(load(name)) == normalise_ticket(load(name))


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_unknown_fields_are_tolerated_at_every_level(name: str) -> None:
    body = load(name)
    expected = normalise_ticket(body)

    def add_fields(value: Any) -> Any:
        if isinstance(value, dict):
            out = {k: add_fields(v) for k, v in value.items()}
            out["x_vendor_added"] = {"nested": [1, "two", None]}
            return out
        if isinstance(value, list):
            return [add_fields(v) for v in value]
        return value

    assert normalise_ticket(add_fields(body)) == expected


# --- Zendesk details ----------------------------------------------------------------


def test_zendesk_ids_as_integers() -> None:
    body = load("zendesk_ticket_created.json")
    body["detail"]["id"] = 48213
    body["detail"]["organization_id"] = 9120573301009
    t = normalise_ticket(body)
    assert (t.ticket_id, t.organization_id) == ("zendesk:48213", "9120573301009")


def test_zendesk_staff_comment_is_never_the_customers_words() -> None:
    body = load("zendesk_comment_added.json")
    body["event"]["comment"]["author"]["is_staff"] = True
    t = normalise_ticket(body)
    assert (t.kind, t.body, t.requester_name) == ("updated", "", None)


def test_zendesk_private_note_is_an_update() -> None:
    body = load("zendesk_comment_added.json")
    body["event"]["comment"]["is_public"] = False
    assert normalise_ticket(body).kind == "updated"


def test_zendesk_organization_zero_means_none() -> None:
    body = load("zendesk_ticket_created.json")
    body["detail"]["organization_id"] = "0"
    assert normalise_ticket(body).organization_id is None


def test_zendesk_created_without_detail_time_uses_event_time() -> None:
    body = load("zendesk_ticket_created.json")
    del body["detail"]["created_at"]
    assert normalise_ticket(body).created_at == datetime(
        2026, 11, 20, 10, 15, 2, 482913, tzinfo=UTC
    )


def test_trigger_tags_as_list_scheme_kept_and_blank_placeholders() -> None:
    body = load("zendesk_trigger.json")
    ticket = body["ticket"]
    ticket["tags"] = ["billing", "invoice"]
    ticket["url"] = "https://northwindhelp.zendesk.com/agent/tickets/48230"
    ticket["priority"] = "-"
    ticket["organization"]["external_id"] = ""
    ticket["requester"]["email"] = ""
    t = normalise_ticket(body)
    assert t.tags == ("billing", "invoice")
    assert t.url == "https://northwindhelp.zendesk.com/agent/tickets/48230"
    assert (t.priority, t.account_id, t.requester_email) == (None, None, None)


def test_trigger_numeric_id_and_external_id() -> None:
    body = load("zendesk_trigger.json")
    body["ticket"]["id"] = 48230
    body["ticket"]["organization"]["external_id"] = 1007
    t = normalise_ticket(body)
    assert (t.ticket_id, t.record_id, t.account_id) == (
        "zendesk:48230", "zendesk:48230:created", "1007")


# --- Intercom details ---------------------------------------------------------------


def test_intercom_email_from_contacts_when_author_has_none() -> None:
    body = load("intercom_user_created.json")
    item = body["data"]["item"]
    del item["source"]["author"]["email"]
    item["contacts"]["contacts"][0]["email"] = "Lena@SilverForge.io"
    assert normalise_ticket(body).requester_email == "lena@silverforge.io"


def test_intercom_contacts_as_bare_list() -> None:
    body = load("intercom_user_created.json")
    item = body["data"]["item"]
    item["source"]["author"] = {"type": "lead", "id": "x1"}
    item["contacts"] = [{"type": "contact", "id": "x1", "email": "ops@silverforge.io"}]
    assert normalise_ticket(body).requester_email == "ops@silverforge.io"


def test_intercom_admin_authored_source_is_not_the_requester() -> None:
    body = load("intercom_user_created.json")
    body["data"]["item"]["source"]["author"] = {
        "type": "admin", "id": "7481203", "name": "Sam Ortiz", "email": "sam@vendor.example"}
    t = normalise_ticket(body)
    assert (t.requester_email, t.requester_name) == (None, None)


def test_intercom_reply_without_contact_parts_falls_back_to_the_source() -> None:
    body = load("intercom_user_replied.json")
    parts = body["data"]["item"]["conversation_parts"]["conversation_parts"]
    body["data"]["item"]["conversation_parts"]["conversation_parts"] = [
        p for p in parts if p["author"]["type"] == "admin"]
    t = normalise_ticket(body)
    assert t.kind == "replied"
    assert t.body.startswith("Hi there,\nsince Tuesday's update")


def test_intercom_newest_part_wins_whatever_the_order() -> None:
    body = load("intercom_user_replied.json")
    parts = body["data"]["item"]["conversation_parts"]["conversation_parts"]
    older = copy.deepcopy(parts[1])
    older["id"], older["created_at"], older["body"] = "1", 1795170000, "<p>earlier words</p>"
    parts.append(older)
    assert normalise_ticket(body).body.startswith("Thanks, it works again.")


def test_intercom_without_notification_id_gets_a_deterministic_record_id() -> None:
    created = load("intercom_user_created.json")
    created["id"] = None
    replied = load("intercom_user_replied.json")
    del replied["id"]
    assert normalise_ticket(created).record_id == "intercom:215472193845712:created"
    assert normalise_ticket(replied).record_id == "intercom:215472193845712:replied:19503911046"


def test_intercom_priority() -> None:
    body = load("intercom_user_created.json")
    body["data"]["item"]["priority"] = "priority"
    assert normalise_ticket(body).priority == "high"


def test_intercom_times_as_quoted_unix_seconds() -> None:
    body = load("intercom_user_created.json")
    body["data"]["item"]["created_at"] = "1795177841"
    assert normalise_ticket(body).created_at == datetime(2026, 11, 20, 12, 30, 41, tzinfo=UTC)


# --- HTML to text --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("<p>one</p><p>two</p>", "one\ntwo"),
        ("<p>a&nbsp;b &amp; c &lt;d&gt; &#39;e&#39; &ndash; f</p>", "a b & c <d> 'e' – f"),
        ("first<br>second<br/>third", "first\nsecond\nthird"),
        ("<div><p>nested <b>bold</b> <a href='https://x.example'>link</a></p></div>",
         "nested bold link"),
        ("<ul><li>one</li><li>two</li></ul>", "one\ntwo"),
        ("<style>p {color: red}</style><p>kept</p><script>alert(1)</script>", "kept"),
        ("<p>  lots   of\n\n  space  </p>", "lots of space"),
        ("<p>unclosed <b>tags", "unclosed tags"),
        ("<p></p><p>  </p>", ""),
        ("5 < 6 and 7 > 3", "5 < 6 and 7 > 3"),
        ("plain text", "plain text"),
        ("<img src='x.png'><p>after image</p>", "after image"),
    ],
)
def test_html_to_text(html: str, text: str) -> None:
    assert html_to_text(html) == text


def test_intercom_html_becomes_plain_text_with_paragraph_breaks() -> None:
    body = load("intercom_user_created.json")
    body["data"]["item"]["source"]["body"] = (
        "<p>Our <b>numbers</b> are wrong.</p><p>Totals &amp; exports both.</p>")
    assert normalise_ticket(body).body == "Our numbers are wrong.\nTotals & exports both."


# --- times ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "created_at",
    [
        "2026-11-20T10:15:00Z",
        "2026-11-20T10:15:00+00:00",
        "2026-11-20T12:15:00+02:00",
        "2026-11-20T05:15:00-05:00",
        "2026-11-20T10:15:00",  # naive: taken as UTC
        "2026-11-20T10:15Z",
        "2026-11-20T10:15:00.000000000Z",
        1795169700,
        1795169700.0,
        "1795169700",
        1795169700000,  # milliseconds
    ],
)
def test_unix_seconds_and_rfc3339_mean_the_same_instant(created_at: object) -> None:
    body = load("generic.json")
    body["created_at"] = created_at
    t = normalise_ticket(body)
    assert t.created_at == datetime(2026, 11, 20, 10, 15, tzinfo=UTC)
    assert t.created_at.tzinfo is UTC


@pytest.mark.parametrize(
    "created_at", ["yesterday", "", "2026-13-40T99:00:00Z", True, None, [], {}, -5, 1e300,
                   "9" * 40])
def test_unreadable_times_are_poison(created_at: object) -> None:
    body = load("generic.json")
    body["created_at"] = created_at
    message = assert_poison_without_text(body)
    assert "created_at" in message


# --- malformed bodies -----------------------------------------------------------------


def _without(path: tuple[str | int, ...]) -> Any:
    def edit(body: dict[str, Any]) -> dict[str, Any]:
        node: Any = body
        for key in path[:-1]:
            node = node[key]
        del node[path[-1]]
        return body
    return edit


def _setting(path: tuple[str | int, ...], value: Any) -> Any:
    def edit(body: dict[str, Any]) -> dict[str, Any]:
        node: Any = body
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value
        return body
    return edit


MALFORMED = [
    # missing ticket id
    ("zendesk_ticket_created.json", _without(("detail", "id")), "detail.id"),
    ("zendesk_comment_added.json", _setting(("detail", "id"), ""), "detail.id"),
    ("zendesk_trigger.json", _without(("ticket", "id")), "ticket.id"),
    ("intercom_user_created.json", _without(("data", "item", "id")), "data.item.id"),
    ("generic.json", _without(("ticket_id",)), "ticket_id"),
    ("generic.json", _setting(("ticket_id",), None), "ticket_id"),
    # missing delivery id / time
    ("zendesk_ticket_created.json", _without(("id",)), "id"),
    ("zendesk_status_changed.json", _without(("time",)), "time"),
    ("zendesk_trigger.json", _without(("ticket", "created_at")), "ticket.created_at"),
    ("generic.json", _without(("body",)), "body"),
    # wrong types
    ("zendesk_ticket_created.json", _setting(("detail",), ["48213"]), "detail"),
    ("zendesk_ticket_created.json", _setting(("detail", "tags"), 7), "detail.tags"),
    ("zendesk_comment_added.json", _setting(("event", "comment", "body"), {"html": "x"}),
     "event.comment.body"),
    ("zendesk_comment_added.json", _setting(("event", "comment"), "a comment"), "event.comment"),
    ("zendesk_trigger.json", _setting(("ticket", "requester"), "Jonas"), "ticket.requester"),
    ("zendesk_trigger.json", _setting(("ticket", "id"), True), "ticket.id"),
    ("intercom_user_created.json", _setting(("data", "item"), []), "data.item"),
    ("intercom_user_replied.json",
     _setting(("data", "item", "conversation_parts", "conversation_parts"), {"a": 1}),
     "conversation_parts"),
    ("generic.json", _setting(("subject",), ["not", "text"]), "subject"),
    ("generic.json", _setting(("ticket_id",), {"id": "T-1"}), "ticket_id"),
    # unknown type / topic
    ("zendesk_ticket_created.json", _setting(("type",), "zen:event-type:ticket.priority_changed"),
     "unsupported Zendesk event type"),
    ("zendesk_ticket_created.json", _setting(("type",), "zen:event-type:user.created"),
     "unsupported Zendesk event type"),
    ("intercom_user_created.json", _setting(("topic",), "conversation.admin.assigned"), "topic"),
    ("generic.json", _setting(("source",), "freshdesk"), "no known helpdesk shape"),
]


@pytest.mark.parametrize(("name", "edit", "mentions"), MALFORMED)
def test_malformed_bodies_are_poison_and_name_the_field(name: str, edit: Any,
                                                        mentions: str) -> None:
    original = load(name)
    message = assert_poison_without_text(edit(load(name)), source=original)
    assert mentions in message


@pytest.mark.parametrize(
    "body", [{}, [], [load("generic.json")], None, "ticket", 42, {"type": 5}, {"ticket": "48230"},
             {"source": "generic"}, {"type": "notification_event"}])
def test_not_a_ticket_at_all(body: Any) -> None:
    assert_poison_without_text(body)


def test_poison_message_never_quotes_the_body_even_when_a_field_is_wrong() -> None:
    body = load("zendesk_trigger.json")
    secret = "Our revenue numbers vanished and the CFO is furious about it"
    body["ticket"]["subject"] = {"text": secret}
    body["ticket"]["description"] = [secret]
    message = assert_poison_without_text(body)
    assert "furious" not in message and "revenue" not in message


def test_unknown_shape_names_only_plain_keys() -> None:
    message = assert_poison_without_text({"our data disappeared overnight": 1, "kind": "x"})
    assert "disappeared" not in message
    assert "kind" in message


# --- property: a Ticket or a PoisonRecord, nothing else ------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=25,
)
DISCRIMINATORS = st.sampled_from([
    {"type": "zen:event-type:ticket.created"}, {"type": "zen:event-type:ticket.comment_added"},
    {"type": "zen:event-type:ticket.status_changed"}, {"type": "zen:event-type:other"},
    {"type": "notification_event", "topic": "conversation.user.created"},
    {"type": "notification_event", "topic": "conversation.user.replied"},
    {"type": "notification_event", "topic": "conversation.admin.closed"},
    {"source": "generic"}, {"ticket": {}}, {},
])
KEYS = st.sampled_from([
    "id", "time", "detail", "event", "data", "ticket", "ticket_id", "body", "subject",
    "created_at", "requester_email", "account_id", "topic", "app_id", "url", "status",
]) | st.text(max_size=8)
arbitrary_bodies = st.builds(
    lambda base, extra: {**extra, **base},
    DISCRIMINATORS, st.dictionaries(KEYS, json_values, max_size=6),
)


def ticket_or_poison(body: Any) -> None:
    try:
        ticket = normalise_ticket(body)
    except PoisonRecord:
        return
    assert isinstance(ticket, Ticket)
    assert ticket.created_at.tzinfo is not None
    assert ticket.ticket_id.split(":", 1)[0] == ticket.source


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.text(max_size=10), json_values, max_size=6))
def test_arbitrary_dicts_give_a_ticket_or_poison(body: dict[str, Any]) -> None:
    ticket_or_poison(body)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(arbitrary_bodies)
def test_arbitrary_bodies_with_known_discriminators_give_a_ticket_or_poison(
    body: dict[str, Any],
) -> None:
    ticket_or_poison(body)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(value, dict):
        for k, v in value.items():
            out.extend(_paths(v, (*prefix, k)))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out.extend(_paths(v, (*prefix, i)))
    return out


@settings(max_examples=500, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(FIXTURE_NAMES), st.data())
def test_fixtures_with_any_subtree_replaced_give_a_ticket_or_poison(
    name: str, data: st.DataObject,
) -> None:
    body = load(name)
    path = data.draw(st.sampled_from(_paths(body)[1:]))
    node: Any = body
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = data.draw(json_values)
    ticket_or_poison(body)


def test_html_to_text_keeps_preformatted_lines_and_drops_comments() -> None:
    html = "<p>log:</p><pre>line 1\nline 2</pre><!-- internal note --><p>end</p>"
    assert html_to_text(html) == "log:\nline 1\nline 2\nend"
    assert html_to_text("<p>open <!-- never closed") == "open"
    assert html_to_text('<a title="a>b" href=\'x\'>link</a>') == "link"


@pytest.mark.parametrize("fragment", ["<a", "<a '", '<a "', "<style>", "<!--", "<p x='<"])
def test_html_to_text_stays_linear_on_pathological_markup(fragment: str) -> None:
    html = fragment * 20_000 + "<p>tail</p>"
    started = time.perf_counter()
    html_to_text(html)
    assert time.perf_counter() - started < 2.0
