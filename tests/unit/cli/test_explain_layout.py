"""``cuewire explain``: every kind of entry about an account, readable at 80 columns."""

from __future__ import annotations

import io

from rich.console import Console

from cuewire.explain_cmd import Entry, collect, render

HELD = [{"alert_id": "a2", "account_id": "acct_42", "rule": "upgrade-intent", "signal": "upgrade_intent",
         "priority": "medium", "outcome": "suppressed", "at": "2026-11-21T10:00Z", "retry_at": None,
         "reason": "cooldown: rule upgrade-intent alerted acct_42 at 2026-11-20T10:00Z, quiet until "
                   "2026-11-22T10:00Z"}]
ALERT = {"id": "a1", "time": "2026-11-20T10:00:05Z", "data": {
    "alert_id": "a1", "account_id": "acct_42", "rule": "upgrade-intent", "priority": "medium",
    "detected_at": "2026-11-20T10:00:05Z", "risk_factors": ["two upgrade signals in 7 days"]}}
BELOW = {"id": "d1", "type": "io.cuewire.digest.ticket.below_gate", "time": "2026-11-19T09:00:00Z",
         "data": {"account_id": "acct_42", "rule": "ticket-frustration-gate", "score": 41,
                  "reason": "score 41 < 65 and renewal in 300 days",
                  "evidence": [{"id": "zendesk:7", "at": "2026-11-19T09:00:00Z"}]}}
UNATTACHED = {"id": "d2", "type": "io.cuewire.digest.ticket.unattached", "time": "2026-11-18T09:00:00Z",
              "data": {"account_id": None, "requester_email": "new.person@acme.io",
                       "evidence": [{"id": "generic:9", "at": "2026-11-18T09:00:00Z"}]}}
STRANGER = {**UNATTACHED, "id": "d3", "data": {**UNATTACHED["data"], "requester_email": "x@elsewhere.io"}}
OTHER_BELOW = {**BELOW, "id": "d4", "data": {**BELOW["data"], "account_id": "acct_7"}}
SNAPSHOT = {"account_id": "acct_42", "domains": ["acme.io"], "contacts": ["dana@acme.io"]}


def entries() -> list[Entry]:
    return collect("acct_42", SNAPSHOT, HELD, [ALERT], [BELOW, UNATTACHED, STRANGER, OTHER_BELOW],
                   {"a1": ["snoozed until 2026-12-15 by riley@vendor.com"]})


def test_explain_collects_published_held_below_gate_and_lookalike_unattached_newest_first() -> None:
    found = entries()
    assert [(e.kind, e.id) for e in found] == [
        ("suppressed", "a2"), ("published", "a1"), ("below gate", "zendesk:7"), ("unattached", "generic:9")]
    assert found[1].reason == "two upgrade signals in 7 days; snoozed until 2026-12-15 by riley@vendor.com"
    assert "new.person@acme.io" in found[3].reason


def test_unattached_tickets_need_a_known_contact_or_domain() -> None:
    assert [e.kind for e in collect("acct_42", None, [], [], [UNATTACHED], {})] == []
    by_contact = {**UNATTACHED, "data": {**UNATTACHED["data"], "requester_email": "Dana@Acme.io"}}
    assert [e.kind for e in collect("acct_42", {"contacts": ["dana@acme.io"]}, [], [], [by_contact], {})] \
        == ["unattached"]


def printed(width: int, found: list[Entry]) -> str:
    out = io.StringIO()
    render(Console(file=out, width=width, color_system=None), "acct_42", found)
    return out.getvalue()


def test_at_80_columns_each_entry_is_a_block_and_no_reason_is_cut() -> None:
    text = printed(80, entries())
    assert all(len(line) <= 80 for line in text.splitlines())
    assert "┃" not in text and "│" not in text, "narrow: blocks, not a squeezed table"
    flat = " ".join(text.split())
    for entry in entries():
        assert " ".join(entry.reason.split()) in flat
    assert "1 published, 1 suppressed, 1 below gate, 1 unattached" in flat


def test_wide_terminals_get_a_table() -> None:
    text = printed(140, entries())
    assert "│" in text or "┃" in text


def test_an_account_with_nothing_says_so_without_claiming_governance_held_it() -> None:
    flat = " ".join(printed(80, []).split())
    assert "no alert, nothing held back, no ticket below the gate" in flat
