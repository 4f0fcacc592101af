"""The mock server of the Avala API: Prism started from ``openapi.yaml`` on a loopback port, validating requests.

Prism (``@stoplight/prism-cli``, pinned in ``package.json``, installed into ``node_modules/`` by ``make``) answers
every operation of the spec from its examples (or, with ``dynamic=True``, from data generated from its schemas).
With ``--errors`` a request that breaks the spec (unknown path, missing or mistyped parameter, wrong body) gets a
4xx answer whose ``sl-violations`` header says why. It serves the spec's paths at the root: the base URL is
``http://127.0.0.1:<port>``, without the ``/api/v1`` of the production server URL.

Used by the contract tests (``tests/contract/conftest.py``) and by the Makefile::

    python scripts/mockserver.py                                    # make mock: serve on port 4010 until Ctrl-C
    python scripts/mockserver.py -- python examples/quickstart.py   # make demo: run a command against it

A command run against it gets ``AVALA_BASE_URL``, ``AVALA_ALLOW_INSECURE_BASE_URL=1`` and a placeholder
``AVALA_API_KEY`` (Prism only checks that the header is present); its exit status is the script's.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import TracebackType

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "openapi.yaml"
PRISM = ROOT / "node_modules" / ".bin" / "prism"
HOST = "127.0.0.1"
DEFAULT_PORT = 4010
START_TIMEOUT = 60.0
MOCK_API_KEY = "avk_mock_0000000000000000"


class MockServerError(RuntimeError):
    """Prism is not installed, did not start, or stopped answering."""


def check_installed() -> None:
    """Raise :class:`MockServerError` with what to do when Node.js or the pinned Prism is missing."""
    if shutil.which("node") is None:
        raise MockServerError(
            "Node.js is not installed (no `node` on PATH). The mock server (Prism, from npm) needs Node.js >= 20 "
            "and npm: install them, then run `make test` (or `npm ci` in the repository root)."
        )
    if not PRISM.exists():
        raise MockServerError(
            f"Prism is not installed ({PRISM.relative_to(ROOT)} is missing). Run `make test`, which installs the "
            "pinned version from package-lock.json, or `npm ci --no-audit --no-fund --ignore-scripts`."
        )


def free_port(host: str = HOST) -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


class MockServer:
    """One Prism process. Use as a context manager, or call :meth:`start` and :meth:`stop`.

    Args:
        spec: The OpenAPI document to serve.
        port: The loopback port; a free one when None.
        dynamic: Generate responses from the schemas (seeded, so reproducible) instead of using the examples.
        seed: The seed of dynamic generation.
        log: Where Prism's output goes: a file path, or None for a temporary file removed by :meth:`stop`.
        echo: Let Prism print to this process's stdout instead (``log`` is then unused).
    """

    def __init__(
        self,
        spec: Path = SPEC,
        *,
        port: int | None = None,
        dynamic: bool = False,
        seed: str = "avala",
        log: Path | None = None,
        echo: bool = False,
    ) -> None:
        self.spec = spec
        self.port = port if port is not None else free_port()
        self.dynamic = dynamic
        self.seed = seed
        self.echo = echo
        self._own_log = log is None
        self.log = log if log is not None else Path(tempfile.mkstemp(prefix="prism-", suffix=".log")[1])
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        """The SDK base URL of this server (Prism serves the spec's paths at the root)."""
        return f"http://{HOST}:{self.port}"

    def command(self) -> list[str]:
        """The Prism command line."""
        command = [str(PRISM), "mock", str(self.spec), "--host", HOST, "--port", str(self.port), "--errors"]
        if self.dynamic:
            command += ["--dynamic", "--seed", self.seed]
        return command

    def start(self, timeout: float = START_TIMEOUT) -> MockServer:
        """Start Prism and return once it answers HTTP; raise :class:`MockServerError` if it cannot."""
        self.launch()
        return self.wait_until_ready(timeout)

    def launch(self) -> None:
        """Start the Prism process without waiting for it (see :meth:`wait_until_ready`)."""
        check_installed()
        if not self.spec.is_file():
            raise MockServerError(f"no OpenAPI document at {self.spec}")
        with self.log.open("wb") as out:
            self._process = subprocess.Popen(
                self.command(),
                stdin=subprocess.DEVNULL,
                stdout=None if self.echo else out,
                stderr=None if self.echo else subprocess.STDOUT,
                cwd=ROOT,
            )

    def wait_until_ready(self, timeout: float = START_TIMEOUT) -> MockServer:
        """Return once the launched Prism answers HTTP; stop it and raise :class:`MockServerError` if it exits or
        does not answer within ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while not self._answers():
            process = self._process
            if process is None:
                raise MockServerError("Prism was not launched")
            if process.poll() is not None:
                tail = self.log_tail()
                self.stop()
                raise MockServerError(f"Prism exited with status {process.returncode} before answering:\n{tail}")
            if time.monotonic() > deadline:
                self.stop()
                raise MockServerError(f"Prism did not answer on {self.base_url} within {timeout:.0f} s")
            time.sleep(0.1)
        return self

    def _answers(self) -> bool:
        """Whether an HTTP request gets any answer (Prism answers ``GET /`` with a 404 problem)."""
        connection = http.client.HTTPConnection(HOST, self.port, timeout=2)
        try:
            connection.request("GET", "/")
            connection.getresponse().read()
        except OSError:
            return False
        finally:
            connection.close()
        return True

    def running(self) -> bool:
        """Whether the Prism process is alive."""
        return self._process is not None and self._process.poll() is None

    def log_tail(self, lines: int = 40) -> str:
        """The last lines Prism printed."""
        try:
            text = self.log.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        """Stop Prism (terminate, then kill after 10 s) and remove its temporary log."""
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if self._own_log:
            with contextlib.suppress(OSError):
                self.log.unlink()

    def __enter__(self) -> MockServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def client_environment(server: MockServer) -> dict[str, str]:
    """The environment of a command run against ``server``: the SDK reads its settings from it."""
    return {
        **os.environ,
        "AVALA_BASE_URL": server.base_url,
        "AVALA_ALLOW_INSECURE_BASE_URL": "1",
        "AVALA_API_KEY": MOCK_API_KEY,
    }


def main(argv: list[str] | None = None) -> int:
    """Serve until interrupted, or run the command after ``--`` against the server and return its status."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--port", type=int, help=f"loopback port (default: {DEFAULT_PORT} to serve, else a free one)")
    parser.add_argument("--dynamic", action="store_true", help="generate responses from the schemas")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- COMMAND ARGS...: run it against the server")
    args = parser.parse_args(argv)
    # SIGTERM (CI timeouts, `kill`) unwinds like Ctrl-C, so Prism is stopped too.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    port = args.port if args.port is not None or command else DEFAULT_PORT
    server = MockServer(port=port, dynamic=args.dynamic, echo=not command)
    try:
        server.start()
    except MockServerError as exc:
        print(f"mockserver: {exc}", file=sys.stderr)
        return 1
    try:
        if command:
            print(f"mockserver: Prism serves {server.spec.name} on {server.base_url}", file=sys.stderr)
            return subprocess.call(command, env=client_environment(server))
        print(f"Prism serves {server.spec.name} on {server.base_url}; Ctrl-C stops it.", flush=True)
        print(
            f"  AVALA_BASE_URL={server.base_url} AVALA_ALLOW_INSECURE_BASE_URL=1 AVALA_API_KEY=<anything>", flush=True
        )
        with contextlib.suppress(KeyboardInterrupt):
            while server.running():
                time.sleep(0.5)
        return 0
    finally:
        server.stop()


if __name__ == "__main__":
    sys.exit(main())
