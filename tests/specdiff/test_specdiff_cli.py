"""The command line of the spec diff: formats, exit codes, loading files and git revisions."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from codegen.specdiff import main

from .cases import base, op, param, props

ROOT = Path(__file__).resolve().parents[2]


def write(path: Path, document: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path


def mixed(tmp_path: Path) -> tuple[Path, Path]:
    """A pair with one breaking change on one operation, one on a shared schema and one non-breaking change."""
    old, new = base(), base()
    new["paths"]["/datasets/"]["get"]["parameters"].pop(1)
    props(new, "Dataset")["status"]["type"] = "integer"
    props(new, "Device")["model"] = {"type": "string"}
    return write(tmp_path / "old.yaml", old), write(tmp_path / "new.yaml", new)


TEXT = """\
Breaking changes (2)
  [request.parameter.removed] GET /datasets/ (client.datasets.list) at /paths/~1datasets~1/get/parameters/1: \
query parameter `name` removed
  [response.type.changed] 3 operations at /components/schemas/Dataset/properties/status/type: \
type of response property `Dataset.status` changed from `string` to `integer`; affects \
GET /datasets/ (client.datasets.list), POST /datasets/ (client.datasets.create), \
GET /datasets/{uid}/ (client.datasets.get)
Non-breaking changes (1)
  [response.property.added] GET /fleet/devices/ (client.fleet.devices.list) at \
/components/schemas/Device/properties/model: new response property `Device.model`
"""

MARKDOWN = """\
## API changes: 2 breaking, 1 non-breaking

### Breaking changes (2)

| Rule | Operation | Location | Change |
|---|---|---|---|
| `request.parameter.removed` | `GET /datasets/` `client.datasets.list` | `/paths/~1datasets~1/get/parameters/1` | \
query parameter `name` removed |
| `response.type.changed` | `GET /datasets/` `client.datasets.list`<br>`POST /datasets/` `client.datasets.create`\
<br>`GET /datasets/{uid}/` `client.datasets.get` | `/components/schemas/Dataset/properties/status/type` | \
type of response property `Dataset.status` changed from `string` to `integer` |

### Non-breaking changes (1)

| Rule | Operation | Location | Change |
|---|---|---|---|
| `response.property.added` | `GET /fleet/devices/` `client.fleet.devices.list` | \
`/components/schemas/Device/properties/model` | new response property `Device.model` |
"""


def test_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old, new = mixed(tmp_path)
    assert main([str(old), str(new)]) == 0
    assert capsys.readouterr().out == TEXT


def test_markdown(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old, new = mixed(tmp_path)
    assert main([str(old), str(new), "--format", "markdown"]) == 0
    assert capsys.readouterr().out == MARKDOWN


def test_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old, new = mixed(tmp_path)
    assert main([str(old), str(new), "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["summary"] == {"breaking": 2, "non_breaking": 1}
    assert document["breaking"][0] == {
        "severity": "breaking",
        "rule": "request.parameter.removed",
        "operation": "GET /datasets/",
        "python": "client.datasets.list",
        "location": "/paths/~1datasets~1/get/parameters/1",
        "message": "query parameter `name` removed",
        "affected": [{"operation": "GET /datasets/", "python": "client.datasets.list"}],
    }
    assert [a["python"] for a in document["breaking"][1]["affected"]] == [
        "client.datasets.list",
        "client.datasets.create",
        "client.datasets.get",
    ]
    assert document["non_breaking"][0]["rule"] == "response.property.added"


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [("text", "No semantic changes.\n"), ("markdown", "## API changes\n\nNo semantic changes.\n")],
)
def test_no_change(tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str, expected: str) -> None:
    old = write(tmp_path / "old.yaml", base())
    changed = base()
    op(changed, "/datasets/", "get")["description"] = "Only prose changed."
    new = write(tmp_path / "new.yaml", changed)
    assert main([str(old), str(new), "--format", fmt, "--fail-on-breaking"]) == 0
    assert capsys.readouterr().out == expected


def test_no_change_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old = write(tmp_path / "old.yaml", base())
    assert main([str(old), str(old), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == {
        "breaking": [],
        "non_breaking": [],
        "summary": {"breaking": 0, "non_breaking": 0},
    }


def test_fail_on_breaking(tmp_path: Path) -> None:
    old, new = mixed(tmp_path)
    assert main([str(old), str(new), "--fail-on-breaking"]) == 1
    assert main([str(old), str(new)]) == 0
    additive = base()
    param(additive, "/datasets/", "get", "name")["required"] = False
    props(additive, "Device")["model"] = {"type": "string"}
    assert main([str(old), str(write(tmp_path / "additive.yaml", additive)), "--fail-on-breaking"]) == 0


def git(repo: Path, *args: str) -> None:
    command = [
        "git",
        "-c",
        "user.name=Spec Diff",
        "-c",
        "user.email=specdiff@example.com",
        "-c",
        "commit.gpgsign=false",
    ]
    subprocess.run([*command, *args], cwd=repo, check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git repository with two commits of openapi.yaml and an uncommitted third version."""
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q")
    spec = root / "openapi.yaml"
    document = base()
    write(spec, document)
    git(root, "add", "openapi.yaml")
    git(root, "commit", "-q", "-m", "v1")
    del document["paths"]["/fleet/devices/"]
    write(spec, document)
    git(root, "commit", "-q", "-am", "v2")
    props(document, "Dataset")["label"] = {"type": "string"}
    write(spec, document)
    return root


def rules(out: str) -> list[str]:
    return [line.split("]")[0].strip(" [") for line in out.splitlines() if line.startswith("  [")]


def test_git_revisions_and_worktree(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(repo)
    assert main(["HEAD~1", "HEAD", "--fail-on-breaking"]) == 1
    assert rules(capsys.readouterr().out) == ["path.removed"]
    assert main(["HEAD"]) == 0  # HEAD against the working tree
    assert rules(capsys.readouterr().out) == ["response.property.added"]
    assert main(["HEAD~1:openapi.yaml", "WORKTREE"]) == 0
    assert rules(capsys.readouterr().out) == ["path.removed", "response.property.added"]


def test_git_revision_from_another_directory(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["HEAD~1", "WORKTREE", "--spec-path", str(repo / "openapi.yaml")]) == 0
    assert rules(capsys.readouterr().out) == ["path.removed", "response.property.added"]


def test_a_file_wins_over_a_revision(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(repo)
    write(repo / "HEAD", base())
    assert main(["HEAD", "HEAD~1"]) == 0
    assert capsys.readouterr().out == "No semantic changes.\n"


def test_load_errors(repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(repo)
    assert main(["no-such-rev", "WORKTREE"]) == 2
    assert "spec diff: no-such-rev: neither a file nor a git revision of openapi.yaml" in capsys.readouterr().err
    (repo / "broken.yaml").write_text("paths: [", encoding="utf-8")
    assert main(["broken.yaml", "WORKTREE"]) == 2
    assert "broken.yaml: not valid YAML" in capsys.readouterr().err
    (repo / "list.yaml").write_text("- 1\n", encoding="utf-8")
    assert main(["list.yaml", "WORKTREE"]) == 2
    assert "list.yaml: not an OpenAPI document" in capsys.readouterr().err
    assert main(["HEAD", "WORKTREE", "--spec-path", "missing.yaml"]) == 2


def test_module_entry_point(tmp_path: Path) -> None:
    old, new = mixed(tmp_path)
    command = [sys.executable, "-m", "codegen.specdiff", str(old), str(new), "--fail-on-breaking"]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    assert done.returncode == 1, done.stderr
    assert done.stdout == TEXT
