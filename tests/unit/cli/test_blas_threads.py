"""The runtime holds numpy's BLAS to one thread unless the deployment says otherwise."""

from __future__ import annotations

import os
import subprocess
import sys

READ = ("import cuewire.cli, os; "
        "print(os.environ['OPENBLAS_NUM_THREADS'], os.environ['OMP_NUM_THREADS'])")


def _environ_without_blas_settings() -> dict[str, str]:
    return {k: v for k, v in os.environ.items()
            if k not in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")}


def test_importing_the_runtime_sets_one_blas_thread_before_numpy_loads() -> None:
    out = subprocess.run([sys.executable, "-c", READ], env=_environ_without_blas_settings(),
                         capture_output=True, text=True, check=True).stdout
    assert out.split() == ["1", "1"]


def test_a_deployments_own_thread_count_wins() -> None:
    env = {**_environ_without_blas_settings(), "OPENBLAS_NUM_THREADS": "2"}
    out = subprocess.run([sys.executable, "-c", READ], env=env,
                         capture_output=True, text=True, check=True).stdout
    assert out.split() == ["2", "1"]
