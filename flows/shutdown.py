"""Stopping ``cuewire run`` on SIGTERM or SIGINT without losing or repeating anything.

The handler only sets :data:`STOP`. The flow's inputs (the Kafka partitions and
the timer tick) see it on their next poll and end, as a bounded run's do at the
end of their topics: Bytewax closes the epoch in progress, the order-by-log step
hands on what it held, the sinks flush and confirm, the recovery store takes its
snapshot, and ``cli_main`` returns. A second signal ends the process at once;
the ledger's outbox settles what was in flight at the next start.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from types import FrameType
from typing import NoReturn

STOP = threading.Event()
"""Set once a stop was asked for; the inputs end at their next poll."""
_received: list[str] = []


def _asked(signum: int, _frame: FrameType | None) -> None:
    name = signal.Signals(signum).name
    if STOP.is_set():
        sys.stderr.write(f"cuewire: {name} again: stopping now, without flushing; "
                         "the next start settles what was in flight\n")
        sys.stderr.flush()
        os._exit(130 if signum == signal.SIGINT else 143)
    _received.append(name)
    sys.stderr.write(f"cuewire: {name}: finishing the current epoch, then stopping\n")
    sys.stderr.flush()
    STOP.set()


def install() -> None:
    """Take SIGTERM and SIGINT over from Python's defaults (main thread only)."""
    STOP.clear()
    _received.clear()
    signal.signal(signal.SIGTERM, _asked)
    signal.signal(signal.SIGINT, _asked)


def stopped_by() -> str | None:
    """The signal that stopped the run, if one did."""
    return _received[0] if _received else None


def stop_now(error: Exception) -> NoReturn:
    """End the process at once with one line: a dependency the flow cannot work without is
    gone for longer than it waits (raised inside a Bytewax step, it would be a Rust panic).
    What was claimed and not confirmed waits in the ledger's outbox for the next start."""
    sys.stderr.write(f"cuewire: dependency down: {error}\n")
    sys.stderr.flush()
    os._exit(1)
