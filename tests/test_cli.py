"""The ``avala`` command line against mocked HTTP: output formats, pages, exit codes, confirmation, config and
profiles, wait and status, completion. Every run is in process (the ``cli`` fixture); stdout is not a terminal."""

from __future__ import annotations

import json
import os
import stat
import time
from typing import Any

import httpx
import pytest
import yaml
from pytest_httpx import HTTPXMock

from avala.cli._table import COMMANDS, GROUPS

KEY = "avk_live_0123456789abcdef0123"
BASE = "https://api.avala.ai/api/v1"
TARGET = {"uid": "q1", "name": "Accuracy", "metric": "accuracy", "operator": "gte", "threshold": 0.9}
DATASET = {
    "uid": "d1",
    "name": "Training",
    "slug": "training",
    "item_count": 12,
    "data_type": "image",
    "created_at": "2026-02-24T10:15:00Z",
    "status": "created",
}


@pytest.fixture(autouse=True)
def _no_sleep(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(time, "sleep", lambda seconds: None)  # the transport's retry backoff


def page(results: list[dict[str, Any]], next_cursor: str | None = None) -> dict[str, Any]:
    nxt = f"{BASE}/datasets/?cursor={next_cursor}" if next_cursor else None
    return {"results": results, "next": nxt, "previous": None}


# --- help and the table --------------------------------------------------------------------------------------------


def test_help_documents_the_exit_codes(cli: Any) -> None:
    result = cli("--help")
    assert result.code == 0
    for line in ("2  usage", "3  authentication", "4  not found", "5  validation", "6  rate limited", "7  server"):
        assert line in result.stdout


def test_every_command_has_help(cli: Any) -> None:
    for group, commands in COMMANDS.items():
        for name in commands:
            result = cli(*group.split(), name, "--help")
            assert result.code == 0, (group, name, result.stderr)
            assert commands[name].summary.split()[0] in result.stdout


def test_published_names_work(cli: Any, httpx_mock: HTTPXMock) -> None:
    assert "auto-label" in GROUPS["auto-label-jobs"].aliases
    assert cli("auto-label", "list", "--help").code == 0
    assert cli("agents", "executions", "--help").code == 0
    assert cli("webhooks", "deliveries", "--help").code == 0
    assert cli("fleet", "devices", "register", "--help").code == 0
    httpx_mock.add_response(url=f"{BASE}/projects/p1/quality-targets/q1/", json=TARGET)
    result = cli("--api-key", KEY, "quality-targets", "get", "--project", "p1", "q1")
    assert result.code == 0, result.stderr
    assert json.loads(result.stdout)["uid"] == "q1"


def test_consensus_config_reads_without_settings_and_writes_with_them(cli: Any, httpx_mock: HTTPXMock) -> None:
    url = f"{BASE}/projects/p1/consensus/config/"
    httpx_mock.add_response(method="GET", url=url, json={"uid": "c1", "iou_threshold": 0.5})
    httpx_mock.add_response(method="PUT", url=url, json={"uid": "c1", "iou_threshold": 0.7})
    assert json.loads(cli("--api-key", KEY, "consensus", "config", "--project", "p1").stdout)["iou_threshold"] == 0.5
    result = cli("--api-key", KEY, "consensus", "config", "--project", "p1", "--iou-threshold", "0.7")
    assert json.loads(result.stdout)["iou_threshold"] == 0.7
    assert json.loads(httpx_mock.get_requests()[-1].content) == {"iou_threshold": 0.7}


# --- output ---------------------------------------------------------------------------------------------------------


def test_json_is_the_default_off_a_terminal_with_api_names_and_types(cli: Any, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=f"{BASE}/datasets/?limit=2", json=page([DATASET]))
    result = cli("--api-key", KEY, "datasets", "list", "--limit", "2")
    assert result.code == 0, result.stderr
    rows = json.loads(result.stdout)
    assert rows[0]["item_count"] == 12 and rows[0]["created_at"].startswith("2026-02-24T10:15:00")
    assert rows[0]["is_sequence"] is None  # a field the server left out is null, as the SDK reads it


def test_formats_and_fields(cli: Any, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=f"{BASE}/datasets/", json=page([DATASET, {**DATASET, "uid": "d2"}]), is_reusable=True)
    base = ("--api-key", KEY, "datasets", "list")
    jsonl = cli(*base, "-o", "jsonl", "--fields", "uid,item_count").stdout.splitlines()
    assert [json.loads(line) for line in jsonl] == [{"uid": "d1", "item_count": 12}, {"uid": "d2", "item_count": 12}]
    as_yaml = yaml.safe_load(cli(*base, "-o", "yaml").stdout)
    assert as_yaml == json.loads(cli(*base, "-o", "json").stdout)
    table = cli("-o", "table", "--fields", "uid,name,item_count", *base).stdout.splitlines()
    assert table[0].split() == ["UID", "NAME", "ITEM_COUNT"]
    assert table[1].split() == ["d1", "Training", "12"]


def test_a_single_object_and_a_scalar(cli: Any, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=f"{BASE}/datasets/d1/", json=DATASET, is_reusable=True)
    from avala.types import Dataset

    assert json.loads(cli("--api-key", KEY, "datasets", "get", "d1").stdout) == Dataset.from_dict(DATASET).to_dict()
    detail = cli("--api-key", KEY, "datasets", "get", "d1", "-o", "table").stdout
    assert ["item_count", "12"] in [line.split() for line in detail.splitlines()]
    assert "updated_at\n" in detail
    assert yaml.safe_load(cli("--api-key", KEY, "datasets", "get", "d1", "-o", "yaml").stdout)["item_count"] == 12


def test_all_walks_every_page_while_printing(cli: Any, httpx_mock: HTTPXMock) -> None:
    url = f"{BASE}/datasets/?limit=1"
    httpx_mock.add_response(url=url, json=page([DATASET], "c2"), is_reusable=True)
    httpx_mock.add_response(url=f"{url}&cursor=c2", json=page([{**DATASET, "uid": "d2"}], "c3"), is_reusable=True)
    httpx_mock.add_response(url=f"{url}&cursor=c3", json=page([{**DATASET, "uid": "d3"}]), is_reusable=True)
    result = cli("--api-key", KEY, "datasets", "list", "--limit", "1", "--all", "-o", "jsonl", "--fields", "uid")
    assert result.code == 0, result.stderr
    assert result.stdout.splitlines() == ['{"uid": "d1"}', '{"uid": "d2"}', '{"uid": "d3"}']
    as_json = cli("--api-key", KEY, "datasets", "list", "--limit", "1", "--all", "--fields", "uid")
    assert json.loads(as_json.stdout) == [{"uid": "d1"}, {"uid": "d2"}, {"uid": "d3"}]


def test_rows_are_printed_before_the_next_page_is_fetched(cli: Any, httpx_mock: HTTPXMock, capfd: Any) -> None:
    from avala.cli._output import Printer

    seen: list[int] = []

    class Stream:
        text = ""

        def write(self, text: str) -> None:
            Stream.text += text

        def flush(self) -> None:
            pass

    def rows() -> Any:
        for n in range(3):
            seen.append(Stream.text.count("uid"))  # what was printed when page n is about to be fetched
            yield {"uid": f"d{n}"}

    Printer("jsonl", None, Stream()).rows(rows())  # type: ignore[arg-type]
    assert seen == [0, 1, 2]
    seen.clear()
    Stream.text = ""
    Printer("table", None, Stream()).rows(rows())  # type: ignore[arg-type]
    assert Stream.text.count("d") == 3


def test_a_json_option_takes_a_file(cli: Any, httpx_mock: HTTPXMock, tmp_path: Any) -> None:
    condition = tmp_path / "condition.json"
    condition.write_text('{"metric": "temperature", "op": ">", "value": 80}')
    httpx_mock.add_response(
        method="POST", url=f"{BASE}/fleet/rules/", json={"uid": "r1", "name": "hot"}, status_code=201
    )
    result = cli(
        "--api-key",
        KEY,
        "fleet",
        "rules",
        "create",
        "--name",
        "hot",
        "--condition-file",
        str(condition),
        "--actions",
        '[{"type": "alert"}]',
        "--disabled",
    )
    assert result.code == 0, result.stderr
    sent = json.loads(httpx_mock.get_requests()[0].content)
    assert sent["condition"] == {"metric": "temperature", "op": ">", "value": 80} and sent["enabled"] is False
    bad = cli(
        "--api-key", KEY, "fleet", "rules", "create", "--name", "hot", "--condition", "{not json", "--actions", "[]"
    )
    assert bad.code == 2 and "not valid JSON" in bad.stderr


# --- errors and exit codes ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "code"), [(401, 3), (403, 3), (404, 4), (400, 5), (422, 5), (429, 6), (503, 7), (409, 1), (418, 1)]
)
def test_exit_code_per_error_class(cli: Any, httpx_mock: HTTPXMock, status: int, code: int) -> None:
    httpx_mock.add_response(
        url=f"{BASE}/datasets/d1/",
        status_code=status,
        json={"detail": "Nope."},
        headers={"Retry-After": "0"},
        is_reusable=True,
    )
    result = cli("--api-key", KEY, "datasets", "get", "d1")
    assert result.code == code
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1 and result.stderr.startswith("avala: error: ")
    assert "Traceback" not in result.stderr and KEY not in result.stderr


