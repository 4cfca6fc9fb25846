"""What a bounded run's account shard holds until its input's end, packed into bytes.

``to-account-shards`` (``flows/table_join.py``) keeps every joined record of a
bounded run until the input ends. As objects a record costs about 1.2 kB (its
dataclasses, strings, datetimes and dicts each carry their own header); packed,
a few hundred bytes. :class:`HeldRecords` keeps the last records as they came
and packs them :data:`CHUNK` at a time into one pickle (protocol 5) of flat
tuples; at the end it rebuilds them, in the order they came.

The account tables a record was joined with (``Resolved.account``) are shared by
every record of that account: they are kept once, by reference, beside the
chunks, so a rebuilt record shares its account's dict as the original did.

The packed form is the step's recovery snapshot too: a snapshot pickles a list
of bytes instead of every record's objects.

>>> from datetime import UTC, datetime
>>> from operators.records import Coordinates, Ticket
>>> from operators.resolve import Resolved
>>> acme = {"account_id": "acct_1", "plan": "pro"}
>>> t = Ticket("r1", "generic:t1", "generic", "created", "Help", "It broke",
...            datetime(2026, 11, 20, tzinfo=UTC))
>>> held = HeldRecords()
>>> held.extend([Located(Resolved(t, "acct_1", acme, "explicit"),
...                      Coordinates("tickets", 0, 7, b"k", 5))] * 3)
>>> held.pack()
>>> len(held), len(held.chunks)
(3, 1)
>>> rebuilt = list(held.records())
>>> rebuilt == [rebuilt[0]] * 3, rebuilt[0].resolved.record == t, rebuilt[0].resolved.account is acme
(True, True, True)
"""

from __future__ import annotations

import copyreg
import io
import pickle
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, fields
from operator import attrgetter
from typing import Any

from flows.stages.items import Located, Outgoing
from operators.records import AccountUpdate, Coordinates, Event, Feedback, Rejected, Ticket
from operators.resolve import Resolved

CHUNK = 1024
"""Records packed into one pickle: enough that a pickle's own overhead (the class
names, the memo) is a few bytes per record, few enough that packing is no pause."""

NO_ACCOUNT = -1

Packed = tuple[Any, ...]
"""A record flattened: the record, account id, account slot, how, the coordinates' five
fields, the dead letter."""


def _by_fields(cls: type) -> Callable[[Any], tuple[type, tuple[Any, ...]]]:
    """Pickles a frozen dataclass as its constructor and its fields, in declaration order:
    C-speed attribute reads instead of the dataclass's own ``__getstate__``."""
    names = [f.name for f in fields(cls)]
    get = attrgetter(*names)

    def reduce(obj: Any) -> tuple[type, tuple[Any, ...]]:
        return cls, get(obj)

    return reduce


_DISPATCH: dict[type, Callable[[Any], tuple[type, tuple[Any, ...]]]] = {
    **copyreg.dispatch_table,  # type: ignore[dict-item]
    **{cls: _by_fields(cls) for cls in (Ticket, Event, AccountUpdate, Feedback, Rejected, Outgoing)},
}


@dataclass(slots=True)
class HeldRecords:
    """An account shard's held records, in the order they came (see the module's docstring)."""

    chunks: list[bytes] = field(default_factory=list)
    """Packed records, :data:`CHUNK` at a time (the last may hold fewer)."""
    accounts: list[dict[str, Any]] = field(default_factory=list)
    """The account dicts the records were joined with, each once; a packed record names its slot."""
    recent: list[Located] = field(default_factory=list)
    """The newest records, not packed yet."""
    count: int = 0
    _slots: dict[int, int] = field(default_factory=dict)
    """``id()`` of each dict in ``accounts`` → its slot (valid while ``accounts`` keeps it)."""

    def __len__(self) -> int:
        return self.count

    def __getstate__(self) -> tuple[list[bytes], list[dict[str, Any]], list[Located], int]:
        return self.chunks, self.accounts, self.recent, self.count

    def __setstate__(self, state: tuple[list[bytes], list[dict[str, Any]], list[Located], int]) -> None:
        self.chunks, self.accounts, self.recent, self.count = state
        self._slots = {id(a): slot for slot, a in enumerate(self.accounts)}

    def extend(self, records: Iterable[Located]) -> None:
        before = len(self.recent)
        self.recent += records
        self.count += len(self.recent) - before
        if len(self.recent) >= CHUNK:
            self.pack()

    def pack(self) -> None:
        """Packs the records not packed yet."""
        if not self.recent:
            return
        buffer = io.BytesIO()
        pickler = pickle.Pickler(buffer, protocol=5)
        pickler.dispatch_table = _DISPATCH
        pickler.dump([self._flat(r) for r in self.recent])
        self.chunks.append(buffer.getvalue())
        self.recent = []

    def records(self) -> Iterator[Located]:
        """Every held record, rebuilt, in the order they came."""
        for chunk in self.chunks:
            yield from self._unpack(chunk)
        yield from self.recent

    def take(self) -> list[Located]:
        """Every held record, rebuilt, in the order they came; nothing is held after. Each
        chunk is let go once rebuilt."""
        chunks, recent = self.chunks, self.recent
        out: list[Located] = []
        self.chunks, self.recent, self.count = [], [], 0
        chunks.reverse()
        while chunks:
            out += self._unpack(chunks.pop())
        out += recent
        self.accounts, self._slots = [], {}
        return out

    def _unpack(self, chunk: bytes) -> list[Located]:
        accounts = self.accounts
        return [Located(Resolved(record, account_id, None if slot == NO_ACCOUNT else accounts[slot], how),
                        Coordinates(topic, partition, offset, key, at), failure)
                for record, account_id, slot, how, topic, partition, offset, key, at, failure
                in pickle.loads(chunk)]

    def copy(self) -> HeldRecords:
        """A copy that later records do not change (the chunks, being bytes, are shared)."""
        return HeldRecords(list(self.chunks), list(self.accounts), list(self.recent), self.count,
                           dict(self._slots))

    def _flat(self, r: Located) -> Packed:
        resolved, c = r.resolved, r.coords
        return (resolved.record, resolved.account_id, self._slot(resolved.account), resolved.how,
                c.topic, c.partition, c.offset, c.key, c.timestamp_ms, r.failure)

    def _slot(self, account: dict[str, Any] | None) -> int:
        if account is None:
            return NO_ACCOUNT
        slot = self._slots.get(id(account))
        if slot is None:
            slot = self._slots[id(account)] = len(self.accounts)
            self.accounts.append(account)
        return slot
