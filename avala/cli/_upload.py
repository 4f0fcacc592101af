"""``avala datasets upload`` on ``client.datasets.create_from_local``, with a byte-accurate progress bar.

The SDK does the work (walk, resume state, quota preflight, presigned transfers, the dataset's creation); this command
measures the files first so that the bar knows its total, feeds the bar from the SDK's byte hook (files already stored
by an interrupted run count as done at once), and prints the dataset like any other command. The bar and the summary
go to stderr, and only on a terminal for the bar.
"""

from __future__ import annotations

import os
import time
from typing import Any

import click

from ._output import FORMATS

DATA_TYPES = ("image", "video", "lidar", "mcap", "splat")
_DEPRECATED = ("--dataset", "--storage-config", "--aws-profile")


def _files(source: str) -> list[tuple[str, str, int]]:
    """``(local path, path in the dataset, size)`` of what ``create_from_local`` will upload, as the SDK walks it."""
    from ..uploads import _state
    from ..uploads._datasets import gather_local_files

    return [
        (local, relative, os.path.getsize(local)) for local, relative in gather_local_files(source, _state.root_dir())
    ]


def make(name: str, path: str) -> click.Command:
    """The ``upload`` command of ``datasets``."""

    @click.command(
        "upload",
        help="Upload a local file or directory to Avala-managed storage and create a dataset from it "
        "(client.datasets.create_from_local). An interrupted upload resumes where it stopped when the same command "
        "runs again (--no-resume starts over). A progress bar (bytes, rate, ETA) is drawn on a terminal; the "
        "created dataset is printed like `avala datasets get`.",
        short_help="Upload local files and create a dataset.",
    )
    @click.option("--source", required=True, type=click.Path(exists=True), help="A file or a directory.")
    @click.option("--name", required=True, help="The dataset's name.")
    @click.option("--slug", required=True, help="The dataset's slug.")
    @click.option("--data-type", required=True, type=click.Choice(DATA_TYPES), help="What the files are.")
    @click.option("--owner", "owner_name", help="The owner (user or organization) name.")
    @click.option("--organization-uid", help="The organization that owns the dataset.")
    @click.option("--visibility", type=click.Choice(["private", "public"]), default="private", show_default=True)
    @click.option("--industry", type=int, help="Industry id.")
    @click.option("--license", "license_", type=int, help="License id.")
    @click.option("--create-metadata/--no-create-metadata", default=True, show_default=True)
    @click.option("--workers", type=click.IntRange(1, 64), default=8, show_default=True, help="Files in flight.")
    @click.option("--resume/--no-resume", default=True, show_default=True)
    @click.option("--dry-run", is_flag=True, help="List what would be uploaded; send nothing.")
    @click.option("--wait", is_flag=True, help="Wait until the dataset is created.")
    @click.option("--wait-timeout", type=float, default=3600.0, show_default=True, help="Seconds --wait waits.")
    @click.option("--dataset", "deprecated_dataset", hidden=True)
    @click.option("--storage-config", "deprecated_storage_config", hidden=True)
    @click.option("--aws-profile", "deprecated_aws_profile", hidden=True)
    @click.option("-o", "--output", type=click.Choice(FORMATS), help="Output format.")
    @click.option("--fields", metavar="A,B", help="Only these fields, in this order.")
    @click.pass_context
    def upload(ctx: click.Context, /, source: str, **options: Any) -> None:
        upload_local(ctx, source, options)

    return upload


def upload_local(ctx: click.Context, source: str, options: dict[str, Any]) -> None:
    """Upload ``source`` with ``client.datasets.create_from_local`` (the options of ``avala datasets upload``) and
    print the dataset; ``avala import folder`` runs it too."""
    from ._build import printer
    from ._main import State
    from ._progress import Progress, human

    for flag, value in zip(
        _DEPRECATED,
        (options["deprecated_dataset"], options["deprecated_storage_config"], options["deprecated_aws_profile"]),
        strict=True,
    ):
        if value is not None:
            raise click.UsageError(f"{flag} is no longer supported: uploads go to Avala-managed storage", ctx=ctx)
    if options["visibility"] != "private":
        raise click.UsageError("an uploaded dataset is created private (--visibility private)", ctx=ctx)
    files = _files(source)
    if not files:
        raise click.UsageError(f"no files found in {source}", ctx=ctx)
    total = sum(size for _, _, size in files)
    plan = {"name": options["name"], "slug": options["slug"], "data_type": options["data_type"]}
    click.echo(f"{source}: {len(files)} file(s), {human(total)} -> dataset {options['name']!r}", err=True)
    out = printer(ctx, options)
    if options["dry_run"]:
        for _, relative, size in files[:20]:
            click.echo(f"  {relative}  {human(size)}", err=True)
        if len(files) > 20:
            click.echo(f"  ... and {len(files) - 20} more", err=True)
        out.value({**plan, "files": len(files), "bytes": total, "dry_run": True})
        return
    state = ctx.find_object(State)
    assert state is not None
    client = state.client()
    sizes = {relative: size for _, relative, size in files}
    skipped: list[str] = []
    bar = Progress(total, "upload")

    def on_skipped(relative: str) -> None:
        skipped.append(relative)
        bar.advance(sizes.get(relative, 0))

    started = time.monotonic()
    try:
        dataset = client.datasets.create_from_local(
            source=source,
            name=options["name"],
            slug=options["slug"],
            data_type=options["data_type"],
            visibility=options["visibility"],
            create_metadata=options["create_metadata"],
            owner_name=options["owner_name"],
            industry=options["industry"],
            license=options["license_"],
            workers=options["workers"],
            wait=options["wait"],
            wait_timeout=options["wait_timeout"],
            organization_uid=options["organization_uid"],
            resume=options["resume"],
            on_skipped=on_skipped,
            on_bytes=lambda relative, delta: bar.advance(delta),
        )
    finally:
        bar.close()
    elapsed = time.monotonic() - started
    sent = total - sum(sizes.get(r, 0) for r in skipped)
    already = f" ({len(skipped)} already uploaded)" if skipped else ""
    click.echo(f"Done in {elapsed:.1f} s: {human(sent)} sent across {len(files)} file(s){already}.", err=True)
    out.value(dataset)
