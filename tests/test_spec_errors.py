"""Spec mistakes read ``openapi.yaml:LINE: what is wrong``, once each, short: from ``make codegen`` (and so
``make codegen-check``) and from ``make spec-check``."""

from __future__ import annotations

from pathlib import Path

import pytest

from codegen.__main__ import main as codegen_main
from codegen.speccheck import main as speccheck_main

ROOT = Path(__file__).resolve().parent.parent
SPEC = (ROOT / "openapi.yaml").read_text(encoding="utf-8")


def line_of(text: str, needle: str) -> int:
    """The 1-based line where ``needle`` first occurs."""
    return text[: text.index(needle)].count("\n") + 1


def broken(tmp_path: Path, old: str, new: str) -> tuple[Path, str]:
    assert SPEC.count(old) >= 1, old
    text = SPEC.replace(old, new, 1)
    path = tmp_path / "openapi.yaml"
    path.write_text(text, encoding="utf-8")
    return path, text


def codegen_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> list[str]:
    assert codegen_main(["check", "--root", str(ROOT), "--spec", str(tmp_path / "openapi.yaml")]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    return captured.err.splitlines()


def test_a_ref_to_a_missing_schema(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path, text = broken(tmp_path, "#/components/schemas/Webhook'", "#/components/schemas/Webhok'")
    line = line_of(text, "#/components/schemas/Webhok'")
    expected = f"{path}:{line}: $ref '#/components/schemas/Webhok': there is no 'Webhok' in /components/schemas"
    assert codegen_errors(tmp_path, capsys) == [expected]
    assert speccheck_main([str(path)]) == 1
    assert capsys.readouterr().err.splitlines() == [expected]


def test_invalid_yaml(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path, _text = broken(
        tmp_path, "      operationId: webhooks_list\n", "      operationId: webhooks_list\n    bad: [\n"
    )
    (error,) = codegen_errors(tmp_path, capsys)
    assert error.startswith(f"{path}:")
    assert "invalid YAML: did not find expected ',' or ']'" in error
    assert len(error) < 200
    assert speccheck_main([str(path)]) == 1
    assert capsys.readouterr().err.splitlines() == [error]


def test_a_path_template_without_its_parameter(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path, text = broken(tmp_path, "  /webhooks/{uid}/:\n", "  /webhooks/{id}/:\n")
    errors = codegen_errors(tmp_path, capsys)
    assert errors and all(e.startswith(f"{path}:") and "/webhooks/{id}/" in e for e in errors)
    assert all(len(e) < 300 and "UntrustedString" not in e for e in errors)
    assert len(errors) == len(set(errors)), "each problem once"
    lines = [int(e.split(":")[1]) for e in errors]
    assert lines == sorted(lines) and lines[0] > line_of(text, "  /webhooks/{id}/:")
    assert speccheck_main([str(path)]) == 1
    (error,) = capsys.readouterr().err.splitlines()
    assert error.startswith(f"{path}:{lines[0]}: not valid OpenAPI: Path parameter 'id'")


def test_a_method_name_that_is_not_snake_case(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path, text = broken(tmp_path, "operationId: webhooks_list\n", "operationId: webhooks_listAll\n")
    line = line_of(text, "operationId: webhooks_listAll")
    assert codegen_errors(tmp_path, capsys) == [
        f"{path}:{line}: operationId 'webhooks_listAll': the method name 'listAll' must be snake_case"
        " (webhooks_list_all)"
    ]


def test_a_validator_error_is_one_short_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path, _text = broken(tmp_path, 'openapi: "3.1.0"', "openapi: 3")
    assert speccheck_main([str(path)]) == 1
    (error,) = capsys.readouterr().err.splitlines()
    assert error.startswith(f"{path}:") and "not valid OpenAPI" in error
    assert len(error) < 300
