"""A click command from a record of the generated table, and what it does when it runs: call the SDK, print.

Path parameters are arguments (a published ``--project`` style option may stand for one); query and body parameters
are options. Lists take repeated options or comma-separated values; JSON values take ``@FILE`` or ``@-`` (stdin).
The items of a JSON-array body come from ``--input FILE`` (:mod:`avala.cli._input`).
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from typing import Any

import click

from ._output import FORMATS, Printer
from ._spec import C, P

_TYPES: dict[str, Any] = {"int": click.INT, "float": click.FLOAT}


def _option_name(param: P, suffix: str = "") -> str:
    return f"{param.location}__{param.name}{suffix}"


def _envvars(param: P) -> list[str]:
    """The variables a secret option reads: ``AVALA_<NAME>``, and ``AVALA_<FLAG>`` for a published flag of another
    name (``--gc-auth-json``: ``AVALA_GC_AUTH_JSON``, as the published CLI reads it)."""
    names = [param.name] + [f.removesuffix("@")[2:].replace("-", "_") for f in param.flags[1:]]
    return list(dict.fromkeys(f"AVALA_{name.upper()}" for name in names))


def _help(param: P) -> str:
    text = param.help
    if param.kind == "json":
        text += " (JSON; @FILE reads a file, @- stdin)"
    elif param.kind == "list":
        text += " (repeat the option, or separate values with commas)"
    if param.secret:
        text += f" [env: {', '.join(_envvars(param))}; prefer it to the flag]"
    return text


def _parameters(record: C) -> list[click.Parameter]:
    """The click parameters of a command, the runner's own options included."""
    out: list[click.Parameter] = []
    # when an option may stand for a path parameter, the arguments shift: the runner checks them (arguments())
    optional = any(p.flags for p in record.params if p.location == "path")
    for p in record.params:
        if p.location == "path":
            out.append(
                click.Argument(
                    [_option_name(p)], required=not optional, metavar=p.name.upper(), type=_TYPES.get(p.kind)
                )
            )
            for alias in p.flags:
                out.append(
                    click.Option(
                        [_option_name(p, "__opt"), alias],
                        type=_TYPES.get(p.kind),
                        help=f"Same as the {p.name.upper()} argument.",
                    )
                )
            continue
        if p.location == "input":
            out.append(click.Option([_option_name(p), *p.flags], required=True, metavar="FILE", help=p.help))
            continue
        files = [f.removesuffix("@") for f in p.flags if f.endswith("@")]
        flags = [f for f in p.flags if not f.endswith("@")]
        if p.kind == "bool":
            pairs = [f.split("/", 1) if "/" in f else (f, f"--no-{f[2:]}") for f in flags]
            ons = list(dict.fromkeys(on for on, _ in pairs))
            offs = list(dict.fromkeys(off for _, off in pairs))
            decls = [
                f"{ons[0]}/{offs[0]}",
                *(f"{on}/" for on in ons[1:]),
                *(f" /{off}" for off in offs[1:]),
            ]  # " /X": X is only an off name
            out.append(click.Option([_option_name(p), *decls], default=None, help=_help(p)))
            continue
        kind: Any = click.Choice(p.choices) if p.choices else _TYPES.get(p.kind, click.STRING)
        out.append(
            click.Option(
                [_option_name(p), *flags],
                type=kind,
                multiple=p.kind == "list",
                envvar=_envvars(p) if p.secret else None,
                help=_help(p),
                metavar="JSON" if p.kind == "json" else None,
            )
        )
        for flag in files:
            out.append(
                click.Option(
                    [_option_name(p, "__file"), flag],
                    type=click.Path(dir_okay=False),
                    help=f"Read the {p.name} JSON from this file.",
                )
            )
    out.append(click.Option(["-o", "--output"], type=click.Choice(FORMATS), help="Output format."))
    out.append(click.Option(["--fields"], metavar="A,B", help="Only these fields (columns), in this order."))
    if record.kind == "page":
        out.append(click.Option(["--all", "walk"], is_flag=True, help="Every page, fetched as the rows are printed."))
    if record.confirm:
        out.append(click.Option(["--yes", "-y"], is_flag=True, help="Do not ask for confirmation."))
    if record.input is not None:
        name = record.input.name
        out.append(click.Option(["--dry-run"], is_flag=True, help=f"Check the {name}, send nothing."))
        if record.input.checks:
            out.append(
                click.Option(
                    ["--check-only"],
                    is_flag=True,
                    help=f"Check the {name} and run the read-only pre-flight checks, send nothing.",
                )
            )
    if record.kind == "wait" and record.wait is not None:
        _, _, _, interval, timeout = record.wait
        out.append(
            click.Option(
                ["--interval"], type=click.FLOAT, default=interval, show_default=True, help="Seconds between polls."
            )
        )
        out.append(
            click.Option(
                ["--timeout"],
                type=click.FLOAT,
                default=timeout,
                show_default=True,
                help="Seconds before giving up (exit 1).",
            )
        )
        out.append(click.Option(["--quiet", "-q"], is_flag=True, help="Do not show the status as it changes."))
    return out


