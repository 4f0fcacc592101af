"""``avala import``: the published CLI's importers, on the SDK's helpers.

``folder`` uploads local files with ``client.datasets.create_from_local`` (as ``avala datasets upload``), the data
type found from the file names when ``--data-type`` is not given; ``cloud`` creates a zero-copy dataset over an
existing S3 or GCS bucket (``client.datasets.create`` with a provider configuration; :mod:`avala.cli._cloud`).
``lerobot`` and ``rosbag`` convert robotics recordings to MCAP, which needs heavy libraries this package does not
have: they exist, say so, and exit 1.
"""

from __future__ import annotations

from typing import Any

import click

from ._unsupported import unsupported

DATA_TYPES = ("image", "video", "lidar", "mcap", "splat")
# the file suffixes the service indexes, per data type (as the published importer checks them)
INDEXED: dict[str, tuple[str, ...]] = {
    "image": (".jpg", ".jpeg", ".png", ".webp", ".bmp", ".gif", ".tif", ".tiff"),
    "video": (".mp4", ".webm", ".mkv", ".mov", ".episode"),
    "lidar": (".alp", ".alp.gz"),
    "mcap": (".mcap",),
    "splat": (".ply", ".compressed.ply", ".splat", ".sog", ".spz", ".ksplat"),
}
SOURCES = ("cloud", "folder")  # what `avala import list` prints: the importers that run here
_WHY = "it converts to MCAP with libraries this package does not ship (the published package's importer extras)"


def detect_data_type(names: list[str]) -> str:
    """The one data type the file names' suffixes say; ``ValueError`` when none is known or they disagree."""
    found = {kind for name in names for kind, suffixes in INDEXED.items() if name.lower().endswith(suffixes)}
    if not found:
        raise ValueError(
            "could not infer data_type from file extensions; pass --data-type (one of: image, video, lidar, mcap, "
            "splat)"
        )
    if len(found) > 1:
        raise ValueError(f"mixed data types detected ({sorted(found)}); pass --data-type to choose one")
    return found.pop()


