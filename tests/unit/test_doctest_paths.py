"""Docstring examples run in every package: pytest's testpaths name each one the wheel ships."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = ROOT / "pyproject.toml"
DISTRIBUTIONS = {"": PYPROJECT, "dev/": ROOT / "dev" / "pyproject.toml"}
"""Where each distribution's packages live, relative to the checkout: cuewire, and cuewire-dev."""


def test_every_shipped_package_is_collected_for_doctests() -> None:
    config = tomllib.loads(PYPROJECT.read_text())
    packages = {prefix + name for prefix, path in DISTRIBUTIONS.items() if path.exists()
                for name in tomllib.loads(path.read_text())["tool"]["setuptools"]["packages"]}
    pytest_options = config["tool"]["pytest"]["ini_options"]
    assert "--doctest-modules" in pytest_options["addopts"].split()
    missing = sorted(packages - set(pytest_options["testpaths"]))
    assert not missing, f"add {', '.join(missing)} to [tool.pytest.ini_options] testpaths"
