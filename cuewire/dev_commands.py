"""The development tooling's commands (``cuewire loadtest``, ``cuewire demo``): cuewire-dev adds
them through ``cuewire.commands`` entry points; without it they say what to install."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import typer

DEV_COMMANDS = ("loadtest", "demo")
"""Commands the cuewire-dev distribution (dev/) adds through ``cuewire.commands`` entry points."""


def register_dev_commands(cli: typer.Typer, found: Mapping[str, Callable[..., Any] | Exception]) -> None:
    """Add the development tooling's commands that are installed; the others answer with
    one line saying what to install (hidden from --help: the runtime image has none)."""
    for name in DEV_COMMANDS:
        command = found.get(name)
        if callable(command):
            cli.command(name)(command)
        else:
            cli.command(name, hidden=True, add_help_option=False, context_settings={
                "allow_extra_args": True, "ignore_unknown_options": True})(_unavailable(name, command))


def _unavailable(name: str, failure: Exception | None) -> Callable[[], None]:
    why = (f"installed but it does not load ({failure})" if failure else "not installed here: "
           "install cuewire-dev (pip install ./dev in a cuewire checkout, or make install)")

    def command() -> None:
        typer.secho(f"cuewire {name}: development tooling, {why}", fg=typer.colors.RED, err=True)
        raise typer.Exit(2)

    return command


def installed_dev_commands() -> dict[str, Callable[..., Any] | Exception]:
    """The installed ones; one that fails to import must not take the product's commands down."""
    from importlib.metadata import entry_points

    found: dict[str, Callable[..., Any] | Exception] = {}
    for ep in entry_points(group="cuewire.commands"):
        if ep.name in DEV_COMMANDS:
            try:
                found[ep.name] = ep.load()
            except Exception as exc:
                found[ep.name] = exc
    return found
