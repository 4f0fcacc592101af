"""The reference entries of hand-written resource methods (``x-python-mixin``), read by ``codegen/mixins.py`` from
the mixin module's source: what they hold, and the mistakes that make ``make codegen`` fail instead of leaving a
method out of docs/reference/ or documenting it wrongly."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from codegen.api import Resource
from codegen.mixins import MixinMethod, mixin_methods
from codegen.parse import SpecError

GOOD = '''
from collections.abc import Callable

Hook = Callable[[str, int], None]

_DOC = """Send the files; return the bytes sent.

        Streams each file (see :meth:`other` and :class:`~avala.errors.UploadStateError`).

        Args:
            name: The dataset's name.
            files: ``(local, remote)`` pairs,
                unique.
            on_bytes: ``on_bytes(path, delta)``.

        Returns:
            The number of bytes sent.

        Raises:
            ValueError: bad arguments.

        Example:
            sent = client.things.send("demo", files=[("/a", "a")])
        """


class Sync:
    __slots__ = ()

    def send(self, name: str, *, files: list[tuple[str, str]], on_bytes: Hook | None = None) -> int:
        return 0

    send.__doc__ = _DOC

    def _private(self) -> None:
        pass


class Async:
    __slots__ = ()

    async def send(self, name: str, *, files: list[tuple[str, str]], on_bytes: Hook | None = None) -> int:
        """The async twin."""
        return 0
'''


def methods(tmp_path: Path, source: str) -> list[MixinMethod]:
    (tmp_path / "avala").mkdir(exist_ok=True)
    (tmp_path / "avala" / "fake.py").write_text(textwrap.dedent(source), encoding="utf-8")
    resource = Resource(
        tag="things",
        path=("things",),
        class_name="Things",
        module="things",
        description="",
        client_attribute=True,
        mixin={"module": "avala.fake", "sync": "Sync", "async": "Async"},
    )
    return mixin_methods(resource, tmp_path)


def test_a_method_is_read_from_its_source(tmp_path: Path) -> None:
    (method,) = methods(tmp_path, GOOD)
    assert method.callee == "client.things.send"
    assert method.summary == "Send the files; return the bytes sent."
    assert method.description == ["Streams each file (see `other()` and `UploadStateError`)."]
    assert method.signature_params == [
        "name: str",
        "*",
        "files: list[tuple[str, str]]",
        "on_bytes: Callable[[str, int], None] | None = None",  # the alias spelled out
    ]
    assert method.returns == "int"
    assert [p.description for p in method.params] == [
        "The dataset's name.",
        "`(local, remote)` pairs, unique.",
        "`on_bytes(path, delta)`.",
    ]
    assert method.raises == [("ValueError", "bad arguments.")]
    assert method.example == 'sent = client.things.send("demo", files=[("/a", "a")])'


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('        Example:\n            sent = client.things.send("demo", files=[("/a", "a")])\n', "", "Example:"),
        ("            on_bytes: ``on_bytes(path, delta)``.\n", "", "missing ['on_bytes']"),
        ("    send.__doc__ = _DOC\n", "", "no docstring"),
        ("    async def send(self, name: str, *, files", "    async def send(self, name: str, files", "signature"),
        ("    async def send(", "    def send(", "coroutine"),
        ("    def send(self, name: str, *,", "    def send(self, name: str, /, *,", "positional-only"),
        ("class Sync:", "class Sync(Base):", "no bases"),
        ("    def _private(self) -> None:", "    def extra(self) -> None:", "same public methods"),
    ],
)
def test_a_mistake_fails_generation(tmp_path: Path, old: str, new: str, message: str) -> None:
    assert old in GOOD
    source = GOOD.replace(old, new, 1)
    with pytest.raises(SpecError, match=message.replace("[", r"\[").replace("]", r"\]")):
        methods(tmp_path, source)
