"""``make spec-check``: the project's own rules over openapi.yaml, the YAML-split message among them."""

from __future__ import annotations

from pathlib import Path

import pytest

from codegen.speccheck import main, split_strings

ROOT = Path(__file__).resolve().parents[1]


def test_a_message_split_by_yaml_at_its_commas_is_reported_with_its_line() -> None:
    text = "example:\n  slug: [Enter a valid slug consisting of letters, numbers, underscores or hyphens.]\n"
    (problem,) = split_strings(text)
    assert problem.startswith("line 2: the flow list [Enter a valid slug consisting of letters, numbers, underscores")
    assert "quote each string" in problem


@pytest.mark.parametrize(
    "text",
    [
        "slug: ['Enter a valid slug consisting of letters, numbers, underscores or hyphens.']\n",
        'slug: ["one, quoted", "two, quoted"]\n',
        "required: [uid, name, slug]\n",
        "slug: [A single unquoted message]\n",
        "slug:\n  - Enter a valid slug consisting of letters, numbers, underscores or hyphens.\n",
    ],
)
def test_quoted_single_or_block_lists_are_fine(text: str) -> None:
    assert split_strings(text) == []


def test_the_spec_has_no_split_message() -> None:
    """(``make spec-check`` runs the whole check on the spec.)"""
    assert split_strings((ROOT / "openapi.yaml").read_text(encoding="utf-8")) == []


def test_a_spec_with_a_split_message_fails_the_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = (ROOT / "openapi.yaml").read_text(encoding="utf-8")
    quoted = "['Enter a valid slug consisting of letters, numbers, underscores or hyphens.']"
    assert quoted in spec
    broken = tmp_path / "openapi.yaml"
    broken.write_text(spec.replace(quoted, quoted[1:-1].replace("'", "[", 1).replace("'", "]", 1)), encoding="utf-8")
    assert main([str(broken)]) == 1
    assert "has unquoted prose, which YAML splits at its commas" in capsys.readouterr().err


def test_the_mock_servers_429_asks_for_a_short_wait() -> None:
    """``make mock`` answers a 429 with the spec's ``Retry-After`` example; the SDK honours it on every retry, so a user
    trying rate limits against the mock waits seconds, not a minute."""
    import yaml

    spec = yaml.safe_load((ROOT / "openapi.yaml").read_text(encoding="utf-8"))
    assert 0 < float(spec["components"]["headers"]["Retry-After"]["example"]) <= 5
