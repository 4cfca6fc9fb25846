"""Segment-spec behaviour messages (CONTRACTS.md, "behaviour events").

One model per accepted call type — ``track``, ``page``, ``identify``,
``group`` — over the common fields of Segment's spec (``type``, ``messageId``,
``userId``, ``anonymousId``, ``context``, ``timestamp``, ``originalTimestamp``,
``sentAt``, ``receivedAt``). Attribute names are snake_case; the wire names
are Segment's camelCase (``messageId``), which is what validation reads.
Unknown fields (``integrations``, ``channel``, ``version``, vendor additions)
are ignored, ids may be JSON numbers or strings, and every message must name
a ``userId`` or an ``anonymousId``, as the spec requires.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, model_validator
from pydantic.alias_generators import to_camel

from contracts.wire_types import Id, OptionalId, UtcTime

SegmentCall = Literal["track", "page", "identify", "group"]


class _Segment(BaseModel):
    model_config = ConfigDict(
        extra="ignore", frozen=True, alias_generator=to_camel, populate_by_name=True
    )


class SegmentContext(_Segment):
    """The parts of ``context`` cuewire reads: the account and the user's traits."""

    group_id: OptionalId = None
    traits: dict[str, Any] | None = None


class SegmentMessage(_Segment):
    """Fields common to every Segment call."""

    type: SegmentCall
    message_id: OptionalId = None
    user_id: OptionalId = None
    anonymous_id: OptionalId = None
    # Only ``group`` calls define ``groupId``; some producers add it to the others.
    group_id: OptionalId = None
    timestamp: UtcTime | None = None
    original_timestamp: UtcTime | None = None
    sent_at: UtcTime | None = None
    received_at: UtcTime | None = None
    context: SegmentContext | None = None
    properties: dict[str, Any] | None = None
    traits: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _someone(self) -> SegmentMessage:
        if self.user_id is None and self.anonymous_id is None:
            raise ValueError("userId or anonymousId is required")
        return self


class SegmentTrack(SegmentMessage):
    type: Literal["track"]
    event: str


class SegmentPage(SegmentMessage):
    type: Literal["page"]
    name: str | None = None
    category: str | None = None


class SegmentIdentify(SegmentMessage):
    type: Literal["identify"]


class SegmentGroup(SegmentMessage):
    type: Literal["group"]
    group_id: Id  # required here, optional on the other calls


SEGMENT_MODELS: dict[str, type[SegmentMessage]] = {
    "track": SegmentTrack,
    "page": SegmentPage,
    "identify": SegmentIdentify,
    "group": SegmentGroup,
}
