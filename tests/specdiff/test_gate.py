"""The spec diff on the real spec through the generator's view model, the breaking-change gate and releases."""

from __future__ import annotations

import copy
import json
import shutil
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from codegen.release import UNRELEASED_TEMPLATE, acknowledgements, gate, main, next_version, notes, release
from codegen.specdiff import Change, diff_specs
from codegen.specdiff.cli import RELEASE_SPEC, LoadError, parse
from codegen.specdiff.surface import Surface, from_spec, surface

ROOT = Path(__file__).resolve().parents[2]


@cache
def _spec() -> str:
    return (ROOT / "openapi.yaml").read_text(encoding="utf-8")


def spec() -> dict[str, Any]:
    """A fresh copy of the repository's spec."""
    return parse(_spec(), "openapi.yaml")


@cache
def spec_surface() -> Surface:
    return surface(spec(), "openapi.yaml")


def diff(new: dict[str, Any]) -> list[Change]:
    """The repository's spec against ``new``, both named by the generator."""
    found = surface(new, "new")
    assert found.source == "generator", found.note
    return diff_specs(spec(), new, (spec_surface(), found))


def rename_schema(document: dict[str, Any], old: str, new: str) -> dict[str, Any]:
    document["components"]["schemas"][new] = document["components"]["schemas"].pop(old)
    text = json.dumps(document).replace(f'"#/components/schemas/{old}"', f'"#/components/schemas/{new}"')
    renamed: dict[str, Any] = json.loads(text)
    return renamed


# --- the Python side is the generator's --------------------------------------------------------------------------


def test_the_surface_is_the_generators() -> None:
    found = spec_surface()
    assert (found.source, found.note) == ("generator", "")
    assert found.calls[("GET", "/datasets/")] == "client.datasets.list"
    assert found.calls[("POST", "/signup/")] == "avala.signup"
    assert found.calls[("GET", "/fleet/devices/")] == "client.fleet.devices.list"
    assert found.classes["Dataset"] == "Dataset"
    assert found.classes["BatchEventParams"] == "BatchEventParams"  # a request item: a TypedDict users may import
    assert "ExportCreateRequest" not in found.classes  # request bodies become keyword arguments
    assert "PaginatedDatasetList" not in found.classes  # pages are CursorPage[Dataset]
    assert "AgentTestResult" not in found.classes  # raw dicts


def test_renaming_a_request_body_or_a_page_wrapper_changes_nothing() -> None:
    assert diff(rename_schema(spec(), "ExportCreateRequest", "ExportNewRequest")) == []
    assert diff(rename_schema(spec(), "PaginatedDatasetList", "DatasetPage")) == []


def test_renaming_a_model_breaks_unless_the_old_name_is_kept() -> None:
    renamed = rename_schema(spec(), "Webhook", "WebhookSubscription")
    (change,) = [c for c in diff(renamed) if c.rule.startswith("model.")]
    assert (change.rule, change.breaking) == ("model.renamed", True)
    renamed["components"]["schemas"]["WebhookSubscription"]["x-python-renamed-from"] = "Webhook"
    (change,) = diff(renamed)
    assert (change.rule, change.breaking) == ("model.renamed-with-alias", False)
    assert "`Webhook` still works, deprecated" in change.message


def test_renaming_an_operation_breaks_unless_the_old_name_is_kept() -> None:
    renamed = spec()
    renamed["paths"]["/datasets/"]["get"]["operationId"] = "datasets_list_all"
    (change,) = diff(renamed)
    assert (change.rule, change.python, change.breaking) == ("operation.renamed", "client.datasets.list_all", True)
    assert change.message.endswith("; command `avala datasets list` renamed to `avala datasets list-all`")
    renamed["paths"]["/datasets/"]["get"]["x-python-renamed-from"] = "list"
    (change,) = diff(renamed)
    assert (change.rule, change.breaking) == ("operation.renamed-with-alias", False)
    assert change.message.endswith("`avala datasets list-all` (the old command still works)")


