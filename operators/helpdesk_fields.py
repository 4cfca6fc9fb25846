"""How a helpdesk's field values are read: validated against its model, cleaned, or dropped.

E-mails are stripped and lower-cased (and dropped when they hold no ``@``);
status and priority are lower-cased, ``""`` and ``"-"`` meaning none; a URL
without a scheme gains ``https://``. A body that fails its model is a
:class:`~contracts.errors.PoisonRecord` naming fields, never their content.

>>> lower(" OPEN "), lower("-"), email(" Dana@Acme.io "), email("nobody"), https("acme.zendesk.com/t/1")
('open', None, 'dana@acme.io', None, 'https://acme.zendesk.com/t/1')
"""

from __future__ import annotations

import re
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from contracts.errors import PoisonRecord
from contracts.wire_types import validation_summary

_NO_VALUE = frozenset({"", "-"})
_NAME = re.compile(r"[A-Za-z0-9_.:-]+")

M = TypeVar("M", bound=BaseModel)


def validate(model: type[M], body: dict[str, Any], what: str) -> M:
    try:
        return model.model_validate(body)
    except ValidationError as exc:
        raise PoisonRecord(f"{what} invalid: {validation_summary(exc)}") from None


def safe_name(name: str) -> str:
    # An event type is an identifier; anything else in that field is not echoed.
    if len(name) <= 80 and _NAME.fullmatch(name):
        return repr(name)
    return "(not shown: not an identifier)"


def lower(value: str | None) -> str | None:
    if value is None:
        return None
    text = value.strip().lower()
    return None if text in _NO_VALUE else text


def text_or_none(value: str | None) -> str | None:
    if value is None:
        return None
    return value.strip() or None


def email(value: str | None) -> str | None:
    if not value:
        return None
    email = value.strip().lower()
    return email if "@" in email else None


def https(url: str | None) -> str | None:
    url = text_or_none(url)
    if url is None or "://" in url:
        return url
    return f"https://{url}"
