"""Published commands this package cannot run yet: they exist (so a script gets a clear message, not "No such
command"), take any arguments, and exit 1 saying what is missing."""

from __future__ import annotations

import click

_LOADER = "it needs the public dataset loader (avala.load), which this package does not have yet"
_LEROBOT = "it needs the LeRobot exporter and its libraries (the published package's lerobot extra)"


def unsupported(name: str, path: str, why: str, what: str) -> click.Command:
    """A command ``name`` (``avala <path>``) that exits 1 with ``not supported yet: <why>``."""

    def callback() -> None:
        raise click.ClickException(f"`avala {path}` is not supported yet: {why}")  # exit 1

    return click.Command(
        name,
        callback=callback,
        help=f"{what} Not supported yet: {why}.",
        short_help=f"(not supported yet) {what}",
        context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
    )


def make(name: str, path: str) -> click.Command:
    """``datasets resolve`` and the ``lerobot`` group."""
    if name == "resolve":
        return unsupported(name, "datasets resolve", _LOADER, "Resolve public dataset metadata to a reference.")
    group = click.Group(name, help="LeRobot datasets. Not supported yet.", short_help="(not supported yet) LeRobot.")
    group.add_command(unsupported("export", "lerobot export", _LEROBOT, "Convert a dataset to a LeRobot dataset."))
    return group
