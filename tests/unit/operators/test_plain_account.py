"""The plain snapshot reader gives exactly the model's JSON dump (key order included) or
steps aside, on generated snapshots of good and odd values, and the decode of an odd one
still goes through the model with its words."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from contracts.account import AccountSnapshot
from contracts.errors import PoisonRecord
from operators.decode import decode_record
from operators.plain_account import plain_snapshot

odd = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 10**20),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=6),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=2), st.integers(), max_size=2),
)
texts = st.one_of(st.none(), st.text(max_size=8), odd)
ids = st.one_of(st.text(max_size=8), st.text(min_size=199, max_size=202), st.integers(-(2**63), 2**63), odd)
numbers = st.one_of(
    st.none(), st.integers(-3, 10**6), st.floats(-1.0, 1e9), st.just(-0.0), st.just("12.5"), odd
)
word_lists = st.one_of(
    st.lists(st.sampled_from(["Acme.IO", " a@B.io ", "", "  ", "x"]), max_size=4),
    st.lists(st.one_of(st.text(max_size=4), st.none(), st.integers()), max_size=3),
    odd,
)
dates = st.one_of(
    st.none(),
    st.dates().map(lambda d: d.isoformat()),
    st.sampled_from(
        [
            "2026-02-30",
            "2026-13-01",
            "0000-01-01",
            "2026-11-20T00:00:00",
            "20261120",
            "2026-11-20 ",
            "9999-12-31",
            "0001-01-01",
        ]
    ),
    odd,
)
times = st.one_of(
    st.none(),
    st.datetimes().map(lambda t: t.strftime("%Y-%m-%dT%H:%M:%SZ")),
    st.datetimes().map(lambda t: t.isoformat()),
    st.sampled_from(
        [
            "2026-11-20T10:15:00Z",
            "2026-11-20T24:00:00Z",
            "2026-11-20T10:15:60Z",
            "2026-11-20T10:15:00+02:00",
            "2026-11-20T10:15:00.5Z",
            "2026-11-20",
            "2026-11-20t10:15:00z",
            "0001-01-01T00:00:00Z",
        ]
    ),
    odd,
)
owners = st.one_of(
    st.none(),
    st.fixed_dictionaries({}, optional={k: texts for k in ("name", "email", "slack", "timezone", "x")}),
    odd,
)
consents = st.one_of(
    st.dictionaries(st.sampled_from(["email", "sms"]), st.booleans(), max_size=2),
    st.dictionaries(st.sampled_from(["email"]), odd, max_size=1),
    odd,
)
FIELDS: dict[str, st.SearchStrategy[Any]] = {
    "account_id": ids,
    "name": texts,
    "domains": word_lists,
    "mrr": numbers,
    "currency": texts,
    "plan": texts,
    "segment": texts,
    "renewal_date": dates,
    "health_score": numbers,
    "cs_owner": owners,
    "contacts": word_lists,
    "zendesk_organization_id": st.one_of(ids, st.none()),
    "consent": consents,
    "updated_at": times,
    "unknown_field": odd,
}
bodies = st.fixed_dictionaries({}, optional=FIELDS)


def by_model(body: dict[str, Any]) -> dict[str, Any] | None:
    try:
        return AccountSnapshot.model_validate(body).model_dump(mode="json")
    except ValidationError:
        return None


@settings(max_examples=1500)
@given(bodies)
def test_plain_is_the_model_or_steps_aside(body: dict[str, Any]) -> None:
    plain = plain_snapshot(body)
    if plain is not None:
        model = by_model(body)
        assert model is not None, "the plain reader accepted what the model refuses"
        assert list(plain.items()) == list(model.items())
        assert orjson.dumps(plain) == orjson.dumps(model)


def test_the_crm_shape_takes_the_plain_path() -> None:
    body = {
        "account_id": "acct_000000",
        "name": "Iron Bridge",
        "domains": ["ironbridge0.example"],
        "mrr": 2343,
        "currency": "USD",
        "plan": "business",
        "segment": "mid-market",
        "renewal_date": "2027-03-05",
        "health_score": 84,
        "cs_owner": {"name": "Riley Chen", "email": "riley@vendor.example"},
        "contacts": ["Maya.Brooks0@ironbridge0.example"],
        "zendesk_organization_id": "9000000000",
        "consent": {"email": True},
        "updated_at": "2026-12-02T14:42:40Z",
    }
    plain = plain_snapshot(body)
    assert plain is not None and list(plain.items()) == list(by_model(body).items())  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "body",
    [
        {"account_id": "a", "mrr": "12.5"},  # a numeric string: the model decides
        {"account_id": "a", "renewal_date": "2026-11-20T00:00:00"},
        {"account_id": "a", "updated_at": "2026-11-20T10:15:00+02:00"},
        {"account_id": "a", "consent": {"email": 1}},
        {"account_id": True},
        {"account_id": ""},
        {"account_id": "a", "mrr": -1},
        {"account_id": "a", "domains": None},
    ],
)
def test_unusual_snapshots_fall_back(body: dict[str, Any]) -> None:
    assert plain_snapshot(body) is None


@pytest.mark.parametrize(
    "body",
    [
        {"account_id": ""},
        {"account_id": "a", "mrr": -1},
        {"account_id": "a", "renewal_date": "2026-02-30"},
        {"name": "x"},
    ],
)
def test_refused_snapshots_keep_the_models_words(body: dict[str, Any]) -> None:
    with pytest.raises(ValidationError) as refused:
        AccountSnapshot.model_validate(body)
    with pytest.raises(PoisonRecord) as poison:
        decode_record("accounts", b"k", orjson.dumps(body))
    first = refused.value.errors(include_input=False)[0]
    assert str(poison.value).startswith(
        f"account snapshot invalid: {'.'.join(map(str, first['loc']))}: {first['msg']}"
    )


good_texts = st.one_of(st.none(), st.text(max_size=8))
GOOD: dict[str, st.SearchStrategy[Any]] = {
    "name": good_texts,
    "domains": st.lists(st.text(max_size=6), max_size=3),
    "mrr": st.one_of(st.none(), st.integers(0, 10**7), st.floats(0, 1e9)),
    "currency": good_texts,
    "plan": good_texts,
    "segment": good_texts,
    "renewal_date": st.one_of(st.none(), st.dates(date(1000, 1, 1)).map(date.isoformat)),
    "health_score": st.one_of(st.none(), st.integers(-100, 100), st.floats(-1e6, 1e6)),
    "cs_owner": st.one_of(
        st.none(), st.fixed_dictionaries({}, optional={"name": good_texts, "email": good_texts})
    ),
    "contacts": st.lists(st.text(max_size=6), max_size=3),
    "zendesk_organization_id": st.one_of(st.none(), st.text(max_size=6), st.integers(0, 10**12)),
    "consent": st.dictionaries(st.sampled_from(["email", "sms"]), st.booleans(), max_size=2),
    "updated_at": st.one_of(
        st.none(), st.datetimes(datetime(1000, 1, 1)).map(lambda t: t.strftime("%Y-%m-%dT%H:%M:%SZ"))
    ),
}


@settings(max_examples=500)
@given(
    st.one_of(st.text(min_size=1, max_size=200), st.integers(0, 2**62)),
    st.fixed_dictionaries({}, optional=GOOD),
)
def test_well_formed_snapshots_take_the_plain_path(account_id: Any, rest: dict[str, Any]) -> None:
    body = {"account_id": account_id, **rest}
    plain = plain_snapshot(body)
    assert plain is not None
    assert list(plain.items()) == list(by_model(body).items())  # type: ignore[union-attr]
