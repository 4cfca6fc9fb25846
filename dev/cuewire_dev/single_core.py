"""Keep numpy's BLAS to one thread, for measurements made per core.

Imported first by the evaluation tools, before anything imports numpy: BLAS reads these
variables once, when it loads, and its idle threads otherwise spin on the second core and
count against the CPU time a ticket is said to cost.
"""

from __future__ import annotations

import os

for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")
