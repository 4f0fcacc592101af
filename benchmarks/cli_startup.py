"""Start-up of the ``avala`` command line against ``python -c "import httpx"``: whole processes, paired.

For each of ``avala --help`` and ``avala datasets list --help`` (the entry point of ``.venv``), runs the command and
the yardstick alternately, ``--runs`` times each after one warm-up, timing each whole process (start-up included)
with ``time.perf_counter``; prints the median wall time of each and the median of the per-pair ratios with its
interquartile range. The goal is a ratio of at most 1.5. Run it alone: ``.venv/bin/python benchmarks/cli_startup.py``.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
COMMANDS = (["--help"], ["datasets", "list", "--help"])


def timed(argv: list[str]) -> float:
    """Wall seconds of one whole process."""
    started = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def quartiles(values: list[float]) -> tuple[float, float, float]:
    """The first quartile, the median and the third quartile."""
    q1, median, q3 = statistics.quantiles(values, n=4)
    return q1, median, q3


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="pairs per command (default 15)")
    options = parser.parse_args()
    avala = BIN / "avala"
    if not avala.exists():
        print(f"no {avala}: run `make install` first", file=sys.stderr)
        return 1
    yardstick = [sys.executable, "-c", "import httpx"]
    worst = 0.0
    for args in COMMANDS:
        command = [str(avala), *args]
        timed(command), timed(yardstick)  # warm the file cache
        ours, theirs, ratios = [], [], []
        for _ in range(options.runs):
            a, b = timed(command), timed(yardstick)
            ours.append(a)
            theirs.append(b)
            ratios.append(a / b)
        q1, median, q3 = quartiles(ratios)
        worst = max(worst, median)
        print(
            f"avala {' '.join(args):<24} {statistics.median(ours) * 1000:6.1f} ms   import httpx "
            f"{statistics.median(theirs) * 1000:6.1f} ms   ratio {median:.2f} (IQR {q1:.2f}-{q3:.2f})"
        )
    print(f"goal: ratio <= 1.5: {'met' if worst <= 1.5 else 'NOT met'} (worst median {worst:.2f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
