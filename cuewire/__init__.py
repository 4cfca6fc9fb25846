"""cuewire: support signals to customer-success alerts, in seconds."""

import os

# numpy's BLAS (OpenBLAS) starts a thread per core for the ticket model's matrix-vector
# products; on the small vectors of one ticket at a time the second thread mostly spins, and
# it takes the core the broker and Redis need (a replay spent a quarter more CPU for no
# gain in time). BLAS reads these once, when numpy loads, so they are set here, before
# anything in the process imports it; a deployment's own values win.
BLAS_THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
for _variable in BLAS_THREAD_VARIABLES:
    os.environ.setdefault(_variable, "1")

__version__ = "0.1.0"
