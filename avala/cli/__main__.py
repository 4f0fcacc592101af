"""``python -m avala.cli``: the same as the ``avala`` command."""

from . import main

main()
