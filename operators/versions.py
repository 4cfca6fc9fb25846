"""Versioned table entries: what a key (an account's snapshot, an identity link) said when.

Accounts, identity links and consent are tables that change over time, and a
ticket or event joins them as they were at its own time, whatever order the
table's changes and the record were read in. Each key keeps a short history of
versions, ``(valid_from_ms, value)`` in ascending time, ``None`` meaning
deleted (a tombstone, a contact removed from an account).

A key's first version counts from the start of time: a compacted topic keeps
only an account's newest snapshot, and the account (or the user's link to it)
existed before the CRM said so. Later versions count from their own time.

>>> v = with_version((), 2_000, "acct_a")
>>> v = with_version(v, 5_000, "acct_b")
>>> as_of(v, 1_000), as_of(v, 2_000), as_of(v, 4_999), as_of(v, 9_000)
('acct_a', 'acct_a', 'acct_a', 'acct_b')
>>> as_of(with_version(v, 7_000, None), 8_000) is None
True
"""

from __future__ import annotations

from typing import Any

Versions = tuple[tuple[int, Any], ...]
"""``(valid_from_ms, value)`` pairs in ascending time; ``value`` ``None`` is a deletion."""

KEEP_VERSIONS = 8
"""Versions kept per key: enough for records a few changes late, bounded however often a
key changes. A record older than every kept version sees the oldest kept one."""


def as_of(versions: Versions, at_ms: int) -> Any | None:
    """The value in force at ``at_ms``: the newest version not after it, else the first."""
    if not versions:
        return None
    chosen = versions[0][1]
    for valid_from, value in versions:
        if valid_from > at_ms:
            break
        chosen = value
    return chosen


def with_version(versions: Versions, at_ms: int, value: Any | None, keep: int = KEEP_VERSIONS) -> Versions:
    """``versions`` with ``value`` in force from ``at_ms`` (replacing a version of the same
    time: the later one read wins), keeping the newest ``keep``.

    >>> with_version(((1, "a"), (3, "c")), 2, "b")
    ((1, 'a'), (2, 'b'), (3, 'c'))
    >>> with_version(((1, "a"),), 1, "z")
    ((1, 'z'),)
    """
    if not versions or versions[-1][0] < at_ms:
        # The common case, a version newer than every one kept: nothing to replace or sort
        # (``versions`` is ascending), so the same tuple as below without the list and sort.
        appended = (*versions, (at_ms, value))
        return appended if len(appended) <= keep else appended[-keep:]
    return _inserted(versions, at_ms, value, keep)


def _inserted(versions: Versions, at_ms: int, value: Any | None, keep: int) -> Versions:
    """:func:`with_version` for a version not newer than every one kept (a late record, a
    time already held): the kept ones without that time, the new one, sorted by time."""
    kept = [(t, v) for t, v in versions if t != at_ms]
    kept.append((at_ms, value))
    kept.sort(key=lambda version: version[0])
    return tuple(kept[-keep:])


def latest(versions: Versions) -> Any | None:
    """The newest version's value (what a reader that is not tied to a time wants)."""
    return versions[-1][1] if versions else None
