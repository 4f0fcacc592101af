"""``avala configure``: check an API key and store it (with a base URL) in a profile of the config file."""

from __future__ import annotations

import os
import sys

import click

from ._config import DEFAULT_PROFILE, config_path, load, mask, save


def make(name: str, path: str) -> click.Command:
    """The ``configure`` command."""

    @click.command(
        "configure",
        help="Store an API key (and a base URL) in a profile of the config file: "
        f"{config_path()} (0600, in a 0700 directory). The key is read from --api-key, a hidden prompt on a "
        "terminal, or the first line of stdin; it is checked with GET /organizations/ unless --no-verify, and only "
        "ever shown masked. Choose the profile with avala --profile NAME configure (default: default).",
        short_help="Store an API key and base URL in a profile.",
    )
    @click.option("--api-key", metavar="KEY", help="The key (prefer the prompt or stdin: flags stay in history).")
    @click.option("--base-url", metavar="URL", help="The API base URL to store with it.")
    @click.option("--no-verify", is_flag=True, help="Store without checking the key against the API.")
    @click.pass_context
    def configure(ctx: click.Context, api_key: str | None, base_url: str | None, no_verify: bool) -> None:
        from ._main import State, classify

        state = ctx.find_object(State)
        assert state is not None
        profile = state.profile or os.environ.get("AVALA_PROFILE", "").strip() or DEFAULT_PROFILE
        interactive = sys.stdin.isatty()
        key = (api_key or state.api_key or "").strip()
        if not key:
            if interactive:
                key = click.prompt("API key", hide_input=True, err=True).strip()
            else:
                key = sys.stdin.readline().strip()
        if not key:
            raise click.UsageError("no API key given (--api-key, the prompt, or one line on stdin)", ctx=ctx)
        stored = load().get(profile, {})
        url = base_url or state.base_url
        if url is None and interactive:
            from .._config import DEFAULT_BASE_URL

            url = click.prompt("Base URL", default=stored.get("base_url") or DEFAULT_BASE_URL, err=True)
        from .. import Client

        client = Client(api_key=key, base_url=url or stored.get("base_url") or None)  # checks both
        if not no_verify:
            from ..errors import AvalaError

            try:
                with client:
                    page = client.organizations.list(limit=1)
                organization = f" (organization: {page[0].name})" if len(page) else ""
                click.echo(f"Key {mask(key)} works{organization}.", err=True)
            except AvalaError as error:
                _, message = classify(error)
                if not (interactive and click.confirm(f"The key check failed: {message}. Save anyway?", err=True)):
                    raise
        values = {"api_key": key}
        if url:
            values["base_url"] = url.rstrip("/")
        written = save(profile, values)
        click.echo(f"Saved profile {profile!r} in {written} (key {mask(key)}).", err=True)

    return configure
