"""The dead-letter record: where a bad record came from, its bytes, and what was wrong.

Its shape is CONTRACTS.md's (``topic``, ``partition``, ``offset``, ``key``, ``value``,
``error``, ``at``) plus ``value_encoding`` and ``step``, and, for a record too big
to carry whole, ``value_truncated``, ``value_size`` and ``value_sha256``.
"""

from __future__ import annotations

import base64
import hashlib
from datetime import datetime
from typing import Any

from operators.records import Coordinates, iso

DEAD_LETTER_VALUE_LIMIT = 65_536
"""Bytes of a bad record's value (and key) a dead letter carries: a 1.6 MB record the broker
took must not make a dead letter the producer refuses (``message.max.bytes`` is 2 MiB)."""
DEAD_LETTER_KEY_LIMIT = 1024


def render_dead_letter(
    coords: Coordinates, value: bytes | None, error: str, at: datetime, step: str,
    limit: int = DEAD_LETTER_VALUE_LIMIT,
) -> dict[str, Any]:
    """The dead-letter record: original bytes as text when they are UTF-8, else base64.

    A value longer than ``limit`` bytes (a key longer than ``DEAD_LETTER_KEY_LIMIT``)
    is cut to that many, and the record says so: ``value_truncated``, the original
    ``value_size`` and its ``value_sha256`` (``key_size``, ``key_sha256`` likewise), so
    the original can still be found and matched on the input topic.
    """
    text, encoding, value_cut = _bytes_as_text(value, limit)
    key, _, key_cut = _bytes_as_text(coords.key, DEAD_LETTER_KEY_LIMIT)
    dead: dict[str, Any] = {
        "topic": coords.topic,
        "partition": coords.partition,
        "offset": coords.offset,
        "key": key,
        "value": text,
        "value_encoding": encoding,
        "error": error,
        "step": step,
        "at": iso(at),
    }
    if value is not None and value_cut:
        dead |= {"value_truncated": True, "value_size": len(value),
                 "value_sha256": hashlib.sha256(value).hexdigest()}
    if coords.key is not None and key_cut:
        dead |= {"key_size": len(coords.key), "key_sha256": hashlib.sha256(coords.key).hexdigest()}
    return dead


def _bytes_as_text(raw: bytes | None, limit: int) -> tuple[str | None, str, bool]:
    """``raw`` (its first ``limit`` bytes) as UTF-8 text, else base64; and whether it was cut."""
    if raw is None:
        return None, "utf-8", False
    cut = len(raw) > limit
    # A cut may split the last character: step back over at most three of its bytes.
    for back in range(4 if cut else 1):
        try:
            return raw[: limit - back].decode("utf-8"), "utf-8", cut
        except UnicodeDecodeError:
            continue
    return base64.b64encode(raw[:limit]).decode("ascii"), "base64", cut
