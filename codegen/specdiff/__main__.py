"""``python -m codegen.specdiff``: the same as ``python -m codegen diff``."""

import sys

from .cli import main

sys.exit(main())
