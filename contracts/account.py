"""CRM account snapshots from ``cuewire.accounts`` (compacted; a null value deletes)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator


class Owner(BaseModel):
    """The customer-success owner an alert is staged for."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    name: str | None = None
    email: str | None = None
    slack: str | None = None
    timezone: str | None = None


class AccountSnapshot(BaseModel):
    """Only ``account_id`` is required; everything else is whatever the CRM knows."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    account_id: str = Field(min_length=1, max_length=200)
    name: str | None = None
    domains: list[str] = Field(default_factory=list)
    mrr: float | None = Field(default=None, ge=0)
    currency: str | None = None
    plan: str | None = None
    segment: str | None = None
    renewal_date: date | None = None
    health_score: float | None = None
    cs_owner: Owner | None = None
    contacts: list[str] = Field(default_factory=list)
    zendesk_organization_id: str | None = None
    consent: dict[str, bool] = Field(default_factory=dict)
    updated_at: datetime | None = None

    @field_validator("account_id", "zendesk_organization_id", mode="before")
    @classmethod
    def _ids_as_text(cls, value: object) -> object:
        # CRMs export numeric ids as JSON numbers; ids are compared as text.
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value

    @field_validator("domains", "contacts")
    @classmethod
    def _lower(cls, values: list[str]) -> list[str]:
        return [v.strip().lower() for v in values if v and v.strip()]
