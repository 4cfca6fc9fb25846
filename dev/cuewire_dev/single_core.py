"""Keep numpy's BLAS to one thread, for measurements made per core.

Imported first by the evaluation tools, before anything imports numpy: BLAS reads its thread
count once, when it loads, and its idle threads otherwise spin on the second core and count
against the CPU time a ticket is said to cost. The runtime package sets that count
(``cuewire.BLAS_THREAD_VARIABLES``), so importing it is what holds the tools to one thread.
"""

from __future__ import annotations

import cuewire  # noqa: F401
