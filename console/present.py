"""How the console shows things: highlighted evidence, ages, percentages. Pure."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime


def highlight(text: str | None, phrases: Sequence[str]) -> list[tuple[str, bool]]:
    """The text cut into (segment, is-a-phrase) pieces; phrases match case-insensitively,
    longest first, on word boundaries.

    >>> highlight("Charged TWICE, no refund", ["charged twice", "refund"])
    [('Charged TWICE', True), (', no ', False), ('refund', True)]
    """
    if not text:
        return []
    words = sorted({p for p in phrases if p and p.strip()}, key=len, reverse=True)
    if not words:
        return [(text, False)]
    pattern = re.compile(r"(?<!\w)(" + "|".join(re.escape(w) for w in words) + r")(?!\w)", re.IGNORECASE)
    pieces: list[tuple[str, bool]] = []
    last = 0
    for m in pattern.finditer(text):
        if m.start() > last:
            pieces.append((text[last:m.start()], False))
        pieces.append((m.group(0), True))
        last = m.end()
    if last < len(text):
        pieces.append((text[last:], False))
    return pieces


def parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        at = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def age(value: str | None, now: datetime) -> str:
    """``3 h ago``, ``2 d ago``: what a person scans a queue by.

    >>> age("2026-11-20T10:00:00Z", datetime(2026, 11, 22, 11, 0, tzinfo=UTC))
    '2 d ago'
    """
    at = parse_time(value)
    if at is None:
        return "—"
    seconds = max(0, int((now - at).total_seconds()))
    for size, unit in ((86_400, "d"), (3_600, "h"), (60, "min")):
        if seconds >= size:
            return f"{seconds // size} {unit} ago"
    return "just now"


def when(value: str | None) -> str:
    """``27 Nov 2026 08:51 UTC``: a time as a person reads it.

    >>> when("2026-11-27T08:51:05.123Z"), when(None)
    ('27 Nov 2026 08:51 UTC', '—')
    """
    at = parse_time(value)
    return "—" if at is None else at.astimezone(UTC).strftime("%-d %b %Y %H:%M UTC")


def number(value: float | None) -> str:
    """A figure without a trailing ``.0``.

    >>> number(52.0), number(52.5), number(None)
    ('52', '52.5', '—')
    """
    if value is None:
        return "—"
    return f"{value:g}"


def percent(value: float | None) -> str:
    """A share as a whole percentage.

    >>> percent(2 / 3), percent(None)
    ('67 %', '—')
    """
    return "—" if value is None else f"{round(value * 100)} %"


def money(value: float | None) -> str:
    return "—" if value is None else f"{value:,.0f}"