def test_the_command_line_is_in_the_report() -> None:
    assert spec_surface().commands[("GET", "/auto-label-jobs/")] == ("auto-label-jobs list", "auto-label list")
    assert "webhooks deliveries" in spec_surface().commands[("GET", "/webhook-deliveries/")]
    removed = spec()
    del removed["paths"]["/webhooks/{uid}/"]["delete"]
    (change,) = diff(removed)
    assert change.message == "operation removed; command `avala webhooks delete` removed"


def test_a_document_the_generator_rejects_is_named_from_its_spec() -> None:
    broken = spec()
    broken["paths"]["/datasets/"]["get"]["operationId"] = "datasets_listAll"
    found = surface(broken, "broken.yaml")
    assert found.source == "spec"
    assert found.note.startswith("broken.yaml: Python names from the spec (the generator rejects it: ")
    assert "snake_case" in found.note
    assert found.calls[("GET", "/datasets/")] == "client.datasets.listAll"
    assert from_spec(spec()).calls == spec_surface().calls


# --- the gate -----------------------------------------------------------------------------------------------------


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository root as the gate sees it: the spec, the released spec, the version and the changelog."""
    (tmp_path / "release").mkdir()
    (tmp_path / "avala").mkdir()
    (tmp_path / "openapi.yaml").write_text(_spec(), encoding="utf-8")
    shutil.copyfile(tmp_path / "openapi.yaml", tmp_path / RELEASE_SPEC)
    (tmp_path / "avala" / "_version.py").write_text('__version__ = "1.0.0"\n', encoding="utf-8")
    changelog = f"# Changelog\n\nEvery release.\n\n{UNRELEASED_TEMPLATE}\n## 1.0.0\n\nThe first release.\n"
    (tmp_path / "CHANGELOG.md").write_text(changelog, encoding="utf-8")
    return tmp_path


def edit_spec(root: Path, change: Any) -> None:
    document = yaml.load((root / "openapi.yaml").read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    change(document)
    (root / "openapi.yaml").write_text(yaml.dump(document, Dumper=yaml.CSafeDumper, sort_keys=False))


def acknowledge(root: Path, line: str) -> None:
    changelog = root / "CHANGELOG.md"
    text = changelog.read_text(encoding="utf-8")
    changelog.write_text(text.replace("## 1.0.0", f"{line}\n\n## 1.0.0", 1), encoding="utf-8")


def remove_webhooks_delete(document: dict[str, Any]) -> None:
    del document["paths"]["/webhooks/{uid}/"]["delete"]


ACK = "- `operation.removed` at `/paths/~1webhooks~1{uid}~1/delete`"
# the release notes' line of that removal (the diff's message names the command it takes away too)
REMOVED = (
    "- `client.webhooks.delete`: operation removed; command `avala webhooks delete` removed."
    " Webhooks are deleted in the web app only."
)


def test_the_gate_fails_on_an_unacknowledged_breaking_change(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert gate(repo) == 0
    out = capsys.readouterr().out
    assert out == "spec gate: 0 changes since 1.0.0 (release/openapi.yaml): 0 breaking, 0 non-breaking\n"
    edit_spec(repo, remove_webhooks_delete)
    assert gate(repo) == 1
    err = capsys.readouterr().err
    assert (
        "spec gate: 1 change since 1.0.0 (release/openapi.yaml): 1 breaking, 0 non-breaking; next version 2.0.0;" in err
    )
    assert "; 1 not acknowledged:" in err
    assert (
        "[operation.removed] DELETE /webhooks/{uid}/ (client.webhooks.delete) at /paths/~1webhooks~1{uid}~1/delete:"
        " operation removed"
    ) in err
    assert f"  {ACK}: WHY USERS MUST CHANGE THEIR CODE\n" in err
    acknowledge(repo, f"{ACK}: WHY USERS MUST CHANGE THEIR CODE")  # the placeholder pasted as is is no reason
    assert gate(repo) == 1
    capsys.readouterr()
    acknowledge(repo, f"{ACK}: webhooks are deleted in the web app only.")
    assert gate(repo) == 0
    assert "1 breaking, 0 non-breaking; next version 2.0.0 (all acknowledged)" in capsys.readouterr().out


def test_additions_pass_the_gate(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    def add(document: dict[str, Any]) -> None:
        document["components"]["schemas"]["Dataset"]["properties"]["gate_test_added_field"] = {
            "type": ["string", "null"],
            "format": "date-time",
            "description": "When it was archived.",
        }
        copied = copy.deepcopy(document["paths"]["/webhooks/{uid}/"]["get"])
        copied["operationId"] = "webhooks_get_latest"
        document["paths"]["/webhooks/latest/"] = {"get": copied}
        copied["parameters"] = []

    edit_spec(repo, add)
    assert gate(repo) == 0
    assert "2 changes since 1.0.0 (release/openapi.yaml): 0 breaking, 2 non-breaking; next version 1.1.0" in (
        capsys.readouterr().out
    )


def test_an_acknowledgement_of_nothing_is_reported(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    acknowledge(repo, f"{ACK}: it was removed, then restored.")
    assert gate(repo) == 0
    out = capsys.readouterr().out
    lines = (repo / "CHANGELOG.md").read_text(encoding="utf-8").splitlines()
    line = next(n for n, text in enumerate(lines, 1) if text.startswith(ACK))
    assert f"CHANGELOG.md:{line}: acknowledges {ACK.removeprefix('- ')}, which is no breaking change" in out


def test_acknowledgements_are_read_from_the_unreleased_section_only() -> None:
    text = """# Changelog

