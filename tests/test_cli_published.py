"""Scripts written for the published ``avala`` CLI (0.10) keep running: every command of its command tree
(``tests/data/published-cli.md``, a copy of the shared reference ``published-0.10/cli.md``) is a command here, and
takes the published arguments and options; the few that need what this package lacks say so and exit 1."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import click
import pytest
from pytest_httpx import HTTPXMock

from avala.cli._main import root

DATA = Path(__file__).resolve().parent / "data" / "published-cli.md"
SHARED = Path(__file__).resolve().parents[2] / "shared" / "reference" / "published-0.10" / "cli.md"
ROW = re.compile(r"^\| `avala ([^`]+)` \| (.*) \| (.*) \|$", re.M)
TABLE = ROW.findall(DATA.read_text(encoding="utf-8"))
# need the public loader or the robotics libraries: present, exit 1 with "not supported yet"
UNSUPPORTED = {"datasets resolve", "import lerobot", "import rosbag", "lerobot export"}
KEY = "avk_live_0123456789abcdef0123"
BASE = "https://api.avala.ai/api/v1"


def test_the_table_is_the_published_one() -> None:
    assert len(TABLE) == 85  # "85 leaf commands" (the reference's own count)
    if SHARED.exists():  # beside the shared reference documents (not in CI, which clones only the repository)
        assert DATA.read_bytes() == SHARED.read_bytes()


def resolve(words: list[str]) -> click.Command:
    """The command ``avala WORDS``, as the runner finds it."""
    command: click.Command = root()
    ctx = click.Context(command, info_name="avala")
    for word in words:
        assert isinstance(command, click.Group), f"{' '.join(words)}: {command.name} is not a group"
        found = command.get_command(ctx, word)
        assert found is not None, f"`avala {' '.join(words)}`: no command {word!r}"
        command = found
    return command


def sample_argv(spec: str, tmp_path: Path, command: click.Command | None = None) -> list[str]:
    """Command-line arguments using every published argument and option of a row (one of each alternative); a free
    TEXT option that is a choice here (the spec's closed value sets) takes its first choice."""
    params = command.params if command else []
    choices = {flag: list(p.type.choices) for p in params if isinstance(p.type, click.Choice) for flag in p.opts}
    positional = [p for p in params if isinstance(p, click.Argument)]
    values = {"TEXT": "x", "INTEGER": "1", "FLOAT": "0.5"}
    path = tmp_path / "input.json"
    path.write_text("{}", encoding="utf-8")
    argv: list[str] = []
    arguments: list[str] = []
    tokens = [t for t in spec.split() if not t.startswith("($") and t not in ("—",)]
    i = 0
    while i < len(tokens):
        token = tokens[i].rstrip("*?")
        if token.startswith("--"):
            argv.append(token.split("/")[0])
            kind = tokens[i + 1].rstrip("*") if i + 1 < len(tokens) else ""
            if kind.startswith("choice["):
                argv.append(kind[len("choice[") :].split("\\|")[0].rstrip("]"))
                i += 1
            elif kind in ("PATH", "FILE", "DIRECTORY"):
                argv.append(str(tmp_path if kind == "DIRECTORY" else path))
                i += 1
            elif kind in values:
                argv.append(str(choices[argv[-1]][0]) if argv[-1] in choices else values[kind])
                i += 1
        elif token.isupper():
            ours = positional[len(arguments)] if len(arguments) < len(positional) else None
            if ours is not None and isinstance(ours.type, click.Choice):
                arguments.append(str(ours.type.choices[0]))
            else:
                arguments.append(str(path) if token in ("FILE", "BAG") else "1")
        i += 1
    return arguments + argv


@pytest.mark.parametrize(("path", "spec"), [(p, s) for p, s, _ in TABLE], ids=[p for p, _, _ in TABLE])
def test_every_published_command_exists_and_takes_its_options(
    path: str, spec: str, tmp_path: Path, cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    command = resolve(path.split())
    argv = sample_argv(spec, tmp_path, command)
    parent = click.Context(root(), info_name="avala")
    command.make_context(path.split()[-1], list(argv), parent=parent)  # parses, as a run would: no usage error
    if "build.<locals>" in getattr(command.callback, "__qualname__", ""):  # a generated command: run it up to the
        # SDK call, which is left out: the published options make a complete call (no required option missing)
        from avala.cli import _build

        calls: list[tuple[list[Any], dict[str, Any]]] = []
        monkeypatch.setattr(_build, "execute", lambda ctx, r, v: calls.append(_build.arguments(ctx, r, v)))
        result = cli("--api-key", KEY, *path.split(), *argv)
        assert result.code == 0 and len(calls) == 1, result.stderr


@pytest.mark.parametrize("path", sorted(UNSUPPORTED))
def test_what_is_not_supported_says_so_and_exits_1(path: str, cli: Any, tmp_path: Path) -> None:
    spec = next(s for p, s, _ in TABLE if p == path)
    result = cli(*path.split(), *sample_argv(spec, tmp_path))
    assert result.code == 1
    assert result.stderr.startswith(f"avala: error: `avala {path}` is not supported yet: ")
    assert len(result.stderr.splitlines()) == 1 and result.stdout == ""
    assert cli(*path.split(), "--help").code == 0


def test_import_list_names_what_runs(cli: Any) -> None:
    assert cli("import", "list").stdout.split() == ["cloud", "folder"]


# --- published invocations, run: the request they send ---------------------------------------------------------


def sent(httpx_mock: HTTPXMock) -> Any:
    return json.loads(httpx_mock.get_requests()[-1].content)


def test_published_invocations_send_what_the_published_cli_sent(cli: Any, httpx_mock: HTTPXMock) -> None:
    base = ("--api-key", KEY, "-o", "json")
    httpx_mock.add_response(method="POST", url=f"{BASE}/agents/", json={"uid": "a1", "name": "A"})
    result = cli(*base, "agents", "create", "--name", "A", "--events", "task.completed, export.completed")
    assert result.code == 0, result.stderr
    assert sent(httpx_mock)["events"] == ["task.completed", "export.completed"]
    httpx_mock.add_response(method="POST", url=f"{BASE}/fleet/devices/", json={"uid": "d1", "name": "n"})
    result = cli(*base, "fleet", "devices", "register", "--name", "n", "--type", "arm", "--tags", "a,b")
    assert result.code == 0, result.stderr
    assert sent(httpx_mock) == {"name": "n", "type": "arm", "tags": ["a", "b"]}
    httpx_mock.add_response(method="DELETE", url=f"{BASE}/projects/p1/quality-targets/q1/", status_code=204)
    assert cli(*base, "quality-targets", "delete", "--project", "p1", "q1", "--yes").code == 0
    provider = {"uid": "i1", "name": "P", "provider_type": "http"}
    httpx_mock.add_response(method="POST", url=f"{BASE}/inference-providers/", json=provider)
    config = '{"url": "https://example.com/infer"}'
    result = cli(*base, "inference-providers", "create", "--name", "P", "--provider-type", "http", "--config", config)
    assert result.code == 0, result.stderr
    assert sent(httpx_mock)["config"] == {"url": "https://example.com/infer"}


def test_import_cloud_creates_a_zero_copy_dataset(cli: Any, httpx_mock: HTTPXMock, monkeypatch: Any) -> None:
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "s3cr3t-value")
    dataset = {"uid": "d1", "name": "N", "slug": "n", "data_type": "image"}
    httpx_mock.add_response(method="POST", url=f"{BASE}/datasets/", json=dataset)
    argv = ("import", "cloud", "s3://bucket/some/prefix", "--name", "N", "--slug", "n", "--data-type", "image")
    result = cli("--api-key", KEY, "-o", "json", *argv, "--include-extensions", "jpg, png")
    assert result.code == 0, result.stderr
    assert json.loads(result.stdout)["uid"] == "d1"
    assert sent(httpx_mock)["provider_config"] == {
        "provider": "aws_s3",
        "s3_bucket_name": "bucket",
        "s3_bucket_prefix": "some/prefix",
        "s3_bucket_region": "eu-west-1",
        "s3_is_accelerated": False,
        "s3_auth_method": "access_key",
        "s3_access_key_id": "AKIAEXAMPLE",
        "s3_secret_access_key": "s3cr3t-value",
        "included_extensions": "jpg,png",
    }


def test_import_cloud_refuses_without_credentials_before_sending(cli: Any, httpx_mock: HTTPXMock) -> None:
    argv = ("import", "cloud", "s3://bucket", "--name", "N", "--slug", "n", "--data-type", "image", "--region", "r")
    result = cli("--api-key", KEY, *argv)
    assert result.code == 2 and "S3 needs credentials" in result.stderr
    assert httpx_mock.get_requests() == []
    result = cli("--api-key", KEY, "import", "cloud", "ftp://x", "--name", "N", "--slug", "n", "--data-type", "image")
    assert result.code == 2 and "unsupported cloud URI" in result.stderr


def test_import_folder_finds_the_data_type(cli: Any, tmp_path: Path) -> None:
    source = tmp_path / "frames"
    source.mkdir()
    (source / "a.jpg").write_bytes(b"x")
    (source / "b.mcap").write_bytes(b"x")
    argv = ("import", "folder", "--source", str(source), "--name", "N", "--slug", "n")
    result = cli("--api-key", KEY, *argv)
    assert result.code == 2 and "mixed data types detected (['image', 'mcap'])" in result.stderr
    result = cli("--api-key", KEY, *argv, "--data-type", "lidar")
    assert result.code == 2 and "none of the files are indexable as data_type='lidar'" in result.stderr


def test_storage_config_secrets_come_from_the_published_variables(
    cli: Any, httpx_mock: HTTPXMock, monkeypatch: Any
) -> None:
    monkeypatch.setenv("AVALA_GC_AUTH_JSON", '{"type": "service_account"}')
    config = {"uid": "s1", "name": "G", "provider": "gc_storage"}
    httpx_mock.add_response(method="POST", url=f"{BASE}/storage-configs/", json=config)
    argv = ("storage-configs", "create", "--name", "G", "--provider", "gc_storage", "--gc-bucket-name", "b")
    result = cli("--api-key", KEY, *argv)
    assert result.code == 0, result.stderr
    assert sent(httpx_mock)["gc_storage_auth_json_content"] == '{"type": "service_account"}'
    assert "service_account" not in result.stderr + result.stdout


@pytest.mark.parametrize(
    ("provider", "kept", "dropped"),
    [
        ("gc_storage", {"gc_storage_auth_json_content"}, ("--s3-access-key-id", "--s3-secret-access-key")),
        ("aws_s3", {"s3_access_key_id", "s3_secret_access_key"}, ("--gc-storage-auth-json-content",)),
    ],
)
def test_storage_config_credentials_the_provider_does_not_use_are_not_sent(
    cli: Any, httpx_mock: HTTPXMock, monkeypatch: Any, provider: str, kept: set[str], dropped: tuple[str, ...]
) -> None:
    secrets = {"AVALA_S3_ACCESS_KEY_ID": "AKIAEXPORTED", "AVALA_S3_SECRET_ACCESS_KEY": "s3-exported-secret"}
    for name, value in {**secrets, "AVALA_GC_AUTH_JSON": '{"type": "service_account"}'}.items():
        monkeypatch.setenv(name, value)
    config = {"uid": "s1", "name": "C", "provider": provider}
    httpx_mock.add_response(method="POST", url=f"{BASE}/storage-configs/", json=config)
    result = cli("--api-key", KEY, "storage-configs", "create", "--name", "C", "--provider", provider)
    assert result.code == 0, result.stderr
    credentials = {"s3_access_key_id", "s3_secret_access_key", "gc_storage_auth_json_content"}
    assert credentials & set(sent(httpx_mock)) == kept
    for flag in dropped:
        assert f"avala: warning: {flag} is not used by --provider {provider}: not sent" in result.stderr
    assert not any(value in result.stderr + result.stdout for value in [*secrets.values(), "service_account"])


@pytest.mark.parametrize(
    ("content", "body"),
    [
        ({"metric": "temp", "gt": 80}, {"condition": {"metric": "temp", "gt": 80}, "actions": []}),
        (
            {"condition": {"metric": "temp"}, "actions": [{"type": "alert"}], "scope": {"device": "d1"}},
            {"condition": {"metric": "temp"}, "actions": [{"type": "alert"}], "scope": {"device": "d1"}},
        ),
    ],
)
def test_a_rule_from_the_published_condition_file(
    cli: Any, httpx_mock: HTTPXMock, tmp_path: Path, content: Any, body: dict[str, Any]
) -> None:
    path = tmp_path / "rule.json"
    path.write_text(json.dumps(content), encoding="utf-8")
    httpx_mock.add_response(method="POST", url=f"{BASE}/fleet/rules/", json={"uid": "r1", "name": "Hot"})
    result = cli("--api-key", KEY, "fleet", "rules", "create", "--name", "Hot", "--condition-file", str(path))
    assert result.code == 0, result.stderr
    assert sent(httpx_mock) == {"name": "Hot", **body}
