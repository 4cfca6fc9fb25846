"""A broker whose log directory cannot be formatted says why, in one error, after two tries."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from cuewire_dev.servers import KafkaBroker, ServerError

pytestmark = [pytest.mark.integration,
              pytest.mark.skipif(shutil.which("java") is None, reason="needs a JVM")]


def test_a_failed_format_names_the_directory_and_what_the_tool_said(tmp_path: Path) -> None:
    broker = KafkaBroker(0, 0, tmp_path / "kafka")
    props = tmp_path / "server.properties"
    props.write_text("node.id=1\n")
    with pytest.raises(ServerError) as failed:
        broker._format(["java", "-cp", str(tmp_path / "no-jars")], props)
    message = str(failed.value)
    assert str(tmp_path / "kafka" / "logs") in message
    assert "StorageTool" in message and "exit 1" in message
