"""The ``avala`` command in a real pseudo-terminal, against Prism: a table for people, prompts that wait for them.

These are the only CLI tests that start a process (a terminal needs one); everything else runs in process.
"""

from __future__ import annotations

import fcntl
import os
import pty
import select
import struct
import subprocess
import sys
import termios
import time
from typing import Any

from .conftest import API_KEY

COLUMNS = 120


def run_in_terminal(argv: list[str], env: dict[str, str], answers: dict[bytes, bytes] | None = None) -> tuple[int, str]:
    """Run ``argv`` with stdin, stdout and stderr on one pseudo-terminal of ``COLUMNS`` columns; answer prompts;
    return the exit code and everything the terminal showed."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, COLUMNS, 0, 0))
    process = subprocess.Popen(
        argv, stdin=slave, stdout=slave, stderr=slave, env={**env, "TERM": "xterm"}, close_fds=True
    )
    os.close(slave)
    pending = dict(answers or {})
    shown = b""
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # EIO: the process closed the terminal
                    break
                if not chunk:
                    break
                shown += chunk
                for prompt in [p for p in pending if p in shown]:
                    os.write(master, pending.pop(prompt))
            elif process.poll() is not None:
                break
        else:
            process.kill()
            raise AssertionError(f"{' '.join(argv)} did not finish; it showed:\n{shown.decode()}")
        return process.wait(timeout=30), shown.decode().replace("\r\n", "\n")
    finally:
        os.close(master)


def in_terminal(server: Any, *argv: str, answers: dict[bytes, bytes] | None = None) -> tuple[int, str]:
    """``avala ARGV`` in a terminal, against ``server``."""
    env = {
        **os.environ,
        "AVALA_API_KEY": API_KEY,
        "AVALA_BASE_URL": server.base_url,
        "AVALA_ALLOW_INSECURE_BASE_URL": "1",
    }
    return run_in_terminal([sys.executable, "-m", "avala.cli", *argv], env, answers)


def test_a_terminal_gets_a_table(mock_server: Any) -> None:
    code, shown = in_terminal(mock_server, "datasets", "list", "--fields", "uid,name,item_count,status")
    assert code == 0, shown
    lines = shown.splitlines()
    assert lines[0].split() == ["UID", "NAME", "ITEM_COUNT", "STATUS"]
    assert len(lines) >= 2 and all(len(line) <= COLUMNS for line in lines)
    assert not shown.lstrip().startswith(("[", "{"))


def test_a_delete_asks_on_the_terminal(mock_server: Any) -> None:
    code, shown = in_terminal(mock_server, "webhooks", "delete", "w1", answers={b"[y/N]": b"n\n"})
    assert code == 2 and "not confirmed" in shown
    code, shown = in_terminal(mock_server, "webhooks", "delete", "w1", answers={b"[y/N]": b"y\n"})
    assert code == 0, shown
    assert "Run `avala webhooks delete w1`? [y/N]" in shown