def _help_text(record: C) -> str:
    lines = [record.summary]
    if record.description and record.description != record.summary:
        lines += ["", record.description]
    arguments = [p for p in record.params if p.location == "path"]
    if arguments:
        lines += ["", "\b", "Arguments:"]
        lines += [
            f"  {p.name.upper()}  {p.help}" + (f" (or {', '.join(p.flags)})" if p.flags else "") for p in arguments
        ]
    callee = record.callee if record.callee.startswith("avala.") else f"client.{record.callee}"
    lines += ["", f"Calls {callee}{'(...) until done' if record.kind == 'wait' else '()'}."]
    return "\n".join(lines)


def build(name: str, record: C, plain: C | None = None) -> click.Command:
    """The command ``name`` for ``record``; with ``plain``, it runs ``plain`` when no setting option is given."""

    def callback(**values: Any) -> None:
        ctx = click.get_current_context()
        settings_given = any(
            values.get(_option_name(p)) not in (None, ()) for p in record.params if p.location != "path"
        )
        chosen = record if plain is None or settings_given else plain
        execute(ctx, chosen, values)

    return click.Command(
        name,
        params=_parameters(record),
        callback=callback,
        help=_help_text(record),
        short_help=record.summary,
    )


def _json_value(param: P, text: str) -> Any:
    """A JSON option value (``@FILE`` / ``@-`` read first)."""
    if text.startswith("@"):
        source = text[1:]
        try:
            text = sys.stdin.read() if source == "-" else open(source, encoding="utf-8").read()  # noqa: SIM115
        except OSError as exc:
            raise click.BadParameter(f"cannot read {source}: {exc.strerror}", param_hint=param.flags[0]) from None
    try:
        return json.loads(text)
    except ValueError:
        if param.kind == "json" and not text.lstrip().startswith(("{", "[", '"')):
            return text  # a bare word for a JSON string
        raise click.BadParameter(f"not valid JSON: {text[:60]!r}", param_hint=param.flags[0]) from None


def _from_files(record: C, values: dict[str, Any]) -> dict[str, Any]:
    """Values read from the file options (``--condition-file``) whose own option was not given: the JSON value of
    the parameter, or, when the file is an object holding the parameter, every body field it holds (as the published
    ``fleet rules create --condition-file`` reads ``{"condition": ..., "actions": ...}``)."""
    body = {p.name for p in record.params if p.location == "body"}
    found: dict[str, Any] = {}
    for p in record.params:
        source = values.get(_option_name(p, "__file"))
        if not source or values.get(_option_name(p)) is not None:
            continue
        data = _json_value(p, "@" + source)
        if isinstance(data, dict) and p.name in data:
            found.update({name: value for name, value in data.items() if name in body})
        else:
            found[p.name] = data
    return found


def arguments(ctx: click.Context, record: C, values: dict[str, Any]) -> tuple[list[Any], dict[str, Any]]:
    """The SDK call's positional and keyword arguments."""
    path = [p for p in record.params if p.location == "path"]
    positional = [values.get(_option_name(p)) for p in path]
    given = [v for v in positional if v is not None]
    args: list[Any] = []
    for p in path:
        value = values.get(_option_name(p, "__opt"))
        if value is None:
            if not given:
                raise click.MissingParameter(ctx=ctx, param_hint=p.name.upper(), param_type="argument")
            value = given.pop(0)
        args.append(value)
    if given:
        raise click.UsageError(f"unexpected extra argument {given[0]!r}", ctx=ctx)
    kwargs: dict[str, Any] = {}
    from_files = _from_files(record, values)
    defaults = record.defaults or {}
    for p in record.params:
        if p.location in ("path", "wait", "input"):
            continue
        value = values.get(_option_name(p))
        if value is None or value == ():
            if p.name in from_files:
                kwargs[p.name] = from_files[p.name]
            elif p.name in defaults:
                kwargs[p.name] = defaults[p.name]
            elif p.required:
                raise click.MissingParameter(ctx=ctx, param_hint=" / ".join(p.flags), param_type="option")
            continue
        if p.secret and ctx.get_parameter_source(_option_name(p)) == click.core.ParameterSource.COMMANDLINE:
            click.echo(
                f"avala: warning: {p.flags[0]} on the command line stays in shell history; prefer "
                f"AVALA_{p.name.upper()}",
                err=True,
            )
        if p.kind == "list":
            value = [part.strip() for item in value for part in item.split(",") if part.strip()]
        elif p.kind == "json":
            value = _json_value(p, value)
        elif p.choices and p.kind == "int":
            value = int(value)
        kwargs[p.name] = value
    _drop_unused_credentials(record, kwargs)
    return args, kwargs


