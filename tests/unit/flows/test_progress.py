"""The operator's progress line while `cuewire run` works."""

from datetime import UTC, datetime, timedelta

from flows.progress import Progress
from flows.stages.items import Outgoing

T = datetime(2026, 11, 23, tzinfo=UTC)


def test_a_line_every_interval_with_what_went_out() -> None:
    lines: list[str] = []
    progress = Progress(every=timedelta(seconds=30), write=lines.append)
    alert, dead = Outgoing("alerts", b"a", b"{}"), Outgoing("dlq", None, b"{}")
    progress.count([alert, alert, dead], T)
    progress.count([alert], T + timedelta(seconds=10))
    assert lines == []
    progress.count([dead], T + timedelta(seconds=31))
    assert lines == ["cuewire: 3 alerts, 0 digest records, 2 dead letters in the last 31 s"]
    progress.report(T + timedelta(seconds=40))
    assert lines[-1] == "cuewire: 0 alerts, 0 digest records, 0 dead letters in the last 9 s"
