"""Commands whose body is a JSON array (``x-python-chunked``) read their items from ``--input FILE``: the file's forms,
the checks before anything is sent (one line naming the file and the line, exit 5), ``--dry-run``, ``--check-only``
and the chunks; ``annotations bulk-edit`` as the published CLI runs it. Against mocked HTTP; the generator's side
(any chunked operation gets the command, with no hand edit) on a copy of the spec with one more such operation."""

from __future__ import annotations

import copy
import json
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from pytest_httpx import HTTPXMock

from codegen.api import build_api
from codegen.cli import build_cli
from codegen.parse import parse_document

KEY = "avk_live_0123456789abcdef0123"
BASE = "https://api.avala.ai/api/v1"
ROOT = Path(__file__).resolve().parent.parent
BULK = f"{BASE}/datasets/acme/lidar-1/bulk-edition/"
LIDAR = {"uid": "d1", "name": "L", "slug": "lidar-1", "data_type": "lidar", "is_sequence": True}
UPSERT = {
    "action": "upsert",
    "object_uuid": "u1",
    "object_type": "cuboid 3d",
    "sequence_uid": "s1",
    "object_name": "car",
    "object_data": {"label": "car"},
}
DELETE = {"action": "delete", "object_uuid": "u2", "object_type": "cuboid", "dataset_item_uid": "i1"}


