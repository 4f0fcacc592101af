"""Real S3 storage on loopback for the upload tests: a moto server, and a fault-injecting proxy in front of it.

- :func:`start_moto` starts ``moto.server.ThreadedMotoServer`` on an ephemeral loopback port (the session fixture
  ``moto_server`` in ``tests/conftest.py`` does it once per session).
- :class:`S3` wraps a boto3 client on that server: buckets, presigned POSTs / PUTs / multipart part URLs, reading
  objects back.
- :class:`FaultProxy` forwards storage requests to moto unchanged (Host header included, so presigned signatures
  hold) and injects the faults a test queues: an HTTP status (5xx, 429 with ``Retry-After``...) or a connection
  dropped after N bytes of the body. The upload fault tests mint their URLs against the proxy.

Tests widen the storage allow-list to these loopback origins with ``AVALA_STORAGE_HOSTS`` (see ``allow_loopback``).
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

REGION = "us-east-1"
KEY_ID = "testing"
SECRET = "testing"


def start_moto() -> Any:
    """A started ``ThreadedMotoServer`` on 127.0.0.1 with an ephemeral port; ``.stop()`` it."""
    import logging

    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per request otherwise
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    return server


class S3:
    """A boto3 S3 client on one endpoint (the moto server, or a proxy in front of it)."""

    def __init__(self, endpoint: str) -> None:
        import boto3
        from botocore.config import Config

        self.endpoint = endpoint
        self.client = boto3.client(
            "s3",
            endpoint_url=endpoint,
            region_name=REGION,
            aws_access_key_id=KEY_ID,
            aws_secret_access_key=SECRET,
            config=Config(signature_version="s3v4", s3={"addressing_style": "path"}),
        )

    def with_endpoint(self, endpoint: str) -> S3:
        """The same storage reached through another endpoint (a proxy)."""
        return S3(endpoint)

    def create_bucket(self, name: str) -> None:
        """Create a bucket (no error if it exists)."""
        with contextlib.suppress(self.client.exceptions.BucketAlreadyOwnedByYou):
            self.client.create_bucket(Bucket=name)

    def presigned_post(self, bucket: str, key: str, content_type: str | None = None) -> dict[str, Any]:
        """``{url, fields}`` of a presigned form POST for one key."""
        fields = {"Content-Type": content_type} if content_type else None
        conditions = [{"Content-Type": content_type}] if content_type else None
        return dict(
            self.client.generate_presigned_post(bucket, key, Fields=fields, Conditions=conditions, ExpiresIn=3600)
        )

    def presigned_put(self, bucket: str, key: str) -> str:
        """A presigned PUT URL for one key."""
        return str(
            self.client.generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": key}, ExpiresIn=3600)
        )

    def create_multipart(self, bucket: str, key: str) -> str:
        """Start a multipart upload; its upload id."""
        return str(self.client.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"])

    def presigned_part(self, bucket: str, key: str, upload_id: str, number: int) -> str:
        """A presigned PUT URL for one part."""
        return str(
            self.client.generate_presigned_url(
                "upload_part",
                Params={"Bucket": bucket, "Key": key, "UploadId": upload_id, "PartNumber": number},
                ExpiresIn=3600,
            )
        )

    def list_parts(self, bucket: str, key: str, upload_id: str) -> list[dict[str, Any]]:
        """The parts stored for a multipart upload: ``[{PartNumber, Size, ETag}]``."""
        parts = self.client.list_parts(Bucket=bucket, Key=key, UploadId=upload_id).get("Parts", [])
        return [dict(p) for p in parts]

    def complete_multipart(self, bucket: str, key: str, upload_id: str) -> None:
        """Complete a multipart upload with every stored part."""
        parts = [{"PartNumber": p["PartNumber"], "ETag": p["ETag"]} for p in self.list_parts(bucket, key, upload_id)]
        self.client.complete_multipart_upload(
            Bucket=bucket, Key=key, UploadId=upload_id, MultipartUpload={"Parts": parts}
        )

    def read(self, bucket: str, key: str) -> bytes:
        """An object's bytes."""
        return bytes(self.client.get_object(Bucket=bucket, Key=key)["Body"].read())

    def exists(self, bucket: str, key: str) -> bool:
        """Whether an object is stored."""
        try:
            self.client.head_object(Bucket=bucket, Key=key)
        except Exception:
            return False
        return True

    def keys(self, bucket: str) -> list[str]:
        """Every key in a bucket."""
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=bucket)
        return sorted(obj["Key"] for page in pages for obj in page.get("Contents", []))


@dataclass
class Forwarded:
    """A request the proxy forwarded: method, path with query, body size, headers."""

    method: str
    path: str
    size: int
    headers: dict[str, str]


@dataclass
class Fault:
    """One fault: for the next ``times`` requests matching ``match(method, path_and_query)``, answer ``status`` (with
    ``headers``) without forwarding, or, with ``drop_after``, read that many body bytes then drop the connection."""

    match: Callable[[str, str], bool]
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    drop_after: int | None = None
    times: int = 1


class FaultProxy:
    """A loopback HTTP proxy to the moto server that injects queued :class:`Fault` s; counts what it forwards."""

    def __init__(self, upstream_host: str, upstream_port: int) -> None:
        self.upstream = (upstream_host, upstream_port)
        self.faults: list[Fault] = []
        self.requests: list[Forwarded] = []  # every request forwarded to moto
        self.lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                return None

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                fault = proxy._take(self.command, self.path)
                if fault is not None and fault.drop_after is not None:
                    self.rfile.read(min(length, fault.drop_after))
                    self.connection.shutdown(socket.SHUT_RDWR)
                    self.close_connection = True
                    return
                body = self.rfile.read(length) if length else b""
                if fault is not None and fault.status is not None:
                    payload = b"<Error><Code>InjectedFault</Code><Message>injected by the test</Message></Error>"
                    self.send_response(fault.status)
                    for name, value in fault.headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                    return
                with proxy.lock:
                    proxy.requests.append(Forwarded(self.command, self.path, len(body), dict(self.headers.items())))
                upstream = http.client.HTTPConnection(*proxy.upstream, timeout=60)
                try:
                    headers = {k: v for k, v in self.headers.items() if k.lower() not in ("connection",)}
                    upstream.request(self.command, self.path, body=body, headers=headers)
                    response = upstream.getresponse()
                    data = response.read()
                finally:
                    upstream.close()
                self.send_response(response.status)
                for name, value in response.getheaders():
                    if name.lower() not in ("content-length", "transfer-encoding", "connection", "server", "date"):
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = _handle

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    @property
    def endpoint(self) -> str:
        """``http://127.0.0.1:<port>``."""
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def add(self, fault: Fault) -> None:
        """Queue a fault."""
        with self.lock:
            self.faults.append(fault)

    def _take(self, method: str, path: str) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.times > 0 and fault.match(method, path):
                    fault.times -= 1
                    return fault
        return None

    def reset(self) -> None:
        """Forget faults and counted requests."""
        with self.lock:
            self.faults.clear()
            self.requests.clear()

    def close(self) -> None:
        """Stop serving."""
        self.server.shutdown()
        self.server.server_close()
