"""The ticket model trains and scores with networking blocked: nothing comes from a model hub."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

PROGRAM = textwrap.dedent("""
    import socket

    def blocked(*args, **kwargs):
        raise OSError("networking is blocked in this test")

    socket.socket.connect = blocked
    socket.socket.connect_ex = blocked
    socket.create_connection = blocked
    socket.getaddrinfo = blocked

    from config.taxonomy import load_taxonomy
    from state.model_cache import startup_scorer

    scorer = startup_scorer(load_taxonomy())
    s = scorer.score("Die Synchronisation mit HubSpot ist seit gestern kaputt, bitte dringend prüfen")
    assert s.evidence is not None and s.evidence.nearest, s
    try:
        socket.create_connection(("pypi.org", 443))
    except OSError as exc:
        assert "blocked" in str(exc)
    else:
        raise AssertionError("the block did not hold")
    print("scored offline", s.topic)
""")


def test_the_model_trains_and_scores_with_networking_blocked(tmp_path: Path) -> None:
    # A fresh cache directory: the model is trained here, not loaded from an earlier run.
    env = {"PATH": "/usr/bin:/bin", "CUEWIRE_CACHE": str(tmp_path), "HOME": str(tmp_path),
           "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", PROGRAM], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "scored offline" in done.stdout
    assert list((tmp_path / "ticket-model").glob("*.npz")), "the trained model was cached"
