"""Reviewers' decisions on alerts, from ``cuewire.feedback``.

CONTRACTS.md, "In: feedback": ``alert_id``, ``decision`` and ``at`` are what a
producer must send; everything else is optional. ``reason`` goes with
``dismissed``, ``until`` with ``snoozed`` (the rule stays quiet for that account
until then); ``converted``, ``churned`` and ``saved`` are outcomes recorded later.
``account_id`` and ``rule`` let the flow honour a snooze without having seen the
alert (the review console always sends them); ``message`` is the text a
reviewer marked as sent.

>>> FeedbackRecord.model_validate({"alert_id": "a1", "decision": "snoozed",
...     "until": "2026-12-15T00:00:00Z"}).until.isoformat()
'2026-12-15T00:00:00+00:00'
>>> from pydantic import ValidationError
>>> try:
...     FeedbackRecord.model_validate({"alert_id": "a1", "decision": "snoozed"})
... except ValidationError as exc:
...     print(exc.errors()[0]["msg"])
Value error, a snoozed decision needs `until`: the date the rule may speak again
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

Decision = Literal["approved", "sent", "dismissed", "snoozed", "converted", "churned", "saved"]
DismissReason = Literal["not_useful", "wrong_account", "already_handled", "false_signal"]
DECISIONS: tuple[str, ...] = ("approved", "sent", "dismissed", "snoozed")
"""A reviewer's verdict on a staged alert; the first one on the topic is the alert's."""
OUTCOMES: tuple[str, ...] = ("converted", "churned", "saved")
"""What happened to the account later; recorded after a verdict."""


class FeedbackRecord(BaseModel):
    # The published JSON Schema says what the validator below says: a snooze has an end.
    model_config = ConfigDict(extra="ignore", frozen=True, json_schema_extra={
        "if": {"properties": {"decision": {"const": "snoozed"}}, "required": ["decision"]},
        "then": {"required": ["until"]}})

    alert_id: str = Field(min_length=1)
    decision: Decision
    reason: DismissReason | None = None
    until: AwareDatetime | None = None
    labels: dict[str, Any] = Field(default_factory=dict)
    by: str | None = None
    at: datetime | None = None
    account_id: str | None = None
    rule: str | None = None
    message: str | None = None

    @model_validator(mode="after")
    def _snooze_has_until(self) -> FeedbackRecord:
        if self.decision == "snoozed" and self.until is None:
            raise ValueError("a snoozed decision needs `until`: the date the rule may speak again")
        return self