## Unreleased

<!-- an example in a comment is no acknowledgement:
- `operation.removed` at `/paths/~1a~1/get`: example.
-->
- `operation.removed` at `/paths/~1b~1/get`: b goes,
  over two lines.
* `model.renamed` at `/components/schemas/C`: renamed.
  <!-- a comment does not go on -->

## 1.0.0

- `operation.removed` at `/paths/~1d~1/get`: an old release.
"""
    assert [(a.rule, a.location, a.reason, a.line) for a in acknowledgements(text)] == [
        ("operation.removed", "/paths/~1b~1/get", "b goes, over two lines.", 8),
        ("model.renamed", "/components/schemas/C", "renamed.", 10),
    ]
    assert acknowledgements("# Changelog\n") == []


# --- releases -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rules", "expected"),
    [
        ([], None),
        (["response.property.added"], "1.5.0"),
        (["response.property.became-required"], "1.4.3"),
        (["operation.deprecated"], "1.5.0"),
        (["operation.deprecated", "operation.added"], "1.5.0"),
        (["operation.added", "operation.removed"], "2.0.0"),
    ],
)
def test_next_version_is_semver(rules: list[str], expected: str | None) -> None:
    from codegen.specdiff import RULES

    changes = [Change(RULES[rule][0], rule, "", "", "/", "") for rule in rules]
    assert next_version("1.4.2", changes) == expected


def test_a_release_writes_the_entry_the_version_and_the_released_spec(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edit_spec(repo, remove_webhooks_delete)
    assert release(repo, dry_run=True, day="2026-12-03") == 1  # not acknowledged yet
    acknowledge(repo, f"{ACK}: webhooks are deleted in the web app only.")
    capsys.readouterr()
    assert main("release", ["--root", str(repo), "--dry-run", "--date", "2026-12-03"]) == 0
    entry = f"""## 2.0.0 (2026-12-03)

### Breaking

