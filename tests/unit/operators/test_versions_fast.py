"""``with_version``'s shortcut for a version newer than every kept one gives what the
general insertion gives, on any ascending history, and late or repeated times still insert."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from operators.versions import KEEP_VERSIONS, Versions, _inserted, with_version


def reference(versions: Versions, at_ms: int, value: Any, keep: int = KEEP_VERSIONS) -> Versions:
    """The general path as it stood before the shortcut: filter, append, sort, keep."""
    kept = [(t, v) for t, v in versions if t != at_ms]
    kept.append((at_ms, value))
    kept.sort(key=lambda version: version[0])
    return tuple(kept[-keep:])


def _time(version: tuple[int, Any]) -> int:
    return version[0]


values = st.one_of(st.none(), st.text(max_size=4), st.dictionaries(st.text(max_size=2), st.integers()))
histories = st.lists(st.tuples(st.integers(-50, 50), values), max_size=12,
                     unique_by=lambda version: version[0]).map(lambda vs: tuple(sorted(vs, key=_time)))


@given(histories, st.integers(-60, 60), values, st.integers(-2, 10))
def test_with_version_is_the_general_insertion(versions: Versions, at_ms: int, value: Any, keep: int) -> None:
    assert with_version(versions, at_ms, value, keep) == reference(versions, at_ms, value, keep)
    assert _inserted(versions, at_ms, value, keep) == reference(versions, at_ms, value, keep)


@given(histories, values)
def test_a_newer_version_is_appended(versions: Versions, value: Any) -> None:
    newest = (versions[-1][0] + 1) if versions else 0
    out = with_version(versions, newest, value)
    assert out[-1] == (newest, value)
    assert out[:-1] == versions[-(KEEP_VERSIONS - 1):]


def test_late_and_repeated_times_insert_in_order() -> None:
    v = ((1, "a"), (3, "c"), (5, "e"))
    assert with_version(v, 2, "b") == ((1, "a"), (2, "b"), (3, "c"), (5, "e"))
    assert with_version(v, 5, "z") == ((1, "a"), (3, "c"), (5, "z"))
    assert with_version(v, 0, "y", keep=2) == ((3, "c"), (5, "e"))


def test_history_stays_bounded() -> None:
    v: Versions = ()
    for t in range(20):
        v = with_version(v, t, t)
    assert v == tuple((t, t) for t in range(20 - KEEP_VERSIONS, 20))
