"""The runtime wheel and image carry the flow and its commands, none of the development tooling.

The tooling (sample world, load test, evaluations, demo, local servers) is the
cuewire-dev distribution in dev/. These tests build the runtime wheel as a
release would (``pip wheel --no-deps .`` in a checkout) and read what is in it, and walk the
runtime dependencies' own metadata to check that docker/requirements.lock pins
only what they pull.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from collections.abc import Iterator
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

import pytest
import typer
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from typer.testing import CliRunner

from cuewire.dev_commands import DEV_COMMANDS, register_dev_commands

ROOT = Path(__file__).parents[2]
DEV = ROOT / "dev"
RUNTIME_PACKAGES = {"cuewire", "config", "contracts", "operators", "state", "flows", "console"}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Iterator[zipfile.ZipFile]:
    # From a copy of what a checkout holds: setuptools builds in the source tree, and a
    # build/ left there from an earlier build would leak into the wheel.
    source, out = tmp_path_factory.mktemp("source"), tmp_path_factory.mktemp("wheel")
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=ROOT, check=True, capture_output=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        if (ROOT / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, source / name)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(out), str(source)],
                   check=True, capture_output=True, timeout=600)
    (built,) = out.glob("cuewire-*.whl")
    with zipfile.ZipFile(built) as zf:
        yield zf


def tooling_modules() -> set[str]:
    """What cuewire-dev holds, by module or subpackage name."""
    package = DEV / "cuewire_dev"
    names = {p.stem for p in package.glob("*.py")} | {p.name for p in package.iterdir() if p.is_dir()}
    return names - {"__init__", "__main__", "__pycache__"}


def test_the_runtime_wheel_holds_the_runtime_packages_and_none_of_the_tooling(wheel: zipfile.ZipFile) -> None:
    paths = wheel.namelist()
    tops = {p.split("/", 1)[0] for p in paths if not p.split("/", 1)[0].endswith(".dist-info")}
    assert tops == RUNTIME_PACKAGES
    tooling = tooling_modules()
    assert {"sample", "loadtest", "servers", "demo", "evaluate"} <= tooling
    shipped = {re.sub(r"\.py$", "", p.split("/")[1]) for p in paths if p.startswith("cuewire/")}
    assert not shipped & tooling, f"tooling in the runtime package: {sorted(shipped & tooling)}"
    importing = [p for p in paths if p.endswith(".py")
                 and re.search(rb"^\s*(from|import) cuewire_dev\b", wheel.read(p), re.MULTILINE)]
    assert not importing, f"runtime modules import the tooling: {importing}"


def test_the_runtime_wheel_requires_nothing_of_the_tooling(wheel: zipfile.ZipFile) -> None:
    metadata = next(p for p in wheel.namelist() if p.endswith(".dist-info/METADATA"))
    required = [Requirement(line.split(":", 1)[1].strip())
                for line in wheel.read(metadata).decode().splitlines() if line.startswith("Requires-Dist:")]
    unconditional = {canonicalize_name(r.name) for r in required if r.marker is None}
    assert "cuewire-dev" not in {canonicalize_name(r.name) for r in required}
    assert unconditional, "the wheel's metadata lists no runtime dependencies"
    assert not unconditional & tooling_dependencies()


def tooling_dependencies() -> set[str]:
    """What cuewire-dev, the test tools and the tools extra declare."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    dev = tomllib.loads((DEV / "pyproject.toml").read_text())["project"]
    declared = [*dev["dependencies"], *(r for reqs in dev["optional-dependencies"].values() for r in reqs),
                *(r for extra in ("tools", "dev") for r in project["optional-dependencies"][extra])]
    return {canonicalize_name(Requirement(r).name) for r in declared} - {"cuewire"}


def runtime_closure() -> set[str]:
    """Every distribution the runtime dependencies pull, read from their installed metadata."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    todo = [Requirement(r) for r in project["dependencies"]]
    seen: set[str] = set()
    while todo:
        req = todo.pop()
        name = canonicalize_name(req.name)
        if name in seen or (req.marker is not None and not req.marker.evaluate({"extra": ""})):
            continue
        seen.add(name)
        try:
            requires = distribution(name).requires or []
        except PackageNotFoundError:
            continue
        todo += [Requirement(r) for r in requires]
    return seen


def test_the_image_lock_pins_only_what_the_runtime_dependencies_pull() -> None:
    lock = {canonicalize_name(ln.split("==")[0])
            for ln in (ROOT / "docker" / "requirements.lock").read_text().splitlines()
            if ln.strip() and not ln.startswith("#")}
    assert "cuewire-dev" not in lock
    assert {"matplotlib", "fakeredis", "pytest"} <= tooling_dependencies()
    assert not lock & tooling_dependencies(), f"tooling in the image: {sorted(lock & tooling_dependencies())}"
    closure = runtime_closure()
    assert lock <= closure, f"pinned but not a runtime dependency: {sorted(lock - closure)}"


def test_the_image_copies_no_tooling() -> None:
    copies = [ln.split()[1].rstrip("/") for ln in (ROOT / "docker" / "Dockerfile").read_text().splitlines()
              if ln.startswith("COPY") and "--from" not in ln]
    assert not [c for c in copies if c == "dev" or c.startswith("dev/")]
    ignore = (ROOT / ".dockerignore").read_text().splitlines()
    admitted = {ln.removeprefix("!").rstrip("/") for ln in ignore if ln.startswith("!")}
    assert "*" in ignore and not {p for p in admitted if p == "dev" or p.startswith("dev/")}


def test_without_cuewire_dev_its_commands_say_what_to_install() -> None:
    cli = typer.Typer()
    cli.command("run")(lambda: None)
    register_dev_commands(cli, {})
    for name in DEV_COMMANDS:
        result = CliRunner().invoke(cli, [name, "--rate", "10", "-d", "5s"])
        assert result.exit_code == 2
        assert f"cuewire {name}: development tooling" in result.stderr
        assert "pip install ./dev" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    listed = CliRunner().invoke(cli, ["--help"]).stdout
    assert not any(name in listed for name in DEV_COMMANDS)


def test_with_cuewire_dev_installed_the_cuewire_command_offers_its_commands() -> None:
    offered = distribution("cuewire-dev").entry_points.select(group="cuewire.commands").names
    assert offered >= set(DEV_COMMANDS)
    for name in DEV_COMMANDS:
        shown = subprocess.run([sys.executable, "-m", "cuewire", name, "--help"], cwd=ROOT,
                               capture_output=True, text=True, timeout=120)
        assert shown.returncode == 0, shown.stderr
        assert "development tooling" not in shown.stderr + shown.stdout


def test_a_dev_command_that_fails_to_load_says_so_and_leaves_the_others() -> None:
    cli = typer.Typer()
    cli.command("run")(lambda: typer.echo("ran"))
    register_dev_commands(cli, {"loadtest": ImportError("No module named 'matplotlib'")})
    result = CliRunner().invoke(cli, ["loadtest"])
    assert result.exit_code == 2 and "does not load (No module named 'matplotlib')" in result.stderr
    assert CliRunner().invoke(cli, ["run"]).stdout == "ran\n"
