"""The values a rules file is written in: durations, shares, names and priorities.

Durations are written ``90s``, ``30m``, ``24h``, ``7d`` or ``2w``; shares (holdouts,
variants) as ``10%`` or a fraction below 1. Every model of the file is strict:
an unknown key is an error, and a loaded rule is never changed.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d|w)\s*$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(value: Any) -> timedelta:
    """``"24h"`` → 24 hours.

    >>> parse_duration("7d")
    datetime.timedelta(days=7)
    >>> parse_duration("90s").total_seconds()
    90.0
    """
    if isinstance(value, timedelta):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return timedelta(seconds=float(value))
    match = _DURATION.match(str(value))
    if not match:
        raise ValueError(f"{value!r} is not a duration such as 90s, 30m, 24h, 7d or 2w")
    return timedelta(seconds=float(match.group(1)) * _UNITS[match.group(2)])


def parse_share(value: Any) -> float:
    """A holdout share: ``"10%"`` or a fraction such as ``0.1``; below 100 %.

    >>> parse_share("10%")
    0.1
    >>> parse_share(0.25)
    0.25
    """
    if isinstance(value, str) and value.strip().endswith("%"):
        try:
            share = float(value.strip()[:-1]) / 100
        except ValueError:
            raise ValueError(f"{value!r} is not a share such as 10% or 0.1") from None
    elif isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value < 1:
        share = float(value)
    else:
        raise ValueError(f"{value!r} is not a share such as 10% or 0.1 (a bare number must be below 1)")
    if not 0 <= share < 1:
        raise ValueError(f"{value!r}: a holdout must be at least 0% and below 100%")
    return share


Duration = Annotated[timedelta, BeforeValidator(parse_duration)]
Share = Annotated[float, BeforeValidator(parse_share)]
Name = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
Priority = Literal["critical", "high", "medium", "low"]


class Strict(BaseModel):
    """A rules-file model: unknown keys are errors, loaded values never change."""

    model_config = ConfigDict(extra="forbid", frozen=True)
