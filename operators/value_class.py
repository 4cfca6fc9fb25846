"""``@value_class``: a frozen dataclass to the type checker, a slotted plain one at run time.

A frozen dataclass sets each field through ``object.__setattr__`` when it is made:
a record of ten fields costs about four times what a plain slotted one does, and every
input record becomes several of them on its way through the flow (half a million on
``bench.stage_cpu``'s 38,000 lines). The classes made per record are declared with
this decorator instead: mypy treats them as ``@dataclass(frozen=True, slots=True)``
(an assignment to a field is an error, as before), and at run time they are
``@dataclass(slots=True, unsafe_hash=True)`` with the frozen class's pickled form.
So equality, hashing, ``repr``, ``dataclasses.replace`` and the bytes a recovery
snapshot holds are what the frozen class had; only the check of an assignment at
run time is gone, and the type check makes it.

>>> @value_class
... class Point:
...     x: int
...     y: int = 0
>>> import copy
>>> p = Point(1)
>>> p, p == Point(1, 0), hash(p) == hash(Point(1)), copy.deepcopy(p) == p
(Point(x=1, y=0), True, True, True)
>>> p.__reduce_ex__(2)[2]  # the state a frozen slotted dataclass pickles: its field values
[1, 0]
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any, TypeVar

T = TypeVar("T")


GetState = Callable[[Any], list[Any]]
SetState = Callable[[Any, list[Any]], None]


def _pickled_as_frozen(cls: type[Any]) -> tuple[GetState, SetState]:
    """``__getstate__`` and ``__setstate__`` that give ``cls`` the pickled form of a frozen
    slotted dataclass: the list of its field values. The field names are looked up once per
    class, not per pickle: every record that crosses between processes, or goes into a
    recovery snapshot, is pickled."""
    names = tuple(f.name for f in fields(cls))

    def __getstate__(self: Any) -> list[Any]:
        return [getattr(self, name) for name in names]

    def __setstate__(self: Any, state: list[Any]) -> None:
        for name, value in zip(names, state, strict=False):
            setattr(self, name, value)

    return __getstate__, __setstate__


if TYPE_CHECKING:
    from typing_extensions import dataclass_transform

    @dataclass_transform(frozen_default=True)
    def value_class(cls: type[T]) -> type[T]:
        """``@dataclass(frozen=True, slots=True)`` as the type checker sees it."""
else:
    def value_class(cls):
        made = dataclass(slots=True, unsafe_hash=True)(cls)
        # What dataclasses gives a frozen slotted class, so its pickles read either way.
        made.__getstate__, made.__setstate__ = _pickled_as_frozen(made)
        return made
