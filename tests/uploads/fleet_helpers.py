"""Shared pieces of the fleet upload tests: running a flow sync or async, building sources, crashing on purpose."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

from .fleet_api import FleetAPI

RECORDING = "e4a096af-5712-4394-85e6-f708192a3b4c"
MODES = ["sync", "asyncio", "trio"]  # the async client on both event loops anyio supports (tests/conftest.py)


class Crash(BaseException):
    """A process dying at a precise point (not an error a flow could catch)."""


async def run(api: FleetAPI, mode: str, method: str, *args: Any, **kwargs: Any) -> Any:
    """``client.fleet.uploads.<method>(*args, **kwargs)`` on a sync client of ``api``, or an async one (on the event
    loop the test runs on)."""
    if mode == "sync":
        with api.client() as client:
            return getattr(client.fleet.uploads, method)(*args, **kwargs)
    async with api.async_client() as client:
        return await getattr(client.fleet.uploads, method)(*args, **kwargs)


def make_source(root: Path, files: dict[str, int]) -> Path:
    """A source directory with files of the given sizes (random bytes)."""
    root.mkdir(parents=True, exist_ok=True)
    for name, size in sorted(files.items()):
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(os.urandom(size))
    return root


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_sha(path: Path) -> str:
    return sha(path.read_bytes())