def _drop_unused_credentials(record: C, kwargs: dict[str, Any]) -> None:
    """Leave out, with a warning, the credentials the chosen provider does not use (``--provider gc_storage`` while
    ``AVALA_S3_SECRET_ACCESS_KEY`` is exported): they are never sent where they have no use."""
    if record.credentials_of is None:
        return
    chooser, prefixes = record.credentials_of
    used = prefixes.get(str(kwargs.get(chooser)))
    if used is None:  # a value the table does not know: send what was given
        return
    for p in record.params:
        if p.secret and p.name in kwargs and not p.name.startswith(used):
            del kwargs[p.name]
            choice = f"--{chooser.replace('_', '-')} {kwargs[chooser]}"
            click.echo(f"avala: warning: {p.flags[0]} is not used by {choice}: not sent", err=True)


def target(ctx: click.Context, callee: str) -> Callable[..., Any]:
    """The SDK function of ``callee``: a client method, or a module function of ``avala``."""
    import avala

    from ._main import State

    state = ctx.find_object(State)
    assert state is not None
    if callee.startswith("avala."):  # a module function (signup): no key, only the base URL
        function: Callable[..., Any] = getattr(avala, callee.removeprefix("avala."))
        return functools.partial(function, base_url=state.settings().base_url)
    found: Any = state.client()
    for part in callee.split("."):
        found = getattr(found, part)
    return found  # type: ignore[no-any-return]


def printer(ctx: click.Context, values: dict[str, Any]) -> Printer:
    """The printer for the chosen format (-o of the command, else of ``avala``, else by terminal)."""
    from ._main import State, split_fields

    state = ctx.find_object(State)
    fmt = values.get("output") or (state.output if state else None)
    fmt = fmt or ("table" if sys.stdout.isatty() else "json")
    fields = split_fields(values.get("fields")) or (state.fields if state else None)
    return Printer(fmt, fields)


def confirm(ctx: click.Context, record: C, args: list[Any], values: dict[str, Any]) -> None:
    """Ask before a delete or a cancel: on a terminal (``--yes`` skips); elsewhere only ``--yes`` goes on."""
    if values.get("yes"):
        return
    what = f"{ctx.command_path} {' '.join(map(str, args))}".strip()
    if not (sys.stdin.isatty() and sys.stderr.isatty()):
        raise click.UsageError(f"refusing to run `{what}` without --yes: there is no terminal to confirm on", ctx=ctx)
    if not click.confirm(f"Run `{what}`?", default=False, err=True):
        raise click.UsageError("not confirmed", ctx=ctx)


def execute(ctx: click.Context, record: C, values: dict[str, Any]) -> None:
    """Call the SDK for ``record`` and print the result."""
    args, kwargs = arguments(ctx, record, values)
    if record.confirm:
        confirm(ctx, record, args, values)
    if record.input is not None:
        from ._input import run

        run(ctx, record, args, kwargs, values, lambda: target(ctx, record.callee))
        return
    function = target(ctx, record.callee)
    if record.kind == "wait":
        from ._wait import wait

        result = wait(function, record, args, values)
        printer(ctx, values).value(result)
        return
    result = function(*args, **kwargs)
    out = printer(ctx, values)
    if record.kind == "page":
        rows = result.iter_all() if values.get("walk") else result
        out.rows(rows)
        if not values.get("walk") and result.next_cursor and sys.stderr.isatty():
            click.echo(f"(more: --cursor {result.next_cursor}, or --all)", err=True)
    elif record.kind == "none":
        if sys.stderr.isatty():
            click.echo("done", err=True)
    else:
        out.value(result)
