"""A byte-accurate progress bar on stderr (total, percent, rate, ETA), drawn only when stderr is a terminal.

Upload hooks call :meth:`Progress.advance` with the bytes just sent, from any thread; the bar is redrawn at most
ten times a second, on one line. On a pipe, or with ``TERM=dumb``, nothing is drawn at all.
"""

from __future__ import annotations

import os
import shutil
import sys
import threading
import time
from collections.abc import Callable
from typing import TextIO

_UNITS = ("B", "KiB", "MiB", "GiB", "TiB")


def human(size: float) -> str:
    """``1536`` -> ``1.5 KiB``."""
    for unit in _UNITS:
        if abs(size) < 1024 or unit == _UNITS[-1]:
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    raise AssertionError("unreachable")


def clock_text(seconds: float) -> str:
    """``75`` -> ``1:15``; ``3700`` -> ``1:01:40``."""
    seconds = int(seconds)
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


def drawable(stream: TextIO) -> bool:
    """Whether a bar may be drawn on ``stream``: a terminal that is not ``TERM=dumb``."""
    return stream.isatty() and os.environ.get("TERM", "") != "dumb"


class Progress:
    """Bytes done out of ``total``, as a bar."""

    def __init__(
        self,
        total: int,
        label: str = "",
        *,
        stream: TextIO | None = None,
        enabled: bool | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.total = max(int(total), 0)
        self.label = label
        self.stream = stream or sys.stderr
        self.enabled = drawable(self.stream) if enabled is None else enabled
        self.done = 0
        self._clock = clock
        self._started = clock()
        self._drawn_at = float("-inf")
        self._lock = threading.Lock()

    def advance(self, size: int) -> None:
        """Count ``size`` more bytes (negative when a retried transfer starts over)."""
        with self._lock:
            self.done = min(max(self.done + int(size), 0), self.total) if self.total else self.done + int(size)
            now = self._clock()
            if self.enabled and now - self._drawn_at >= 0.1:
                self._drawn_at = now
                self._draw(now)

    def line(self, now: float | None = None) -> str:
        """The bar's text: label, bar, percent, bytes, rate, ETA."""
        elapsed = max((self._clock() if now is None else now) - self._started, 1e-9)
        rate = self.done / elapsed
        fraction = self.done / self.total if self.total else 1.0
        if self.done >= self.total:
            eta = f"in {clock_text(elapsed)}"
        elif rate > 0:
            eta = f"ETA {clock_text((self.total - self.done) / rate)}"
        else:
            eta = "ETA -:--"
        width = 24
        filled = int(fraction * width)
        bar = "#" * filled + "-" * (width - filled)
        text = f"{self.label} [{bar}] {fraction * 100:5.1f}% {human(self.done)}/{human(self.total)} "
        return f"{text}{human(rate)}/s {eta}".strip()

    def _draw(self, now: float) -> None:
        columns = shutil.get_terminal_size((80, 24)).columns
        self.stream.write("\r" + self.line(now)[: columns - 1].ljust(columns - 1))
        self.stream.flush()

    def finish(self) -> None:
        """Count every byte as done (a finished upload whose earlier run had sent some files)."""
        with self._lock:
            self.done = max(self.done, self.total)

    def close(self) -> None:
        """Draw the final state and end the line."""
        with self._lock:
            if self.enabled:
                self._draw(self._clock())
                self.stream.write("\n")
                self.stream.flush()
