"""``avala view FILE``: open a local MCAP file in the Mission Control viewer, with no account and no API key.

The server (:mod:`avala.cli._view_server`, standard library only) is loaded when the command runs, so that
``avala --help`` does not pay for ``http.server``.
"""

from __future__ import annotations

import os

import click

DEFAULT_VIEWER = "https://avala.ai"


def make(name: str, path: str) -> click.Command:
    """The ``view`` command."""

    @click.command(
        name,
        help="Open a local MCAP FILE in the Mission Control viewer, no account needed: the file is served on "
        "127.0.0.1 (HTTP range requests, readable by the viewer's origin only) until Ctrl-C, and the hosted viewer "
        "opens in a browser pointed at it (--no-browser prints its URL on stdout). The file never leaves the "
        "machine.",
        short_help="Open a local MCAP file in the Mission Control viewer.",
    )
    @click.argument("file", type=click.Path(exists=True, dir_okay=False))
    @click.option("--port", type=click.IntRange(0, 65535), default=0, help="Local port [default: any free one].")
    @click.option(
        "--viewer-url",
        "viewer",
        envvar="AVALA_VIEWER_URL",
        default=DEFAULT_VIEWER,
        show_default=True,
        help="The Mission Control web app [env: AVALA_VIEWER_URL].",
    )
    @click.option("--no-browser", is_flag=True, help="Print the viewer URL instead of opening a browser.")
    @click.option("--force", is_flag=True, help="Serve the file even if it does not start like an MCAP file.")
    def view(file: str, port: int, viewer: str, no_browser: bool, force: bool) -> None:
        from ._view_server import MAGIC, FileServer, origin_of, viewer_url

        origin = origin_of(viewer)
        if not origin:
            raise click.BadParameter(f"not an absolute URL: {viewer!r}", param_hint="--viewer-url")
        server = FileServer(file, port, origin)
        if not force and server.read_at(0, len(MAGIC)) != MAGIC:
            server.server_close()
            raise click.ClickException(f"{file} does not look like an MCAP file (no MCAP magic); --force serves it")
        host, bound = str(server.server_address[0]), int(server.server_address[1])
        url = viewer_url(viewer, host, bound)
        click.echo(f"Serving {os.path.basename(file)} on http://{host}:{bound} (local only); Ctrl-C stops.", err=True)
        if no_browser:
            click.echo(url)
        else:
            import webbrowser

            click.echo(f"Opening {url}", err=True)
            if not webbrowser.open(url):
                click.echo(url)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            click.echo("Stopped.", err=True)
        finally:
            server.server_close()

    return view
