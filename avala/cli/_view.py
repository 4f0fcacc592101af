"""``avala view FILE``: not supported yet (see :mod:`avala.cli._unsupported`)."""

from __future__ import annotations

import click

from ._unsupported import unsupported


def make(name: str, path: str) -> click.Command:
    """The ``view`` command."""
    why = "serving a local MCAP file to the Mission Control viewer is not in this package yet"
    return unsupported(name, "view", why, "Open a local MCAP FILE in the Mission Control viewer.")