def make(name: str, path: str) -> click.Command:
    """The ``import`` group."""
    group = click.Group(
        name,
        help="Import datasets from external sources: a local folder (uploaded) or a cloud bucket (zero-copy).",
        short_help="Import datasets from a folder or a cloud bucket.",
    )

    @group.command("list", help="List the available import sources.")
    def list_sources() -> None:
        for source in SOURCES:
            click.echo(source)

    @group.command(
        "folder",
        help="Create a dataset from a local file or directory (client.datasets.create_from_local), the data type "
        "found from the file extensions unless --data-type is given. Re-running resumes an interrupted upload.",
        short_help="Create a dataset from a local file or directory.",
    )
    @click.option("--source", required=True, type=click.Path(exists=True), help="A file or a directory.")
    @click.option("--name", required=True, help="The dataset's name.")
    @click.option("--slug", required=True, help="The dataset's slug.")
    @click.option("--data-type", type=click.Choice(DATA_TYPES), help="Override the data type found from the files.")
    @click.option("--owner", "owner_name", help="The owner (user or organization) name.")
    @click.option("--organization-uid", help="The organization that owns the dataset.")
    @click.option("--workers", type=click.IntRange(1, 64), default=8, show_default=True, help="Files in flight.")
    @click.option("--resume/--no-resume", default=True, show_default=True)
    @click.option("--wait/--no-wait", default=False, show_default=True, help="Wait until the dataset is created.")
    @click.option("-o", "--output", type=click.Choice(("table", "json", "jsonl", "yaml")), help="Output format.")
    @click.option("--fields", metavar="A,B", help="Only these fields, in this order.")
    @click.pass_context
    def folder(ctx: click.Context, /, source: str, **options: Any) -> None:
        from ._upload import _files, upload_local

        names = [relative for _, relative, _ in _files(source)]
        if not names:
            raise click.UsageError(f"no files found in {source}", ctx=ctx)
        data_type = options["data_type"] or detect_data_type(names)
        if not any(name.lower().endswith(INDEXED[data_type]) for name in names):
            raise ValueError(
                f"none of the files are indexable as data_type={data_type!r}; the service only ingests "
                f"{', '.join(INDEXED[data_type])} for this type"
            )
        settings = {
            **options,
            "data_type": data_type,
            "visibility": "private",
            "create_metadata": True,
            "industry": None,
            "license_": None,
            "dry_run": False,
            "wait_timeout": 3600.0,
            "deprecated_dataset": None,
            "deprecated_storage_config": None,
            "deprecated_aws_profile": None,
        }
        upload_local(ctx, source, settings)

    @group.command(
        "cloud",
        help="Create a zero-copy dataset over an existing S3 or GCS bucket (URI s3://bucket/prefix or "
        "gs://bucket/prefix, or a saved --storage-config): nothing is uploaded, the service indexes the objects "
        "in place (client.datasets.create with a provider configuration). S3 needs --region and either --role-arn "
        "(keyless, with an organization) or --access-key-id and --secret-access-key; GCS needs --gcs-auth-json "
        "(the JSON or a path to it).",
        short_help="Create a zero-copy dataset over an S3/GCS bucket.",
    )
    @click.argument("uri", required=False)
    @click.option("--name", required=True, help="The dataset's name.")
    @click.option("--slug", required=True, help="The dataset's slug.")
    @click.option("--data-type", required=True, type=click.Choice(DATA_TYPES), help="What the objects are.")
    @click.option("--storage-config", "storage_config_uid", help="A saved, verified storage config's UID.")
    @click.option("--region", envvar="AWS_REGION", help="S3 bucket region [env: AWS_REGION].")
    @click.option("--access-key-id", envvar="AWS_ACCESS_KEY_ID", help="S3 access key id [env: AWS_ACCESS_KEY_ID].")
    @click.option(
        "--secret-access-key",
        envvar="AWS_SECRET_ACCESS_KEY",
        help="S3 secret access key [env: AWS_SECRET_ACCESS_KEY; prefer it to the flag].",
    )
    @click.option("--role-arn", help="IAM role Avala assumes (keyless S3; needs an organization).")
    @click.option("--accelerated", is_flag=True, help="The bucket uses S3 Transfer Acceleration.")
    @click.option("--gcs-auth-json", help="GCS service-account JSON, or a path to the .json file.")
    @click.option("--include-extensions", help="Comma-separated extensions to index (e.g. jpg,png).")
    @click.option("--ignore-paths", help="Comma-separated paths to skip.")
    @click.option("--owner", "owner_name", help="The owner (user or organization) name.")
    @click.option("--organization-uid", help="The organization that owns the dataset.")
    @click.option("--organization-id", type=int, help="The owning organization's numeric id (prefer the UID).")
    @click.option("--wait/--no-wait", default=False, show_default=True, help="Wait until the service indexed it.")
    @click.option("-o", "--output", type=click.Choice(("table", "json", "jsonl", "yaml")), help="Output format.")
    @click.option("--fields", metavar="A,B", help="Only these fields, in this order.")
    @click.pass_context
    def cloud(ctx: click.Context, /, uri: str | None, **options: Any) -> None:
        from ._build import printer
        from ._cloud import import_cloud
        from ._main import State

        if ctx.get_parameter_source("secret_access_key") == click.core.ParameterSource.COMMANDLINE:
            click.echo(
                "avala: warning: --secret-access-key on the command line stays in shell history; prefer "
                "AWS_SECRET_ACCESS_KEY",
                err=True,
            )
        state = ctx.find_object(State)
        assert state is not None
        settings = {k: v for k, v in options.items() if k not in ("output", "fields")}
        printer(ctx, options).value(import_cloud(state.client(), uri=uri, **settings))

    group.add_command(unsupported("lerobot", "import lerobot", _WHY, "Import a LeRobot dataset as an MCAP dataset."))
    group.add_command(unsupported("rosbag", "import rosbag", _WHY, "Import a ROS bag as an MCAP dataset."))
    return group
