"""Reviewers' decisions on alerts, from ``cuewire.feedback``."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Decision = Literal["approved", "sent", "dismissed", "converted", "churned"]


class FeedbackRecord(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    alert_id: str = Field(min_length=1)
    decision: Decision
    labels: dict[str, Any] = Field(default_factory=dict)
    by: str | None = None
    at: datetime | None = None
