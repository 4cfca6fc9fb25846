"""A recovery store written by a flow of another shape is refused, not half resumed.

Bytewax keys recovery data by step id. A store from before the flow's steps were
nested in stages (``cuewire.order-by-log`` where the step is now
``cuewire.accounts.order-by-log``) would resume the inputs' offsets (``kafka-in``
kept its id) while dropping the records the old steps held: records waiting in
``order-by-log`` or for a link in ``resolve-accounts`` would be lost. So a store
holding state of a step the flow no longer has stops the run before it starts;
but a shadow branch's (``flows/stages/shadow.py``) may come and go: its state is
in Redis under its own keys, and a run without a candidate simply has no use for it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path

from bytewax.dataflow import Dataflow, Operator

from contracts.errors import ConfigurationError
from flows.stages.shadow import is_shadow_step

SHOWN = 3


def step_ids(flow: Dataflow) -> set[str]:
    """Every step id in the flow, composite operators opened up."""
    found: set[str] = set()

    def walk(steps: Sequence[Operator]) -> None:
        for step in steps:
            found.add(step.step_id)
            walk(step.substeps)

    walk(flow.substeps)
    return found


def stranded_steps(recovery_dir: Path, flow: Dataflow) -> list[str]:
    """The step ids the store keeps state for that ``flow`` does not have."""
    kept: set[str] = set()
    for part in sorted(recovery_dir.glob("*.sqlite3")):
        with sqlite3.connect(f"file:{part}?mode=ro", uri=True) as db:
            kept.update(row[0] for row in db.execute("SELECT DISTINCT step_id FROM snaps"))
    return sorted(s for s in kept - step_ids(flow) if not is_shadow_step(s, flow.flow_id))


def check_recovery_store(recovery_dir: Path, flow: Dataflow) -> None:
    """Refuse, in one line, a store whose state belongs to steps this flow no longer has."""
    stranded = stranded_steps(recovery_dir, flow)
    if not stranded:
        return
    more = len(stranded) - SHOWN
    shown = ", ".join(stranded[:SHOWN]) + (f" and {more} more" if more > 0 else "")
    raise ConfigurationError(
        f"the recovery store in {recovery_dir} holds state of steps this version does not have "
        f"({shown}): it was written before an upgrade; move it aside and start with an empty "
        "--recovery-dir (README, \"Upgrading to the staged flow\")"
    )