{REMOVED}
"""
    assert capsys.readouterr().out == f"Next version: 2.0.0 (from 1.0.0)\n\n{entry}"
    assert main("release", ["--root", str(repo), "--date", "2026-12-03"]) == 0
    assert (repo / "avala" / "_version.py").read_text(encoding="utf-8") == '__version__ = "2.0.0"\n'
    assert (repo / RELEASE_SPEC).read_text(encoding="utf-8") == (repo / "openapi.yaml").read_text(encoding="utf-8")
    changelog = (repo / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "<!-- A breaking change lands only once acknowledged here" in changelog
    assert f"`make release` turns this section into the next version's entry. -->\n\n{entry}\n## 1.0.0\n" in changelog
    assert acknowledgements(changelog) == []  # the next release starts clean
    assert gate(repo) == 0
    assert main("release", ["--root", str(repo)]) == 0
    assert "release: no API change and no note under ## Unreleased since 2.0.0: nothing to release" in (
        capsys.readouterr().out
    )


NOTES = """### Added
- `client.fleet.uploads.upload_recording()`: a recording's files, resumably
  (sync and async).

### Fixed
- A cancelled upload releases its lock.
"""


def add_notes(root: Path, text: str) -> None:
    changelog = root / "CHANGELOG.md"
    old = changelog.read_text(encoding="utf-8")
    changelog.write_text(old.replace("\n## 1.0.0", f"\n{text}\n## 1.0.0", 1), encoding="utf-8")


def test_the_notes_of_the_unreleased_section_go_into_the_entry(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    add_notes(repo, NOTES)
    edit_spec(repo, remove_webhooks_delete)
    acknowledge(repo, f"{ACK}: webhooks are deleted in the web app only.")  # after the notes, under ### Fixed
    text = (repo / "CHANGELOG.md").read_text(encoding="utf-8")
    assert notes(text) == {
        "Added": ["- `client.fleet.uploads.upload_recording()`: a recording's files, resumably\n  (sync and async)."],
        "Fixed": ["- A cancelled upload releases its lock."],  # the acknowledgement is no note
    }
    assert gate(repo) == 0
    assert main("release", ["--root", str(repo), "--date", "2026-12-03"]) == 0
    entry = f"""## 2.0.0 (2026-12-03)

### Breaking

{REMOVED}

### Added

- `client.fleet.uploads.upload_recording()`: a recording's files, resumably
  (sync and async).

### Fixed

- A cancelled upload releases its lock.
"""
    changelog = (repo / "CHANGELOG.md").read_text(encoding="utf-8")
    assert f"`make release` turns this section into the next version's entry. -->\n\n{entry}\n## 1.0.0\n" in changelog
    assert notes(changelog) == {}  # the next release starts clean


@pytest.mark.parametrize(("heading", "expected"), [("Fixed", "1.0.1"), ("Added", "1.1.0"), ("Removed", "2.0.0")])
def test_notes_alone_make_a_release(
    repo: Path, capsys: pytest.CaptureFixture[str], heading: str, expected: str
) -> None:
    add_notes(repo, f"### {heading}\n- Something the spec diff cannot see.\n")
    assert main("release", ["--root", str(repo), "--dry-run", "--date", "2026-12-03"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"Next version: {expected} (from 1.0.0)\n\n## {expected} (2026-12-03)\n\n### {heading}\n")
    assert gate(repo) == 0
    assert f"0 changes since 1.0.0 (release/openapi.yaml): 0 breaking, 0 non-breaking; next version {expected}" in (
        capsys.readouterr().out
    )


def test_a_note_out_of_place_is_a_clear_error(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    add_notes(repo, "- a note without a heading\n")
    assert main("gate", ["--root", str(repo)]) == 2
    assert "gate: CHANGELOG.md:11: a note needs a heading above it" in capsys.readouterr().err
    with pytest.raises(LoadError, match=r"CHANGELOG.md:4: unknown heading '### News' \(use ### Breaking, ### Removed"):
        notes("# Changelog\n\n## Unreleased\n### News\n- x\n")


def test_a_missing_released_spec_is_a_clear_error(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / RELEASE_SPEC).unlink()
    assert main("gate", ["--root", str(repo)]) == 2
    assert "release/openapi.yaml: no such file: the last release's spec is kept there" in capsys.readouterr().err
