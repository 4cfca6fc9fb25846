"""The cuewire checkout the tools read their data from and write their results to.

cuewire-dev is installed editable from a checkout (``make install``): the
evaluations read ``tests/data`` and write ``bench/results``, and the word-vector
build writes ``config/corpus``, all of which only a checkout has.
"""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
"""The repository root: this file is ``dev/cuewire_dev/checkout.py``."""
