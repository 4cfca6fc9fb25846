"""Every registered operator leaves its input as it found it and gives the same output for
the same input (river's conformance habit: one suite every estimator must pass)."""

from __future__ import annotations

import copy
import pkgutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import operators
from contracts.errors import PoisonRecord
from tests.conformance.registry import EXEMPT, OPERATORS, Operator

CHECK = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _call(op: Operator, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    try:
        return ("value", op.call(*args, **kwargs))
    except (ValueError, KeyError, PoisonRecord) as exc:  # a refusal is an output too: it must be the same one
        return ("raised", type(exc).__name__, str(exc))


@pytest.mark.parametrize("op", OPERATORS, ids=str)
@CHECK
@given(data=st.data())
def test_input_is_not_mutated(op: Operator, data: st.DataObject) -> None:
    args, kwargs = data.draw(op.args, "args"), data.draw(op.kwargs, "kwargs")
    before = copy.deepcopy((args, kwargs))
    _call(op, args, kwargs)
    assert (args, kwargs) == before


@pytest.mark.parametrize("op", OPERATORS, ids=str)
@CHECK
@given(data=st.data())
def test_same_input_same_output(op: Operator, data: st.DataObject) -> None:
    args, kwargs = data.draw(op.args, "args"), data.draw(op.kwargs, "kwargs")
    first = _call(op, *copy.deepcopy((args, kwargs)))
    second = _call(op, *copy.deepcopy((args, kwargs)))
    assert repr(first) == repr(second)
    assert first == second


def test_every_operator_module_is_registered_or_exempt() -> None:
    modules = {m.name for m in pkgutil.iter_modules([str(Path(operators.__file__).parent)])}
    registered = {op.call.__module__.rsplit(".", 1)[-1] for op in OPERATORS if op.call.__module__}
    registered |= {name.split(".", 1)[0] for op in OPERATORS for name in op.name.replace(" / ", " ").split()
                   if "." in name}
    missing = sorted(modules - registered - set(EXEMPT))
    assert not missing, (f"operators/{missing[0]}.py has no entry in tests/conformance/registry.py: add its "
                         "pure functions to OPERATORS, or say in EXEMPT why it cannot take part")
    assert not set(EXEMPT) - modules, f"EXEMPT names modules that are gone: {sorted(set(EXEMPT) - modules)}"
