"""Docstring examples run in every package: pytest's testpaths name each one the wheel ships."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = ROOT / "pyproject.toml"
DISTRIBUTIONS = {"": PYPROJECT, "dev/": ROOT / "dev" / "pyproject.toml"}
"""Where each distribution's packages live, relative to the checkout: cuewire, and cuewire-dev."""


def top_packages(pyproject: Path) -> list[str]:
    """The top-level packages a distribution ships: listed, or found by ``include`` patterns."""
    packages = tomllib.loads(pyproject.read_text())["tool"]["setuptools"]["packages"]
    if isinstance(packages, list):
        return packages
    return [pattern.rstrip("*") for pattern in packages["find"]["include"] if "." not in pattern]


def test_every_shipped_package_is_collected_for_doctests() -> None:
    config = tomllib.loads(PYPROJECT.read_text())
    packages = {prefix + name for prefix, path in DISTRIBUTIONS.items() if path.exists()
                for name in top_packages(path)}
    pytest_options = config["tool"]["pytest"]["ini_options"]
    assert "--doctest-modules" in pytest_options["addopts"].split()
    missing = sorted(packages - set(pytest_options["testpaths"]))
    assert not missing, f"add {', '.join(missing)} to [tool.pytest.ini_options] testpaths"
