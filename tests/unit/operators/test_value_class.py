"""``@value_class`` (``operators/value_class.py``): the records made per input record pickle,
compare and hash as the frozen dataclasses they were, so a recovery snapshot reads either way."""

import base64
import pickle
from datetime import UTC, datetime

from flows.stages.items import Located, Outgoing
from operators.match import Timer
from operators.records import Coordinates, Event
from operators.resolve import Resolved
from operators.signals import Signal

AT = datetime(2026, 11, 20, 10, 15, tzinfo=UTC)

FROZEN = base64.b64decode(
    "gAWVIQIAAAAAAABdlCiMEmZsb3dzLnN0YWdlcy5pdGVtc5SMB0xvY2F0ZWSUk5QpgZRdlCiMEW9wZXJhdG9ycy5y"
    "ZXNvbHZllIwIUmVzb2x2ZWSUk5QpgZRdlCiMEW9wZXJhdG9ycy5yZWNvcmRzlIwFRXZlbnSUk5QpgZRdlCiMA20t"
    "MZSMBXRyYWNrlIwIZGF0ZXRpbWWUjAhkYXRldGltZZSTlEMKB+oLFAoPAAAAAJRoEowIdGltZXpvbmWUk5RoEowJ"
    "dGltZWRlbHRhlJOUSwBLAEsAh5RSlIWUUpSGlFKUjBNQcmljaW5nIFBhZ2UgVmlld2VklIwCdTGUTk5OfZR9lIwE"
    "cGxhbpSMA3Byb5RzZWKMB2FjY3RfNDKUfZRoJGglc4wIZXhwbGljaXSUZWJoC4wLQ29vcmRpbmF0ZXOUk5QpgZRd"
    "lCiMBmV2ZW50c5RLAEsHQwFrlEsFZWJOZWKMEW9wZXJhdG9ycy5zaWduYWxzlIwGU2lnbmFslJOUKYGUXZQoaCaM"
    "DnVwZ3JhZGVfaW50ZW50lGgQaB+MBWV2ZW50lGgQaBBOTk5OaCFOiE5lYowPb3BlcmF0b3JzLm1hdGNolIwFVGlt"
    "ZXKUk5QpgZRdlCiMDmNhcnQtYWJhbmRvbmVklGgfaDJlYmgBjAhPdXRnb2luZ5STlCmBlF2UKIwGYWxlcnRzlEMH"
    "YWNjdF80MpRDAnt9lIwCYTGUjAFylE5OZWJlLg=="
)
"""``pickle.dumps(_objects(), protocol=5)`` when these classes were
``@dataclass(frozen=True, slots=True)``."""


def _objects() -> list[object]:
    event = Event("m-1", "track", AT, name="Pricing Page Viewed", user_id="u1", properties={"plan": "pro"})
    signal = Signal("acct_42", "upgrade_intent", "m-1", AT, "event", "m-1", "m-1", person="u1")
    return [Located(Resolved(event, "acct_42", {"plan": "pro"}, "explicit"),
                    Coordinates("events", 0, 7, b"k", 5)),
            signal, Timer("cart-abandoned", AT, signal),
            Outgoing("alerts", b"acct_42", b"{}", alert_id="a1", rule="r")]


def test_pickles_are_the_frozen_classes_bytes() -> None:
    assert pickle.dumps(_objects(), protocol=5) == FROZEN
    assert pickle.loads(FROZEN) == _objects()


def test_hashes_are_the_fields_hash() -> None:
    signal = _objects()[1]
    assert isinstance(signal, Signal)
    assert hash(signal) == hash(Signal(*(getattr(signal, f) for f in Signal.__dataclass_fields__)))
    assert hash(Coordinates("events", 0, 7)) == hash(("events", 0, 7, None, None))
    assert len({Coordinates("events", 0, 7), Coordinates("events", 0, 7)}) == 1
