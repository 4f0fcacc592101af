"""``avala fleet recordings upload`` on ``client.fleet.uploads.upload_recording`` (classic session) or
``upload_managed_recording`` (``--managed``, MCAP files), with a byte-accurate progress bar on a terminal."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import click

from ._output import FORMATS


def _files(source: str, managed: bool) -> list[tuple[str, int]]:
    """``(path in the recording, size)`` of the regular files under ``source`` (``.mcap`` ones with ``--managed``)."""
    found: list[tuple[str, int]] = []
    root = Path(source)
    for directory, subdirectories, names in os.walk(root):
        subdirectories.sort()
        for name in sorted(names):
            path = Path(directory) / name
            if path.is_symlink() or not path.is_file() or (managed and not name.lower().endswith(".mcap")):
                continue
            found.append((path.relative_to(root).as_posix(), path.stat().st_size))
    return found


def make(name: str, path: str) -> click.Command:
    """The ``upload`` command of ``fleet recordings``."""

    @click.command(
        "upload",
        help="Upload the files of a local directory to a recording, resumably: a classic upload session "
        "(client.fleet.uploads.upload_recording), or with --managed the managed MCAP protocol "
        "(upload_managed_recording). Running the same command again after a failure resumes where it stopped. A "
        "progress bar (bytes, rate, ETA) is drawn on a terminal; the session's final state is printed.",
        short_help="Upload a recording's files (resumable).",
    )
    @click.option("--source", required=True, type=click.Path(exists=True, file_okay=False), help="The directory.")
    @click.option("--recording", help="The recording's uid (it must exist).")
    @click.option("--device", help="The device (creating a recording from the command line is not supported).")
    @click.option("--storage-config", help="Storage configuration uid (classic only; default: the organization's).")
    @click.option("--managed", is_flag=True, help="Use the managed MCAP protocol (.mcap files only).")
    @click.option("--workers", type=click.IntRange(1, 16), help="Files (parts with --managed, 1-4) in flight.")
    @click.option("--dry-run", is_flag=True, help="List what would be uploaded; send nothing.")
    @click.option("--wait", is_flag=True, help="Wait until the server has processed the upload.")
    @click.option("--wait-timeout", type=click.FloatRange(0, 3600), default=600.0, show_default=True)
    @click.option("-o", "--output", type=click.Choice(FORMATS), help="Output format.")
    @click.option("--fields", metavar="A,B", help="Only these fields, in this order.")
    @click.pass_context
    def upload(ctx: click.Context, /, source: str, **options: Any) -> None:
        from ._build import printer
        from ._main import State
        from ._progress import Progress, human

        recording, managed, workers = options["recording"], options["managed"], options["workers"]
        if not recording:
            hint = " (creating recordings from the command line is not supported)" if options["device"] else ""
            raise click.UsageError(f"--recording is required{hint}", ctx=ctx)
        if managed and options["storage_config"]:
            raise click.UsageError("--managed uploads go to Avala-managed storage: drop --storage-config", ctx=ctx)
        if managed and workers is not None and workers > 4:
            raise click.UsageError("--managed takes --workers 1 to 4", ctx=ctx)
        files = _files(source, managed)
        if not files:
            raise click.UsageError(f"no {'.mcap ' if managed else ''}files found in {source}", ctx=ctx)
        total = sum(size for _, size in files)
        click.echo(f"{source}: {len(files)} file(s), {human(total)} -> recording {recording}", err=True)
        out = printer(ctx, options)
        if options["dry_run"]:
            for relative, size in files[:20]:
                click.echo(f"  {relative}  {human(size)}", err=True)
            if len(files) > 20:
                click.echo(f"  ... and {len(files) - 20} more", err=True)
            plan = {"recording": recording, "managed": managed, "files": len(files), "bytes": total, "dry_run": True}
            out.value(plan)
            return
        state = ctx.find_object(State)
        assert state is not None
        uploads = state.client().fleet.uploads
        bar = Progress(total, "upload")
        hook = {"on_bytes": lambda relative, delta: bar.advance(delta)}
        started = time.monotonic()
        try:
            if managed:
                timeout = options["wait_timeout"] if options["wait"] else 0
                result = uploads.upload_managed_recording(
                    recording, source, max_workers=workers or 2, wait_timeout=timeout, **hook
                )
            else:
                result = uploads.upload_recording(
                    recording, source, storage_config_uid=options["storage_config"], max_workers=workers or 4, **hook
                )
            bar.finish()
        finally:
            bar.close()
        click.echo(f"Done in {time.monotonic() - started:.1f} s: {len(files)} file(s), {human(total)}.", err=True)
        if options["wait"] and not managed:
            from .._wait import wait_until

            last: list[Any] = [None]

            def fetch() -> Any:
                status = uploads.get_upload_status(recording)
                if status.status != last[0]:
                    click.echo(f"status: {status.status} ({time.monotonic() - started:.0f} s)", err=True)
                last[0] = status.status
                return status

            interval = min(10.0, max(options["wait_timeout"] / 10, 0.5))
            result = wait_until(
                fetch, "fleet.uploads.wait", "status", ("completed", "abandoned"), interval, options["wait_timeout"]
            )
        out.value(result)

    return upload
