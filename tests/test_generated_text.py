"""Small things the generated text and the README get right: articles, no empty blocks, no hand-kept counts."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from codegen.render import article

ROOT = Path(__file__).resolve().parent.parent
GENERATED = [*(ROOT / "avala" / "types").glob("*.py"), *(ROOT / "avala" / "resources").glob("*.py")]


@pytest.mark.parametrize(
    ("name", "expected"),
    [("AnnotationIssue", "an"), ("Export", "an"), ("UploadSession", "an"), ("Dataset", "a"), ("UserProfile", "a")],
)
def test_article(name: str, expected: str) -> None:
    assert article(name) == expected


def test_generated_docstrings_read_an_before_a_vowel() -> None:
    wrong = [p.name for p in GENERATED if re.search(r"\ba ``[AEIO]", p.read_text(encoding="utf-8"))]
    assert not wrong


def test_no_generated_module_has_an_empty_type_checking_block() -> None:
    empty = [p.name for p in GENERATED if re.search(r"if TYPE_CHECKING:\s*\n\s+pass\b", p.read_text(encoding="utf-8"))]
    assert not empty


def test_the_readme_keeps_no_operation_count_by_hand() -> None:
    prose = re.sub(r"```.*?```", "", (ROOT / "README.md").read_text(encoding="utf-8"), flags=re.S)  # not output
    assert not re.search(r"\b\d+ operations\b|operations? of the API \(\d+\)", prose)
