"""One redaction rule for every path a server's bytes take to the user: a credential the request carried, or the
API key, echoed by a hostile server in an unparseable 2xx body, an error body, ``X-Request-Id`` or the
``X-RateLimit-*`` headers never reaches ``str(error)``, ``error.body``, ``error.request_id``, ``rate_limit_info``,
a ``RawResponse`` or an ``AVALA_LOG=debug`` line. Sync and async alike."""

from __future__ import annotations

import logging
from typing import Any

import pytest

import avala
from avala.errors import APIResponseValidationError, AvalaError, NotFoundError
from tests.conftest import API_KEY
from tests.test_faults import DATASET, Loopback, get, make_probe, reply

STORAGE_SECRET = "wJalrXUtnFEMIK7MDENGbPxRfiCYzEXAMPLEKEY"  # the shape of an AWS secret access key
PASSWORD = "correct horse battery staple 42"


def create_storage(client: Any) -> Any:
    return client.storage_configs.create(
        name="raw",
        provider="aws_s3",
        s3_bucket_name="b",
        s3_access_key_id="AKIAEXAMPLE",
        s3_secret_access_key=STORAGE_SECRET,
    )


def seen_by_user(error: AvalaError) -> str:
    return " ".join(str(part) for part in (error, repr(error), error.body, error.request_id, error.message))


@pytest.mark.parametrize("status", [201, 400, 500])
async def test_an_echoed_storage_secret_is_redacted_whatever_the_status(
    mode: str, server: Loopback, status: int, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="avala")
    echo = f"<html>could not save {STORAGE_SECRET} (key {API_KEY})</html>"
    server.script = [reply(status, echo, {"X-Request-Id": STORAGE_SECRET})]
    probe = make_probe(mode, server.base, max_retries=0)
    try:
        with pytest.raises(AvalaError) as info:
            await probe.run(create_storage)
        if status == 201:
            assert type(info.value) is APIResponseValidationError
        text = seen_by_user(info.value)
        assert "could not save" in text  # the excerpt is still there, only the secrets are gone
        assert STORAGE_SECRET not in text and API_KEY not in text
        assert STORAGE_SECRET not in caplog.text and API_KEY not in caplog.text
    finally:
        await probe.close()


async def test_an_echoed_signup_password_is_redacted_on_a_2xx(mode: str, server: Loopback) -> None:
    server.script = [reply(200, f"welcome! your password is {PASSWORD}")]
    with pytest.raises(APIResponseValidationError) as info:
        if mode == "sync":
            avala.signup(email="a@b.c", password=PASSWORD, base_url=server.base)
        else:
            await avala.async_signup(email="a@b.c", password=PASSWORD, base_url=server.base)
    assert "welcome!" in str(info.value) and PASSWORD not in seen_by_user(info.value)


async def test_headers_echoing_the_key_are_redacted(
    mode: str, server: Loopback, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="avala")
    hostile = {"X-Request-Id": f"req {API_KEY}", "X-RateLimit-Remaining": API_KEY, "X-RateLimit-Limit": "100"}
    server.script = [
        reply(200, DATASET, hostile),
        reply(404, {"detail": "Not found."}, hostile),
        reply(200, DATASET, hostile),
    ]
    probe = make_probe(mode, server.base)
    try:
        await probe.run(get)
        info = probe.client.rate_limit_info
        assert info["limit"] == "100" and info["x-ratelimit-limit"] == "100"
        assert info["remaining"] == "[redacted]" and API_KEY not in str(info)
        with pytest.raises(NotFoundError) as error:
            await probe.run(get)
        assert error.value.request_id == "req [redacted]"
        raw = await probe.run(lambda client: client.with_raw_response.datasets.get("ds-1"))
        assert raw.request_id == "req [redacted]" and API_KEY not in repr(raw)
        assert "request_id=req [redacted]" in caplog.text and API_KEY not in caplog.text
    finally:
        await probe.close()


async def test_a_plain_request_id_is_kept(mode: str, server: Loopback) -> None:
    server.script = [reply(404, {"detail": "Not found."}, {"X-Request-Id": "0d4f6a5e-2b1c-4f7e-9a3d-8c2b1e0f9a7d"})]
    probe = make_probe(mode, server.base)
    try:
        with pytest.raises(NotFoundError) as error:
            await probe.run(get)
        assert error.value.request_id == "0d4f6a5e-2b1c-4f7e-9a3d-8c2b1e0f9a7d"
    finally:
        await probe.close()
