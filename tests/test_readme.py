"""Every Python block of README.md runs, in order, as a reader would paste them, against a mocked API that answers
every operation of openapi.yaml from its examples (the mock of ``tests/test_reference_doc.py``).

The blocks share one namespace, so a block may use what an earlier one defined (``page``, ``export``), except
``client``: each block starts with a fresh ``Client`` as ``client`` (an ``AsyncClient`` for a block with a top-level
``await`` or ``async``), as the README's text assumes. Names a block uses without any block defining
them (``uid``, ``process``) come from :data:`PRELUDE`. A block that cannot run here (it needs a real account or
network) is marked on the line before its fence, sparingly and with the reason::

    <!-- readme-test: skip (needs a real API key) -->
"""

from __future__ import annotations

import ast
import asyncio
import io
import re
import sys
import tokenize
import types
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pytest_httpx import HTTPXMock

from avala import AsyncClient, Client
from tests.conftest import API_KEY
from tests.test_reference_doc import serve

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
FENCE = re.compile(r"^(?P<indent> *)```(?P<info>[^\n`]*)\n(?P<code>.*?)^(?P=indent)```[ \t]*$", re.S | re.M)
SKIP = re.compile(r"<!--\s*readme-test:\s*skip\b[^>]*-->\s*$")
MAX_SKIPPED = 5  # sparingly: every block that can run, runs (the uploads ones need local files and storage)


@dataclass(frozen=True)
class Block:
    """A fenced Python block of the README."""

    line: int
    heading: str
    code: str
    skip: bool

    @property
    def is_async(self) -> bool:
        """Whether the block has a top-level ``await``, ``async for`` or ``async with`` (it is no plain module)."""
        try:
            compile(self.code, "README.md", "exec")
        except SyntaxError:
            compile(self.code, "README.md", "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
            return True
        return False


def blocks(text: str) -> list[Block]:
    """The ``python`` blocks of a Markdown text, with their line, section and skip marker."""
    found = []
    for match in FENCE.finditer(text):
        if match["info"].strip().split(" ")[0] not in ("python", "py"):
            continue
        before = text[: match.start()]
        previous = before.rstrip("\n").rsplit("\n", 1)[-1]
        headings = re.findall(r"^#+ (.+)$", before, re.M)
        code = "\n".join(line[len(match["indent"]) :] for line in match["code"].splitlines())
        found.append(Block(before.count("\n") + 1, headings[-1] if headings else "", code, bool(SKIP.search(previous))))
    return found


BLOCKS = blocks(README)
PRELUDE: dict[str, Any] = {
    "uid": "0b7e6f3e-1c2d-4e5f-8a9b-0c1d2e3f4a5b",
    "process": lambda item: None,
    "job": types.SimpleNamespace(uid="0b7e6f3e-1c2d-4e5f-8a9b-0c1d2e3f4a5b"),
}


def print_comments(code: str) -> dict[int, str]:
    """The trailing comments of the lines that call ``print(...)``, by line: what the README says they print."""
    comments: dict[int, str] = {}
    tree = compile(code, "README.md", "exec", flags=ast.PyCF_ONLY_AST | ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
    calls = {
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "print"
    }
    for token in tokenize.generate_tokens(io.StringIO(code).readline):
        if token.type == tokenize.COMMENT and token.start[0] in calls:
            comments[token.start[0]] = token.string[1:].strip()
    return comments


class Printed:
    """``print`` for the blocks: records the text each line printed first (the output is kept out of the way)."""

    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.first: dict[int, str] = {}

    def __call__(self, *values: Any, sep: str | None = " ", end: str | None = "\n", **_: Any) -> None:
        frame = sys._getframe(1)
        while frame.f_code.co_filename != self.filename and frame.f_back is not None:
            frame = frame.f_back  # a lambda or a helper defined in the block prints from its own frame
        text = (" " if sep is None else sep).join(str(v) for v in values)
        self.first.setdefault(frame.f_lineno, text)


async def run(block: Block, namespace: dict[str, Any]) -> None:
    """Run one block: a plain one in a thread with a ``Client`` as ``client``; one with a top-level ``await`` in
    this event loop with an ``AsyncClient``. A ``print(...)`` line whose comment says what it prints
    (``print(dataset.name)  # Demo``) must print exactly that, the first time it runs."""
    flags = ast.PyCF_ALLOW_TOP_LEVEL_AWAIT if block.is_async else 0
    filename = f"README.md:{block.line}"
    code = compile(block.code, filename, "exec", flags=flags)
    printed = namespace["print"] = Printed(filename)
    try:
        await execute(block, code, namespace)
    finally:
        del namespace["print"]
    for line, comment in print_comments(block.code).items():
        if line in printed.first:
            shown = printed.first[line]
            assert shown == comment, f"README.md:{block.line + line}: prints {shown!r}, its comment says {comment!r}"


async def execute(block: Block, code: Any, namespace: dict[str, Any]) -> None:
    """Run compiled block code with its client."""
    if not block.is_async:  # in a thread of its own: it may run an event loop (asyncio.run)

        def sync() -> None:
            with Client() as client:
                namespace["client"] = client
                exec(code, namespace)

        await asyncio.to_thread(sync)
        return
    async with AsyncClient() as async_client:
        namespace["client"] = async_client
        result = eval(code, namespace)
        if result is not None:
            await result


def test_the_readme_has_python_blocks_and_few_skips() -> None:
    assert len(BLOCKS) >= 5
    skipped = [f"README.md:{b.line}" for b in BLOCKS if b.skip]
    assert len(skipped) <= MAX_SKIPPED, f"most blocks must run; skipped: {skipped}"


async def test_every_readme_python_block_runs(
    httpx_mock: HTTPXMock, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    httpx_mock.add_callback(serve, is_reusable=True, is_optional=True)
    monkeypatch.setenv("AVALA_API_KEY", API_KEY)
    namespace: dict[str, Any] = {"__name__": "__readme__", **PRELUDE}
    ran = 0
    for block in BLOCKS:
        if block.skip:
            continue
        try:
            await run(block, namespace)
        except Exception as exc:
            pytest.fail(f"README.md:{block.line} ({block.heading}): {type(exc).__name__}: {exc}")
        ran += 1
    assert ran == len([b for b in BLOCKS if not b.skip])


def test_blocks_are_found_with_their_markers() -> None:
    text = """# T

## One

```python
x = 1
```

<!-- readme-test: skip (needs a real API key) -->
```python
y = await z
```

```sh
make test
```
"""
    assert blocks(text) == [
        Block(5, "One", "x = 1", False),
        Block(10, "One", "y = await z", True),
    ]
    assert blocks(text)[1].is_async and not blocks(text)[0].is_async