def test_network_failure_is_7(cli: Any, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_exception(httpx.ConnectError("refused"), is_reusable=True)
    result = cli("--api-key", KEY, "datasets", "get", "d1")
    assert result.code == 7 and len(result.stderr.splitlines()) == 1


def test_usage_errors_are_2(cli: Any) -> None:
    assert cli("datasets", "list", "--limit", "many").code == 2
    assert cli("datasets", "get").code == 2
    assert cli("nope").code == 2
    result = cli("datasets", "list", "--data-type", "pdf")
    assert result.code == 2 and "pdf" in result.stderr and len(result.stderr.splitlines()) == 1


def test_missing_key_is_3_and_help_needs_none(cli: Any) -> None:
    assert cli("datasets", "list", "--help").code == 0
    result = cli("datasets", "list")
    assert result.code == 3 and "avala configure" in result.stderr


def test_debug_shows_a_traceback_and_never_the_key(cli: Any, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=f"{BASE}/datasets/d1/", status_code=404, json={"detail": "Not found."})
    result = cli("--debug", "--api-key", KEY, "datasets", "get", "d1")
    assert result.code == 4
    assert "Traceback" in result.stderr and "avk_…0123" in result.stderr and "GET" in result.stderr
    assert KEY not in result.stderr and KEY not in result.stdout


def test_deletes_refuse_without_a_terminal_unless_yes(cli: Any, httpx_mock: HTTPXMock) -> None:
    refused = cli("--api-key", KEY, "webhooks", "delete", "w1")
    assert refused.code == 2 and "--yes" in refused.stderr
    httpx_mock.add_response(method="DELETE", url=f"{BASE}/webhooks/w1/", status_code=204)
    done = cli("--api-key", KEY, "webhooks", "delete", "w1", "--yes")
    assert done.code == 0 and done.stdout == ""


# --- config and profiles --------------------------------------------------------------------------------------------


def config_file(tmp_path: Any) -> Any:
    return tmp_path / "config" / "avala" / "config.toml"


def test_configure_stores_the_key_0600_in_a_0700_dir(cli: Any, httpx_mock: HTTPXMock, tmp_path: Any) -> None:
    httpx_mock.add_response(
        url=f"{BASE}/organizations/?limit=1", json=page([{"uid": "o1", "name": "Acme", "slug": "acme"}])
    )
    result = cli("configure", input=KEY + "\n")
    assert result.code == 0, result.stderr
    assert httpx_mock.get_requests()[0].headers["X-Avala-Api-Key"] == KEY
    path = config_file(tmp_path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert f'api_key = "{KEY}"' in path.read_text()
    assert KEY not in result.stdout + result.stderr and "avk_…0123" in result.stderr and "Acme" in result.stderr


def test_configure_refuses_a_rejected_key_off_a_terminal(cli: Any, httpx_mock: HTTPXMock, tmp_path: Any) -> None:
    httpx_mock.add_response(url=f"{BASE}/organizations/?limit=1", status_code=401, json={"detail": "Invalid key."})
    result = cli("configure", input="avk_wrong_key_000000000\n")
    assert result.code == 3 and not config_file(tmp_path).exists()


def test_profiles_and_precedence(cli: Any, httpx_mock: HTTPXMock, tmp_path: Any) -> None:
    assert cli("configure", "--no-verify", input="avk_default_key_0000000000\n").code == 0
    staging = ("--profile", "staging", "configure", "--no-verify", "--base-url", "https://staging.avala.ai/api/v1")
    assert cli(*staging, input="avk_staging_key_0000000000\n").code == 0
    text = config_file(tmp_path).read_text()
    assert "[default]" in text and "[staging]" in text

    httpx_mock.add_response(json=page([]), is_reusable=True)

    def sent(*argv: str, env: dict[str, str] | None = None) -> tuple[str, str]:
        result = cli(*argv, "datasets", "list", env=env)
        assert result.code == 0, result.stderr
        request = httpx_mock.get_requests()[-1]
        return request.headers["X-Avala-Api-Key"], request.url.host

    assert sent() == ("avk_default_key_0000000000", "api.avala.ai")
    assert sent("--profile", "staging") == ("avk_staging_key_0000000000", "staging.avala.ai")
    assert sent(env={"AVALA_PROFILE": "staging"}) == ("avk_staging_key_0000000000", "staging.avala.ai")
    assert sent(env={"AVALA_API_KEY": "avk_env_key_00000000000000"})[0] == "avk_env_key_00000000000000"
    env = {"AVALA_API_KEY": "avk_env_key_00000000000000", "AVALA_PROFILE": "staging"}
    assert sent(env=env) == ("avk_env_key_00000000000000", "staging.avala.ai")  # env beats AVALA_PROFILE's key
    assert sent("--profile", "staging", env=env)[0] == "avk_staging_key_0000000000"  # --profile is a flag
    assert sent("--api-key", "avk_flag_key_0000000000000", env=env)[0] == "avk_flag_key_0000000000000"

    unknown = cli("--profile", "prod", "datasets", "list")
    assert unknown.code == 2 and "prod" in unknown.stderr and "avala --profile prod configure" in unknown.stderr


def test_configure_keeps_other_profiles_and_tightens_the_dir(cli: Any, tmp_path: Any) -> None:
    directory = tmp_path / "config" / "avala"
    directory.mkdir(parents=True)
    os.chmod(directory, 0o755)
    assert cli("--profile", "a", "configure", "--no-verify", input="avk_a_key_00000000000000\n").code == 0
    assert cli("--profile", "b", "configure", "--no-verify", input="avk_b_key_00000000000000\n").code == 0
    text = config_file(tmp_path).read_text()
    assert "avk_a_key" in text and "avk_b_key" in text
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700


# --- hand-written commands ------------------------------------------------------------------------------------------


def test_wait_shows_each_status_change(cli: Any, httpx_mock: HTTPXMock) -> None:
    url = f"{BASE}/exports/e1/"
    for status in ("pending", "pending", "processing", "exported"):
        httpx_mock.add_response(url=url, json={"uid": "e1", "status": status})
    result = cli("--api-key", KEY, "exports", "wait", "e1", "--interval", "0.01")
    assert result.code == 0, result.stderr
    assert [line.split(" (")[0] for line in result.stderr.splitlines()] == [
        "status: pending",
        "status: processing",
        "status: exported",
    ]
    assert json.loads(result.stdout)["status"] == "exported"


def test_dataset_wait_takes_a_status_and_times_out_with_1(cli: Any, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=f"{BASE}/datasets/d1/", json={**DATASET, "status": "creating"}, is_reusable=True)
    result = cli(
        "--api-key",
        KEY,
        "datasets",
        "wait",
        "d1",
        "--status",
        "created",
        "--interval",
        "0.01",
        "--timeout",
        "0",
        "--quiet",
    )
    assert result.code == 1 and "gave up" in result.stderr and result.stderr.count("\n") == 1


def test_status_tolerates_a_failing_section(cli: Any, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(
        url=f"{BASE}/organizations/?limit=50", json=page([{"uid": "o1", "name": "Acme", "slug": "acme"}])
    )
    httpx_mock.add_response(url=f"{BASE}/datasets/?limit=5", json=page([DATASET]))
    httpx_mock.add_response(url=f"{BASE}/users/me/projects/?limit=5", status_code=403, json={"detail": "No."})
    httpx_mock.add_response(url=f"{BASE}/exports/?limit=5", json=page([]))
    devices = [{"uid": "a", "name": "a", "status": "online"}, {"uid": "b", "name": "b", "status": "offline"}]
    httpx_mock.add_response(url=f"{BASE}/fleet/devices/?limit=100", json=page(devices))
    result = cli("--api-key", KEY, "status")
    assert result.code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["organizations"][0]["slug"] == "acme" and report["datasets"][0]["uid"] == "d1"
    assert "error" in report["projects"] and report["exports"] == []
    assert report["fleet"] == {"devices": 2, "offline": 1, "online": 1}


def test_completion_scripts_and_completing_names(cli: Any) -> None:
    for shell, marker in (("bash", "complete -o"), ("zsh", "compdef"), ("fish", "complete --no-files")):
        result = cli("completion", shell)
        assert result.code == 0 and marker in result.stdout and "_AVALA_COMPLETE" in result.stdout
    assert cli("shell-completion", "zsh").stdout.strip() == 'eval "$(_AVALA_COMPLETE=zsh_source avala)"'

    def complete(words: str) -> list[str]:
        env = {"_AVALA_COMPLETE": "bash_complete", "COMP_WORDS": words, "COMP_CWORD": str(len(words.split()) - 1)}
        result = cli(env=env)
        return [line.split(",", 1)[1] for line in result.stdout.splitlines()]

    assert "datasets" in complete("avala dat")
    assert complete("avala fleet dev") == ["devices"]
    assert "list-items" in complete("avala datasets list")
    assert complete("avala datasets list --data-type li") == ["lidar"]


def test_progress_bar_counts_bytes_and_draws_only_on_a_terminal() -> None:
    import io

    from avala.cli._progress import Progress, human

    now = [0.0]
    stream = io.StringIO()
    bar = Progress(4 * 1024 * 1024, "upload", stream=stream, enabled=True, clock=lambda: now[0])
    now[0] = 2.0
    bar.advance(1024 * 1024)
    assert "25.0% 1.0 MiB/4.0 MiB 512.0 KiB/s ETA 0:06" in bar.line()
    now[0] = 8.0
    bar.advance(3 * 1024 * 1024)
    bar.close()
    assert "100.0% 4.0 MiB/4.0 MiB" in stream.getvalue() and stream.getvalue().endswith("\n")
    assert human(1536) == "1.5 KiB"
    quiet = io.StringIO()  # not a terminal: nothing at all
    silent = Progress(10, "x", stream=quiet)
    silent.advance(10)
    silent.close()
    assert quiet.getvalue() == ""
