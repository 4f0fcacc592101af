"""``avala import cloud``: a zero-copy dataset over an existing S3 or GCS bucket, as the published importer makes it.

Nothing is uploaded: ``client.datasets.create`` gets a provider configuration naming the bucket, its prefix and the
credentials, and the service indexes the objects in place. A saved storage config (``--storage-config``, which
needs the owning ``--organization-uid``) supplies the bucket, prefix, region and acceleration; never credentials,
which the service does not return. Credentials are never part of an error message.
"""

from __future__ import annotations

import os
from typing import Any

SCHEMES = (("s3://", "aws_s3"), ("gs://", "gc_storage"), ("gcs://", "gc_storage"))


def parse_uri(uri: str) -> tuple[str, str, str]:
    """``s3://bucket/prefix`` or ``gs://bucket/prefix`` -> ``(provider, bucket, prefix)``."""
    for scheme, provider in SCHEMES:
        if uri.startswith(scheme):
            bucket, _, prefix = uri[len(scheme) :].partition("/")
            if not bucket:
                raise ValueError(f"missing bucket in cloud URI {uri!r}")
            return provider, bucket, prefix
    raise ValueError(f"unsupported cloud URI {uri!r}; expected s3://... or gs://...")


def _csv(value: str | None) -> str | None:
    joined = ",".join(part.strip() for part in (value or "").split(",") if part.strip())
    return joined or None


def _gcs_auth(value: str) -> str:
    """The service-account JSON: the value itself, or the file it names (never echoed: it is a private key)."""
    if value.lstrip().startswith("{"):
        return value
    if os.path.isfile(value):
        with open(value, encoding="utf-8") as handle:
            return handle.read()
    raise ValueError("--gcs-auth-json is neither inline JSON nor the path of an existing file")


def _from_config(
    client: Any, uid: str, uri: str | None, region: str | None, organization_uid: str | None
) -> tuple[str, str, str, str | None, bool]:
    """``(provider, bucket, prefix, region, accelerated)`` of a saved, verified storage config (a URI may narrow its
    prefix inside the same bucket)."""
    if not organization_uid:
        raise ValueError(
            "--organization-uid is required with --storage-config: storage configs belong to an organization, and "
            "the dataset must be created under the same one"
        )
    slug = client.organizations.slug_for_uid(organization_uid)
    if slug is None:
        raise ValueError(f"could not resolve organization {organization_uid}: you must be a member of it")
    config = client.storage_configs.get(uid, organization=slug)
    if not config.is_verified:
        raise ValueError(
            f"storage config {config.name!r} has not been verified: run `avala storage-configs test {uid}` and fix "
            "the access it reports"
        )
    if config.provider == "aws_s3":
        bucket, prefix = config.s3_bucket_name or "", config.s3_bucket_prefix or ""
        region, accelerated = config.s3_bucket_region or region, bool(config.s3_is_accelerated)
    else:
        bucket, prefix, accelerated = config.gc_storage_bucket_name or "", config.gc_storage_prefix or "", False
    if not bucket:
        raise ValueError(f"storage config {config.name!r} has no bucket configured")
    if uri:
        provider, uri_bucket, uri_prefix = parse_uri(uri)
        if provider != config.provider:
            raise ValueError(f"{uri} is a {provider} URI but storage config {config.name!r} is {config.provider}")
        if uri_bucket != bucket:
            raise ValueError(f"{uri} is not in bucket {bucket!r} of storage config {config.name!r}")
        boundary = prefix if prefix.endswith("/") or not prefix else f"{prefix}/"
        if prefix and uri_prefix != prefix and not uri_prefix.startswith(boundary):
            raise ValueError(f"{uri} is outside storage config {config.name!r}'s prefix {prefix!r}")
        prefix = uri_prefix
    return str(config.provider), bucket, prefix, region, accelerated


def import_cloud(
    client: Any,
    *,
    uri: str | None,
    name: str,
    slug: str,
    data_type: str,
    storage_config_uid: str | None,
    region: str | None,
    access_key_id: str | None,
    secret_access_key: str | None,
    role_arn: str | None,
    accelerated: bool,
    gcs_auth_json: str | None,
    include_extensions: str | None,
    ignore_paths: str | None,
    owner_name: str | None,
    organization_uid: str | None,
    organization_id: int | None,
    wait: bool,
) -> Any:
    """Create the dataset (and wait for it with ``wait``); the published ``avala.importers.import_cloud``."""
    if not uri and not storage_config_uid:
        raise ValueError("give a cloud URI (s3://... or gs://...) or --storage-config")
    if role_arn and organization_id is None and organization_uid is None:
        raise ValueError("keyless S3 imports (--role-arn) need an owning organization: --organization-uid")
    if storage_config_uid and organization_id is not None and organization_uid is None:
        raise ValueError("--storage-config needs --organization-uid (--organization-id cannot scope it)")
    if storage_config_uid:
        provider, bucket, prefix, region, accelerated = _from_config(
            client, storage_config_uid, uri, region, organization_uid
        )
    else:
        assert uri is not None
        provider, bucket, prefix = parse_uri(uri)
    config: dict[str, Any] = {"provider": provider}
    if provider == "aws_s3":
        if not region:
            raise ValueError("--region is required for S3 imports (e.g. us-west-2)")
        config.update(
            s3_bucket_name=bucket, s3_bucket_prefix=prefix, s3_bucket_region=region, s3_is_accelerated=accelerated
        )
        if role_arn:
            config.update(s3_auth_method="iam_role", s3_role_arn=role_arn)
        elif access_key_id and secret_access_key:
            config.update(
                s3_auth_method="access_key", s3_access_key_id=access_key_id, s3_secret_access_key=secret_access_key
            )
        elif storage_config_uid:
            raise ValueError(
                "a storage config supplies the bucket, region and prefix, not credentials (the service never returns "
                "them): give --role-arn, or --access-key-id and --secret-access-key"
            )
        else:
            raise ValueError("S3 needs credentials: --role-arn (keyless), or --access-key-id and --secret-access-key")
    else:
        if not gcs_auth_json:
            raise ValueError("--gcs-auth-json (the service-account JSON or its path) is required for GCS")
        config.update(
            gc_storage_bucket_name=bucket,
            gc_storage_prefix=prefix,
            gc_storage_auth_json_content=_gcs_auth(gcs_auth_json),
        )
    for key, value in (("included_extensions", include_extensions), ("ignored_paths", ignore_paths)):
        if _csv(value):
            config[key] = _csv(value)
    dataset = client.datasets.create(
        name=name,
        slug=slug,
        data_type=data_type,
        visibility="private",
        create_metadata=True,
        provider_config=config,
        owner_name=owner_name,
        organization_id=organization_id,
        organization_uid=organization_uid,
    )
    if wait:
        dataset = client.datasets.wait(dataset.uid, status="created", timeout=3600.0)
    return dataset
