"""Alert threads: new evidence for an open alert updates it, a higher priority escalates it.

An alert is *open* for its account and rule while its cooldown lasts (the
window :func:`operators.govern.govern` keeps quiet, both directions in event
time). A later match of the same rule for the account used to be suppressed
by that cooldown, one suppression record per match, and a critical match hid
behind a low one's cooldown. Now it joins the open alert's thread:

* with a higher priority than the thread has, it **escalates** the thread: the
  thread's priority becomes the match's;
* otherwise it is **new evidence** for the thread, whose priority stays.

Either way it is published as ``io.cuewire.alert.updated`` (CONTRACTS.md: "new
evidence for an alert that is still open may be published as
``io.cuewire.alert.updated`` with the same ``alert_id``"): the CloudEvent's
``id`` is the update's own deterministic id, ``data.alert_id`` and
``data.thread_id`` are the alert that opened the thread, ``data.change`` says
what happened. An update does not extend the thread's window nor count
against the daily cap: it is the same alert, better informed.

>>> from datetime import UTC, datetime, timedelta
>>> opened = CooldownEntry("a1", datetime(2026, 11, 19, 10, tzinfo=UTC),
...                        datetime(2026, 11, 21, 10, tzinfo=UTC), priority="high")
>>> thread = open_thread([opened], datetime(2026, 11, 19, 12, tzinfo=UTC), timedelta(hours=48))
>>> thread.alert_id, thread_update("critical", thread, [opened]).change
('a1', 'escalated')
>>> thread_update("low", thread, [opened]).change, thread_update("low", thread, [opened]).priority
('new_evidence', 'high')
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from operators.governance_model import (
    PRIORITY_RANK,
    Candidate,
    CooldownEntry,
    Priority,
    ThreadUpdate,
    Verdict,
)
from operators.records import iso_minutes as iso
from operators.sanitise import plain_text

UPDATED_TYPE = "io.cuewire.alert.updated"


def open_thread(entries: Sequence[CooldownEntry], at: datetime, span: timedelta) -> CooldownEntry | None:
    """The entry of the open thread evidence at ``at`` belongs to, if any.

    A thread is open for ``at`` when ``at`` falls in its window, or when it was
    opened by evidence shortly *after* ``at`` (within ``span``: records arrive
    out of order across partitions). Of several, the latest opened wins.
    """
    hits = [e for e in entries if e.since <= at < e.until or at < e.since < at + span]
    if not hits:
        return None
    return max(hits, key=lambda e: (e.since, e.thread_id))


def thread_priority(entries: Sequence[CooldownEntry], thread_id: str) -> Priority | None:
    """The highest priority any alert of the thread had (``None``: none recorded one)."""
    best: Priority | None = None
    for e in entries:
        if e.thread_id == thread_id and e.priority is not None and (
                best is None or PRIORITY_RANK[e.priority] < PRIORITY_RANK[best]):
            best = e.priority
    return best


def thread_update(priority: Priority, thread: CooldownEntry,
                  entries: Sequence[CooldownEntry]) -> ThreadUpdate:
    """What a candidate of ``priority`` does to ``thread``: escalate it, or add evidence."""
    current = thread_priority(entries, thread.thread_id)
    escalates = current is not None and PRIORITY_RANK[priority] < PRIORITY_RANK[current]
    return ThreadUpdate(
        thread_id=thread.thread_id,
        change="escalated" if escalates else "new_evidence",
        priority=current if current is not None and not escalates else priority,
        previous_priority=current,
        opened_at=thread.since,
        open_until=thread.until,
    )


def update_entry(c: Candidate, update: ThreadUpdate) -> CooldownEntry:
    """The cooldown entry that remembers an update: the thread's window, the update's id."""
    return CooldownEntry(c.alert_id, update.opened_at, update.open_until, update.priority, update)


def update_reason(c: Candidate, update: ThreadUpdate) -> str:
    """Why a candidate was published as an update, in words (``cuewire explain``, the wire)."""
    window = f"opened {iso(update.opened_at)}, open until {iso(update.open_until)}"
    if update.change == "escalated":
        return (f"escalated: rule {c.rule_id} matched {c.account_id} at {iso(c.at)} with {update.priority} "
                f"priority, above open alert {update.thread_id}'s {update.previous_priority} ({window})")
    return (f"updated: new evidence for rule {c.rule_id} on {c.account_id} at {iso(c.at)} while alert "
            f"{update.thread_id} is open ({window})")


def thread_record(body: dict[str, Any], verdict: Verdict) -> dict[str, Any]:
    """The published form of a publish verdict's rendered alert: the alert itself, naming
    its own thread, or, for an update, ``io.cuewire.alert.updated`` in the open alert's thread."""
    data = body.get("data")
    if not isinstance(data, dict):
        return body
    update = verdict.update
    if update is None:
        return {**body, "data": {**data, "thread_id": data.get("alert_id", verdict.candidate.alert_id)}}
    own_id = verdict.candidate.alert_id
    return {**body, "id": own_id, "type": UPDATED_TYPE, "data": {
        **data,
        "alert_id": update.thread_id,
        "thread_id": update.thread_id,
        "update_id": own_id,
        "change": update.change,
        "priority": update.priority,
        "previous_priority": update.previous_priority,
        "update_reason": plain_text(update_reason(verdict.candidate, update)),
    }}
