"""Every operation of openapi.yaml through its ``avala`` command, against Prism: the command sends exactly the
arguments the SDK call sends, and prints (as JSON) exactly what the SDK call returns.

One call per operation, every argument given (the ``full`` variant of the SDK contract tests), in process.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from avala import CursorPage
from avala.cli._output import plain
from avala.cli._table import COMMANDS

from .calls import Call, build_call, check_request, sdk_function
from .conftest import API_KEY, Exchange
from .spec import Spec, SpecOperation, load

OPERATIONS = load().operations


def command_of(op: SpecOperation) -> tuple[list[str], Any]:
    """The command words and table record of an operation."""
    callee = op.sdk_name if op.client_attribute else f"avala.{op.tag}"
    for group, commands in COMMANDS.items():
        for name, record in commands.items():
            if record.callee == callee and record.kind != "wait":
                return [*group.split(), name], record
    raise AssertionError(f"{op}: no command calls {callee}")


def argv_of(record: Any, args: tuple[Any, ...], kwargs: dict[str, Any], tmp_path: Path) -> list[str]:
    """Command-line arguments giving the SDK call's arguments (the items of a JSON-array body in an --input file)."""
    argv = [str(a) for a in args]
    for p in record.params:
        if p.location == "path" or p.name not in kwargs:
            continue
        value, flag = kwargs[p.name], p.flags[0]
        if p.kind == "items":
            path = tmp_path / f"{p.name}.jsonl"
            path.write_text("".join(json.dumps(item) + "\n" for item in value), encoding="utf-8")
            argv += [flag, str(path)]
        elif p.kind == "bool":
            argv.append(flag if value else f"--no-{flag[2:]}")
        elif p.kind == "list":
            for item in value:
                argv += [flag, str(item)]
        elif p.kind == "json":
            argv += [flag, json.dumps(value)]
        else:
            argv += [flag, str(value)]
    return argv


def test_every_operation_has_a_command() -> None:
    for op in OPERATIONS:
        command_of(op)


@pytest.mark.parametrize("op", OPERATIONS, ids=lambda op: op.operation_id)
def test_command_prints_what_the_sdk_returns(
    op: SpecOperation,
    spec: Spec,
    mock_server: Any,
    client: Any,
    exchanges: list[Exchange],
    cli: Any,
    tmp_path: Path,
) -> None:
    words, record = command_of(op)
    function = sdk_function(client, op, "sync")
    call = build_call(spec, op, function, "full")
    if record.credentials_of is not None:  # the credentials the chosen provider does not use are not sent
        chooser, prefixes = record.credentials_of
        used = prefixes[str(call.kwargs[chooser])]
        unused = {p.name for p in record.params if p.secret and not p.name.startswith(used)}
        assert unused & set(call.kwargs), f"{op}: the full call gives no credential the rule leaves out"
        call = Call(
            op,
            call.args,
            {k: v for k, v in call.kwargs.items() if k not in unused},
            call.query,
            {k: v for k, v in call.body.items() if k not in unused} if isinstance(call.body, dict) else call.body,
        )
    path = len(op.path_params)  # x-python-positional arguments after them are options on the command line
    leading = op.positional if op.chunked is None else [op.chunked["argument"]]  # the items: --input FILE
    named = {**call.kwargs, **dict(zip(leading, call.args[path:], strict=True))}
    argv = [*words, *argv_of(record, call.args[:path], named, tmp_path)]
    if record.confirm:
        argv.append("--yes")
    result = cli("--api-key", API_KEY, "--base-url", mock_server.base_url, "-o", "json", *argv)
    assert result.code == 0, f"avala {' '.join(argv)} -> {result.code}: {result.stderr}"
    # an --input command first runs its read-only pre-flight (bulk-edit: the dataset, its items and sequences)
    sent = [e for e in exchanges if e.method != "GET"] if record.input is not None else exchanges
    assert len(sent) == 1, [str(e) for e in exchanges]
    exchange = sent[0]
    check_request(call, exchange.query, exchange.body)
    kwargs = call.kwargs if op.client_attribute else {**call.kwargs, "base_url": mock_server.base_url}
    returned = function(*call.args, **kwargs)
    if op.chunked is not None:  # one row per chunk
        expected = [{"chunk_index": index, "result": plain(chunk)} for index, chunk in returned]
    else:
        expected = plain(list(returned) if isinstance(returned, CursorPage) else returned)
    if record.kind == "none":
        assert result.stdout == ""
    else:
        assert json.loads(result.stdout) == expected


# --- x-python-derived methods (datasets.get_frame, ...): a command each, the operation's request, the SDK's result ---

DERIVED = [
    (op, derived)
    for op in OPERATIONS
    if op.client_attribute
    for derived in load().document["paths"][op.path][op.method.lower()].get("x-python-derived", [])
]


@pytest.mark.parametrize("op, derived", DERIVED, ids=[f"{op.tag}.{d['name']}" for op, d in DERIVED])
def test_derived_command_prints_what_the_sdk_returns(
    op: SpecOperation, derived: dict[str, Any], mock_server: Any, client: Any, exchanges: list[Exchange], cli: Any
) -> None:
    callee = f"{op.tag}.{derived['name']}"
    words = next(
        [*group.split(), name]
        for group, commands in COMMANDS.items()
        for name, record in commands.items()
        if record.callee == callee
    )
    assert words[-1] == derived["name"].replace("_", "-")
    args = [p.example for p in op.path_params] + [a["example"] for a in derived.get("arguments", [])]
    result = cli("--api-key", API_KEY, "--base-url", mock_server.base_url, "-o", "json", *words, *map(str, args))
    assert result.code == 0, f"avala {' '.join(words)} -> {result.code}: {result.stderr}"
    by_cli = [(e.method, e.path, e.query) for e in exchanges]
    assert by_cli and all(method == op.method for method, _, _ in by_cli)  # the operation's requests only
    function: Any = client
    for part in callee.split("."):
        function = getattr(function, part)
    expected = plain(function(*args))
    assert json.loads(result.stdout) == expected
    assert [(e.method, e.path, e.query) for e in exchanges[len(by_cli) :]] == by_cli  # the same requests as the SDK
