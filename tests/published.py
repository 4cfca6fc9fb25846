"""What every end-to-end test asserts of the records the flow publishes: each one
validates against the JSON Schema published for its topic (``contracts/schemas/``).

    assert_published("alerts", values)      # values: raw bytes or parsed JSON
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from typing import Any

import jsonschema
import orjson

from contracts.published import OUTPUT_TOPICS, load

CLOUDEVENTS_CONTENT_TYPE = b"application/cloudevents+json"


@functools.cache
def validator(kind: str) -> jsonschema.protocols.Validator:
    schema = load(OUTPUT_TOPICS[kind])
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)  # type: ignore[no-any-return]


def assert_published(kind: str, values: Iterable[bytes | dict[str, Any]]) -> None:
    """Fail, naming the record and the field, on the first record of ``kind``
    (``alerts``, ``digest`` or ``dlq``) that its published schema rejects."""
    check = validator(kind)
    for n, value in enumerate(values):
        record = orjson.loads(value) if isinstance(value, bytes) else value
        error = jsonschema.exceptions.best_match(check.iter_errors(record))
        if error is not None:
            where = "/".join(str(p) for p in error.absolute_path) or "(root)"
            raise AssertionError(f"{kind} record {n} breaks contracts/schemas/{OUTPUT_TOPICS[kind]}"
                                 f".schema.json at {where}: {error.message}")


def assert_cloudevents_headers(kind: str, headers: Sequence[tuple[str, bytes]] | None) -> None:
    """The CloudEvents Kafka binding, structured mode: alerts and digest entries say so."""
    if kind in ("alerts", "digest"):
        found = dict(headers or [])
        assert found.get("content-type") == CLOUDEVENTS_CONTENT_TYPE, f"{kind} headers: {headers}"


def text_fields(value: object) -> list[str]:
    """Every string inside a decoded record, however deeply nested: what must be plain text."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in text_fields(v)]
    if isinstance(value, list):
        return [s for v in value for s in text_fields(v)]
    return []