@pytest.fixture(autouse=True)
def _no_sleep(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(time, "sleep", lambda seconds: None)


def jsonl(path: Path, *edits: Any) -> str:
    path.write_text("".join(json.dumps(e) + "\n" for e in edits), encoding="utf-8")
    return str(path)


def bulk(cli: Any, *args: str, input: str | None = None) -> Any:
    return cli("--api-key", KEY, "annotations", "bulk-edit", "--owner", "acme", "--slug", "lidar-1", *args, input=input)


def preflight(httpx_mock: HTTPXMock, dataset: dict[str, Any] = LIDAR) -> None:
    httpx_mock.add_response(method="GET", url=f"{BASE}/datasets/acme/lidar-1/", json=dataset)
    page = {"results": [{"uid": "i1"}], "next": None, "previous": None}
    httpx_mock.add_response(method="GET", url=f"{BASE}/datasets/acme/lidar-1/items/", json=page, is_optional=True)
    seqs = {"results": [{"uid": "s1"}], "next": None, "previous": None}
    httpx_mock.add_response(method="GET", url=f"{BASE}/datasets/acme/lidar-1/sequences/", json=seqs, is_optional=True)


def test_edits_go_in_chunks_after_the_preflight(cli: Any, httpx_mock: HTTPXMock, tmp_path: Path) -> None:
    preflight(httpx_mock)
    httpx_mock.add_response(method="POST", url=BULK, json={"updated": 1}, is_reusable=True)
    result = bulk(cli, "--input", jsonl(tmp_path / "e.jsonl", UPSERT, DELETE), "--chunk-size", "1")
    assert result.code == 0, result.stderr
    assert json.loads(result.stdout) == [
        {"chunk_index": 0, "result": {"updated": 1}},
        {"chunk_index": 1, "result": {"updated": 1}},
    ]
    posts = [r for r in httpx_mock.get_requests() if r.method == "POST"]
    assert [json.loads(r.content) for r in posts] == [[UPSERT], [DELETE]]
    assert "chunk 2/2 ok" in result.stderr and "car: 1" in result.stderr


def test_a_json_array_from_stdin_in_one_chunk(cli: Any, httpx_mock: HTTPXMock) -> None:
    preflight(httpx_mock)
    httpx_mock.add_response(method="POST", url=BULK, json={"updated": 2})
    result = bulk(cli, "--input", "-", input=json.dumps([UPSERT, DELETE], indent=2))
    assert result.code == 0, result.stderr
    assert json.loads(result.stdout) == [{"chunk_index": 0, "result": {"updated": 2}}]
    assert json.loads(httpx_mock.get_requests()[-1].content) == [UPSERT, DELETE]


@pytest.mark.parametrize(
    ("content", "name", "line", "message"),
    [
        ('{"action": "delete"\n', "e.jsonl", 1, "invalid JSON"),
        (json.dumps(UPSERT) + "\n\n[1]\n", "e.jsonl", 3, "edit 1: a JSON array, not an object"),
        ("[\n" + json.dumps(DELETE) + ",\n" + json.dumps({**DELETE, "object_uuid": 7}) + "\n]", "e.json", 3, "edit 1"),
        (json.dumps({k: v for k, v in UPSERT.items() if k != "object_uuid"}), "e.jsonl", 1, "object_uuid is required"),
        (json.dumps({**UPSERT, "dataset_item_uid": "i1"}), "e.jsonl", 1, "only one of dataset_item_uid / sequence_uid"),
        (json.dumps({**DELETE, "dataset_item_uid": None}), "e.jsonl", 1, "one of dataset_item_uid / sequence_uid is"),
        (json.dumps({**UPSERT, "duration": "long"}), "e.jsonl", 1, "duration must be a JSON number, not a string"),
        # the published CLI's own rules (avala/cli/_bulk_edit.py)
        (json.dumps({**UPSERT, "action": "merge"}), "e.jsonl", 1, "action must be one of ['delete', 'upsert']"),
        (json.dumps({k: v for k, v in UPSERT.items() if k != "object_data"}), "e.jsonl", 1, "object_data is required"),
        (json.dumps({**UPSERT, "object_type": "cuboid"}), "e.jsonl", 1, "sequence_uid does not support"),
        ("[" + json.dumps(DELETE) + "] x", "e.json", 1, "extra data after the array"),
        ("", "e.jsonl", None, "no edits found"),
    ],
)
def test_bad_input_is_one_line_exit_5_and_nothing_is_sent(
    cli: Any, httpx_mock: HTTPXMock, tmp_path: Path, content: str, name: str, line: int | None, message: str
) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    result = bulk(cli, "--input", str(path))
    assert result.code == 5, result.stderr
    error = result.stderr.splitlines()[-1]
    assert error.startswith(f"avala: error: {path}{'' if line is None else f':{line}'}:"), error
    assert message in error
    assert httpx_mock.get_requests() == [] and result.stdout == ""


def test_every_invalid_edit_is_listed_and_none_sent(cli: Any, httpx_mock: HTTPXMock, tmp_path: Path) -> None:
    bad = {**DELETE, "action": "merge"}
    result = bulk(cli, "--input", jsonl(tmp_path / "e.jsonl", DELETE, bad, UPSERT, bad))
    assert result.code == 5
    lines = [line for line in result.stderr.splitlines() if line.startswith("avala: error:")]
    assert [line.split(":")[3] for line in lines[:2]] == ["2", "4"]
    assert lines[-1].endswith("2 of 4 edits are invalid; nothing was sent")
    assert httpx_mock.get_requests() == []


def test_dry_run_needs_no_key_and_sends_nothing(cli: Any, httpx_mock: HTTPXMock, tmp_path: Path) -> None:
    path = jsonl(tmp_path / "e.jsonl", UPSERT, DELETE)
    result = cli("annotations", "bulk-edit", "acme", "lidar-1", "--input", path, "--dry-run")
    assert result.code == 0, result.stderr
    assert "[DRY RUN] 2 edits validated" in result.stderr and result.stdout == ""
    assert httpx_mock.get_requests() == []


def test_check_only_reads_and_never_posts(cli: Any, httpx_mock: HTTPXMock, tmp_path: Path) -> None:
    preflight(httpx_mock)
    result = bulk(cli, "--input", jsonl(tmp_path / "e.jsonl", UPSERT, DELETE), "--check-only")
    assert result.code == 0, result.stderr
    assert "[CHECK ONLY]" in result.stderr
    assert {r.method for r in httpx_mock.get_requests()} == {"GET"}


@pytest.mark.parametrize(
    ("dataset", "edit", "message"),
    [
        ({**LIDAR, "data_type": "image"}, DELETE, "has data_type='image', but bulk-edit requires 'lidar'"),
        (LIDAR, {**DELETE, "dataset_item_uid": "i9"}, "1 of 1 dataset_item_uid(s) do not exist on acme/lidar-1"),
        (LIDAR, {**UPSERT, "sequence_uid": "s9"}, "1 of 1 sequence_uid(s) do not exist on acme/lidar-1"),
    ],
)
def test_the_preflight_refuses_with_5(
    cli: Any, httpx_mock: HTTPXMock, tmp_path: Path, dataset: dict[str, Any], edit: dict[str, Any], message: str
) -> None:
    preflight(httpx_mock, dataset)
    result = bulk(cli, "--input", jsonl(tmp_path / "e.jsonl", edit))
    assert result.code == 5 and message in result.stderr, result.stderr
    assert {r.method for r in httpx_mock.get_requests()} == {"GET"}


def test_a_failed_chunk_exits_as_its_request(cli: Any, httpx_mock: HTTPXMock, tmp_path: Path) -> None:
    preflight(httpx_mock)
    httpx_mock.add_response(method="POST", url=BULK, json={"updated": 1})
    httpx_mock.add_response(method="POST", url=BULK, status_code=400, json={"detail": "bad cuboid"})
    result = bulk(cli, "--input", jsonl(tmp_path / "e.jsonl", UPSERT, DELETE), "--chunk-size", "1")
    assert result.code == 5
    assert "chunk 1 failed: bad cuboid" in result.stderr.splitlines()[-1]


def test_chunk_size_must_be_positive(cli: Any, tmp_path: Path) -> None:
    result = bulk(cli, "--input", jsonl(tmp_path / "e.jsonl", DELETE), "--chunk-size", "0")
    assert result.code == 2 and "--chunk-size" in result.stderr


# --- the generator: any chunked operation gets --input, with no hand edit -------------------------------------------


def test_a_new_chunked_operation_gets_an_input_command() -> None:
    document = yaml.load((ROOT / "openapi.yaml").read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    operation = copy.deepcopy(document["paths"]["/datasets/{owner}/{slug}/bulk-edition/"]["post"])
    operation["operationId"] = "annotations_bulk_tag"
    operation["x-python-chunked"] = {"argument": "tags", "size": 50}
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    schema["items"] = {
        "type": "object",
        "required": ["name"],
        "additionalProperties": False,
        "properties": {"name": {"type": "string"}, "kind": {"type": "string", "enum": ["a", "b"]}},
    }
    schema["example"] = [{"name": "x", "kind": "a"}]
    document["paths"]["/datasets/{owner}/{slug}/bulk-tags/"] = {"post": operation}
    api = build_api(document, parse_document(document, ROOT / "openapi.yaml"))
    command = build_cli(api, document)["annotations"].commands["bulk-tag"]
    flags = {p.name: p.flags for p in command.params}
    assert flags == {"owner": (), "slug": (), "tags": ("--input",), "chunk_size": ("--chunk-size",)}
    assert command.input is not None and command.input.checks is None  # the schema's checks only
    assert command.input.required == ("name",) and command.input.closed
    assert command.input.properties["kind"] == (("string",), ("a", "b"))
    assert "(default 50)" in next(p.help for p in command.params if p.name == "chunk_size")
