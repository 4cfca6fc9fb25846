"""What cuewire publishes: CloudEvents 1.0 structured-mode alerts, digest entries, dead letters."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Priority = Literal["critical", "high", "medium", "low"]


class EvidenceItem(BaseModel):
    model_config = ConfigDict(extra="allow")

    kind: Literal["ticket", "event"]
    id: str
    at: datetime
    text: str | None = None
    url: str | None = None
    phrases: list[str] = Field(default_factory=list)


class AlertOwner(BaseModel):
    name: str | None = None
    email: str | None = None


class AlertData(BaseModel):
    """The ``data`` of an alert CloudEvent, field for field as CONTRACTS.md lists it."""

    model_config = ConfigDict(extra="allow")

    alert_id: str
    account_id: str
    account_name: str | None = None
    signal: str
    rule: str
    priority: Priority
    score: int | None = None
    status: Literal["staged"] = "staged"
    owner: AlertOwner | None = None
    health_score: float | None = None
    mrr: float | None = None
    renewal_date: date | None = None
    summary: str
    risk_factors: list[str] = Field(default_factory=list)
    recommended_action: str
    suggested_message: str | None = None
    evidence: list[EvidenceItem]
    first_evidence_at: datetime
    detected_at: datetime
    thread_id: str | None = Field(
        None, description="the alert that opened this alert's thread: its own id for a new alert, "
                          "the open alert's for an io.cuewire.alert.updated")
    update_id: str | None = Field(
        None, description="io.cuewire.alert.updated only: this update's own id (the CloudEvent id); "
                          "alert_id stays the open alert's")
    change: Literal["escalated", "new_evidence"] | None = Field(
        None, description="io.cuewire.alert.updated only: escalated (a match of higher priority "
                          "raised the thread's priority) or new_evidence (more evidence, same priority)")
    previous_priority: Priority | None = Field(
        None, description="io.cuewire.alert.updated only: the thread's priority before this update")
    update_reason: str | None = Field(
        None, description="io.cuewire.alert.updated only: what happened, in words")


class CloudEvent(BaseModel):
    """CloudEvents 1.0, structured mode, JSON."""

    model_config = ConfigDict(extra="allow")

    specversion: Literal["1.0"] = "1.0"
    id: str
    source: str
    type: str
    subject: str | None = None
    time: datetime
    datacontenttype: Literal["application/json"] = "application/json"
    data: dict[str, Any]


class DeadLetter(BaseModel):
    """A record that could not be processed, with where it came from and why."""

    topic: str
    partition: int | None = None
    offset: int | None = None
    key: str | None = None
    value: str | None = None
    value_encoding: Literal["utf-8", "base64"] = "utf-8"
    error: str
    step: str | None = None
    at: datetime
    value_truncated: bool | None = Field(
        None, description="true when ``value`` holds only the record's first 64 KiB")
    value_size: int | None = Field(None, description="the original value's size in bytes, when cut")
    value_sha256: str | None = Field(None, description="the original value's SHA-256 (hex), when cut")
    key_size: int | None = Field(None, description="the original key's size in bytes, when cut")
    key_sha256: str | None = Field(None, description="the original key's SHA-256 (hex), when cut")
