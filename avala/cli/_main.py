"""The root of the command line: global options, lazy groups, and errors as one line with a class exit code.

Groups and commands come from the generated table (:mod:`avala.cli._table`); a group makes the click command of a
name only when it is asked for (to run it, to print its help, or to complete it), so start-up costs the table and
click, not the 120 commands, and no HTTP stack until a command calls the API.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from importlib import import_module
from typing import Any, NoReturn

import click

from .._version import __version__
from ._table import COMMANDS, GROUPS

EXIT_CODES = (
    (0, "success"),
    (1, "any other error (a failed wait, an API error of another class)"),
    (2, "usage: a bad option or argument, an unknown profile, a refused confirmation"),
    (3, "authentication: no API key, or the API refused it (401, 403)"),
    (4, "not found (404)"),
    (5, "validation: the API rejected the input (400, 422)"),
    (6, "rate limited (429), after the retries"),
    (7, "server or network: 5xx, no response, a response that cannot be used"),
)

ROOT_HELP = f"""The Avala API from the shell: datasets, projects, exports, quality, fleet and more.

Every API operation is a command, `avala <group> <command>` (`avala fleet devices list`). Output is a table on a
terminal and JSON on a pipe (-o table|json|jsonl|yaml; --fields a,b to choose fields). Lists take --limit and
--cursor, or --all to walk every page. Credentials: --api-key, AVALA_API_KEY, or a profile saved by `avala
configure` (flag > environment > profile).

\b
Exit codes:
{chr(10).join(f"  {code}  {text}" for code, text in EXIT_CODES)}
"""

# Hand-written commands: group path -> command name -> module of avala.cli holding ``make(name)``.
HAND_WRITTEN: dict[str, dict[str, str]] = {
    "": {
        "configure": "_configure",
        "status": "_status",
        "completion": "_completion",
        "shell-completion": "_completion",
        "import": "_import",
        "lerobot": "_unsupported",
        "view": "_view",
    },
    "datasets": {"upload": "_upload", "resolve": "_unsupported"},
    "fleet recordings": {"upload": "_fleet_upload"},
}

_DEBUG = False


class UsageProblem(click.UsageError):
    """A usage error raised by the runner (exit 2)."""


@dataclass
class State:
    """The global options, and the client made from them on first use."""

    api_key: str | None = None
    base_url: str | None = None
    profile: str | None = None
    output: str | None = None
    fields: list[str] | None = None
    debug: bool = False
    _client: Any = field(default=None, repr=False)
    _settings: Any = field(default=None, repr=False)

    def settings(self) -> Any:
        """The resolved key and base URL (flag > environment > profile)."""
        if self._settings is None:
            from ._config import resolve

            self._settings = resolve(self.api_key, self.base_url, self.profile)
            if self.debug:
                click.echo(f"avala: debug: {self._settings.describe()}", err=True)
        return self._settings

    def client(self) -> Any:
        """The SDK client (made once; a missing key is an authentication error)."""
        if self._client is None:
            settings = self.settings()
            if not settings.api_key:
                raise MissingKey("no API key: pass --api-key, set AVALA_API_KEY, or run `avala configure` to store one")
            from .. import Client

            self._client = Client(api_key=settings.api_key, base_url=settings.base_url)
        return self._client

    def close(self) -> None:
        """Close the client's connections, if one was made."""
        if self._client is not None:
            self._client.close()


class MissingKey(Exception):
    """No API key from any source."""


def split_fields(value: str | None) -> list[str] | None:
    """``--fields a,b`` -> ``["a", "b"]``."""
    if not value:
        return None
    names = [name.strip() for name in value.split(",") if name.strip()]
    return names or None


def _find_group(path: str, name: str) -> str | None:
    """The group path of ``name`` under ``path`` (its own name or a published alias)."""
    for full, group in GROUPS.items():
        parent, _, own = full.rpartition(" ")
        if parent == path and (own == name or name in group.aliases):
            return full
    return None


class Group(click.Group):
    """A group of the table; its commands are built on demand."""

    def __init__(self, path: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.path = path

    def list_commands(self, ctx: click.Context) -> list[str]:
        children = [full.rpartition(" ")[2] for full in GROUPS if full.rpartition(" ")[0] == self.path]
        commands = list(COMMANDS.get(self.path, {})) + list(HAND_WRITTEN.get(self.path, {}))
        if self.path:
            group = GROUPS[self.path]
            commands += list(group.foreign) + list(group.dispatch)
        return sorted(set(children + commands))

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        sub = _find_group(self.path, name)
        if sub is not None:
            group = GROUPS[sub]
            aliases = f" (also: {', '.join(group.aliases)})" if group.aliases else ""
            return Group(sub, name=name, help=group.help + aliases, short_help=group.help)
        module = HAND_WRITTEN.get(self.path, {}).get(name)
        if module is not None:
            made: click.Command = import_module(f"{__package__}.{module}").make(name, self.path)
            return made
        commands = COMMANDS.get(self.path, {})
        here = GROUPS.get(self.path)
        from ._build import build

        if name in commands:
            return build(name, commands[name])
        if here is None:
            return None
        if name in here.aliases_of:
            return build(name, commands[here.aliases_of[name]])
        if name in here.foreign:
            other, command = here.foreign[name]
            return build(name, COMMANDS[other][command])
        if name in here.dispatch:
            plain, settings = here.dispatch[name]
            return build(name, commands[settings], plain=commands[plain])
        return None


def _root_callback(
    ctx: click.Context,
    api_key: str | None,
    base_url: str | None,
    profile: str | None,
    output: str | None,
    fields: str | None,
    debug: bool,
) -> None:
    global _DEBUG
    _DEBUG = debug
    state = State(api_key, base_url, profile, output, split_fields(fields), debug)
    ctx.obj = state
    ctx.call_on_close(state.close)
    if debug:  # the SDK's request log (it never shows the key), on stderr for this run only
        import logging

        log = logging.getLogger("avala")
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("avala: debug: %(message)s"))
        previous = log.level
        log.setLevel(logging.DEBUG)
        log.addHandler(handler)

        def restore() -> None:
            log.removeHandler(handler)
            log.setLevel(previous)

        ctx.call_on_close(restore)


