"""Two records of one ticket a day apart, read in one batch: each is evaluated as of its own time.

A ticket's signals share the ticket's id as their key. The pattern step evaluates
each trigger once per batch; taking the second record of a ticket for the first
made an open alert's update depend on the order a set came out in, so it differed
between processes (``PYTHONHASHSEED``): between a replay and a live run, or two
replicas. Each seed runs the same replay in a process of its own.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from tests.replay_world import account, ticket

pytestmark = pytest.mark.e2e

EXPORT = "How can we export all our data, including attachments? We need a full copy of everything."
RUN = """
import sys, orjson
from pathlib import Path
from config.settings import Settings
from cuewire.app import replay, json_lines_writer
lines = []
replay(Settings(), Path(sys.argv[1]), json_lines_writer({"alerts"}, lines.append))
print(orjson.dumps([orjson.loads(x)["data"] for x in lines]).decode())
"""


def test_a_second_record_of_the_same_ticket_updates_the_open_alert_in_every_process(
        tmp_path: Path) -> None:
    # Day 1 opens cancellation-intent (a full export within a day); day 2 at +28 h is
    # outside that day but inside the 48-hour cooldown: the open alert's update.
    history = tmp_path / "history.jsonl"
    lines = [account("acct_same", mrr=5000), ticket("acct_same", 1, 1, 8, EXPORT),
             ticket("acct_same", 1, 2, 12, "Could you confirm the export includes archived projects?")]
    history.write_bytes(b"\n".join(orjson.dumps(line) for line in lines))
    root = Path(__file__).resolve().parents[2]
    seen = {}
    for seed in range(6):
        done = subprocess.run([sys.executable, "-c", RUN, str(history)], cwd=root, check=True,
                              capture_output=True, env={**os.environ, "PYTHONHASHSEED": str(seed)},
                              timeout=300)
        alerts = [a for a in orjson.loads(done.stdout.splitlines()[-1])
                  if a["rule"] == "cancellation-intent"]
        seen[seed] = [(a["evidence"][-1]["at"], a.get("change")) for a in alerts]
    assert set(map(tuple, seen.values())) == {(("2026-11-03T08:00:00Z", None),
                                               ("2026-11-04T12:00:00Z", "new_evidence"))}, seen
