"""The storage-host allow-list and its one setting, AVALA_STORAGE_HOSTS."""

from __future__ import annotations

import pytest

from avala.uploads._allow import StorageHostError, check_storage_url

ALLOWED = [
    "https://data.avala.ai/bucket/key?X-Amz-Signature=abc",
    "https://0123456789abcdef0123456789abcdef.r2.cloudflarestorage.com/b/k",
    "https://0123456789abcdef0123456789abcdef.eu.r2.cloudflarestorage.com/b/k",
    "https://s3.amazonaws.com/bucket/key",
    "https://s3.us-west-2.amazonaws.com/bucket/key",
    "https://my-bucket.s3.us-west-2.amazonaws.com/key",
    "https://my.dotted.bucket.s3.eu-central-1.amazonaws.com/key",
    "https://s3-accelerate.amazonaws.com/key",
    "https://bucket.s3-accelerate.amazonaws.com/key",
    "https://s3-us-west-2.amazonaws.com/key",
    "https://bucket.s3.dualstack.us-east-1.amazonaws.com/key",
    "https://storage.googleapis.com/bucket/key",
    "https://bucket.storage.googleapis.com/key",
    "https://account.blob.core.windows.net/container/blob?sig=abc",
]

REFUSED = [
    "http://data.avala.ai/key",  # not https
    "https://user:pw@data.avala.ai/key",  # user-info
    "https://data.avala.ai:8443/key",  # explicit port
    "https://data.avala.ai/key#frag",  # fragment
    "https://evil.example.com/key",
    "https://data.avala.ai.evil.com/key",
    "https://ec2.us-east-1.amazonaws.com/",  # amazonaws.com, not S3
    "https://bucket.execute-api.us-east-1.amazonaws.com/",
    "https://amazonaws.com/key",
    "https://abc.r2.cloudflarestorage.com/key",  # not a 32-hex account
    "https://storage.googleapis.com.evil.com/key",
    "https://blob.core.windows.net/key",
    "https://127.0.0.1:9000/key",  # loopback, but not allowed by the setting
    "ftp://data.avala.ai/key",
    "not a url",
]


@pytest.mark.parametrize("url", ALLOWED)
def test_storage_hosts_of_the_protocol_pass(url: str) -> None:
    assert check_storage_url(url).host


@pytest.mark.parametrize("url", REFUSED)
def test_anything_else_is_refused(url: str) -> None:
    with pytest.raises(StorageHostError):
        check_storage_url(url)


def test_the_message_names_the_host_never_the_signed_path_or_query() -> None:
    with pytest.raises(StorageHostError) as info:
        check_storage_url("https://evil.example.com/secret/path?X-Amz-Signature=deadbeef&token=x")
    message = str(info.value)
    assert "evil.example.com" in message and "AVALA_STORAGE_HOSTS" in message
    assert "secret" not in message and "deadbeef" not in message and "token" not in message


def test_the_setting_widens_the_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AVALA_STORAGE_HOSTS", "minio.internal, *.objects.example.com http://127.0.0.1:9000")
    assert check_storage_url("https://minio.internal/b/k").host == "minio.internal"
    assert check_storage_url("https://a.objects.example.com/b/k")
    assert check_storage_url("http://127.0.0.1:9000/b/k").port == 9000
    for url in (
        "https://objects.example.com/k",  # the wildcard is for subdomains
        "http://minio.internal/k",  # a bare host entry is https only
        "https://minio.internal:9000/k",  # and without a port
        "http://127.0.0.1:9001/k",  # another port
        "https://evil.example.com/k",
    ):
        with pytest.raises(StorageHostError):
            check_storage_url(url)


def test_plain_http_is_for_loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AVALA_STORAGE_HOSTS", "http://minio.internal:9000")
    with pytest.raises(StorageHostError, match="loopback"):
        check_storage_url("http://minio.internal:9000/b/k")


def test_it_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        check_storage_url("https://evil.example.com/")