def root() -> click.Group:
    """The ``avala`` group."""
    group = Group("", name="avala", help=ROOT_HELP, callback=click.pass_context(_root_callback))
    group.params = [
        click.Option(["--api-key"], metavar="KEY", help="API key (else AVALA_API_KEY, else the profile's)."),
        click.Option(["--base-url"], metavar="URL", help="API base URL (else AVALA_BASE_URL, else the profile's)."),
        click.Option(["--profile"], metavar="NAME", help="Config profile (else AVALA_PROFILE, else default)."),
        click.Option(
            ["-o", "--output"],
            type=click.Choice(["table", "json", "jsonl", "yaml"]),
            help="Output format [default: table on a terminal, json otherwise].",
        ),
        click.Option(["--fields"], metavar="A,B", help="Only these fields (columns), in this order."),
        click.Option(["--debug"], is_flag=True, help="Log each request to stderr; show tracebacks."),
        click.Option(
            ["--version"],
            is_flag=True,
            expose_value=False,
            is_eager=True,
            help="Show the version and exit.",
            callback=_print_version,
        ),
    ]
    return group


def _print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value and not ctx.resilient_parsing:
        click.echo(f"avala {__version__}")
        ctx.exit(0)


def classify(error: BaseException) -> tuple[int, str]:
    """The exit code and the one-line message of an error."""
    from .. import errors
    from ._config import ConfigError

    message = " ".join(str(error).split()) or type(error).__name__
    if isinstance(error, MissingKey):
        return 3, message
    if isinstance(error, ConfigError):
        return 2, message
    if isinstance(error, errors.AvalaError):
        # a failed chunk (annotations bulk-edit) exits as the request that failed
        probe = error.__cause__ if isinstance(error, errors.ChunkError) and error.__cause__ is not None else error
        request = getattr(error, "request_id", None)
        if request:
            message += f" (request id {request})"
        codes: tuple[tuple[type[BaseException], int], ...] = (
            (errors.AuthenticationError, 3),
            (errors.ForbiddenError, 3),
            (errors.NotFoundError, 4),
            (errors.ValidationError, 5),
            (errors.RateLimitError, 6),
            (errors.ServerError, 7),
            (errors.APIConnectionError, 7),
            (errors.APIResponseValidationError, 7),
        )
        code = next((c for cls, c in codes if isinstance(probe, cls)), 1)
        if code == 3 and isinstance(error, errors.AuthenticationError):
            message += " (check the key: --api-key, AVALA_API_KEY or `avala configure`)"
        if code == 6 and getattr(error, "retry_after", None):
            message += f" (retry after {error.retry_after:g} s)"
        return code, message
    if isinstance(error, TimeoutError):  # WaitTimeoutError
        return 1, message
    if isinstance(error, ValueError):
        return 2, message
    return 1, f"{type(error).__name__}: {message}"


def fail(code: int, message: str) -> NoReturn:
    """Print ``avala: error: <message>`` on stderr and exit with ``code``."""
    click.echo(f"avala: error: {message}", err=True)
    sys.exit(code)


def run(argv: list[str] | None = None) -> None:
    """Run the command line and exit with its status."""
    group = root()
    try:
        group.main(args=argv, prog_name="avala", standalone_mode=False)
    except click.exceptions.Exit as done:
        sys.exit(done.exit_code)
    except (click.exceptions.Abort, KeyboardInterrupt):
        click.echo("avala: aborted", err=True)
        sys.exit(130)
    except click.UsageError as error:
        hint = ""
        if error.ctx is not None:
            hint = f" (see `{error.ctx.command_path} --help`)"
        fail(2, " ".join(error.format_message().split()) + hint)
    except click.ClickException as error:
        fail(error.exit_code, " ".join(error.format_message().split()))
    except BrokenPipeError:  # the reader went away (`avala ... | head -1`): stop quietly, like the shell tools
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(0)
    except Exception as error:
        code, message = classify(error)
        if _DEBUG:
            import traceback

            traceback.print_exc()
        fail(code, message)
    sys.exit(0)
