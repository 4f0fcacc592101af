"""Safe inputs and safe outputs: path parameters cannot reach another endpoint, bad identifiers fail before any
request, the API key travels only over HTTPS to the API host, and credentials never show in messages or reprs."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from pytest_httpx import HTTPXMock

import avala
from avala import AsyncClient, Client
from avala._redaction import REDACTED, redact, redact_text
from avala.errors import AvalaError, ValidationError
from tests.conftest import API_KEY, BASE
from tests.test_faults import DATASET, make_probe


@pytest.fixture(params=["sync", "async"])
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


# --- path parameters ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("identifier", "segment"),
    [
        ("a/b", "a%2Fb"),
        ("a/../../admin", "a%2F..%2F..%2Fadmin"),
        ("?x=1", "%3Fx%3D1"),
        ("#frag", "%23frag"),
        ("%2F", "%252F"),
        ("...", "..."),
        (" .. ", "%20..%20"),
        ("a b", "a%20b"),
        ("back\\slash", "back%5Cslash"),
        ("nul\x00", "nul%00"),
        ("ünïcødé", "%C3%BCn%C3%AFc%C3%B8d%C3%A9"),
        ("名前", "%E5%90%8D%E5%89%8D"),
        ("550e8400-e29b-41d4-a716-446655440000", "550e8400-e29b-41d4-a716-446655440000"),
    ],
)
async def test_a_path_parameter_is_one_percent_encoded_segment(
    mode: str, httpx_mock: HTTPXMock, identifier: str, segment: str
) -> None:
    httpx_mock.add_response(json=DATASET)
    probe = make_probe(mode, BASE)
    await probe.run(lambda client: client.datasets.get(identifier))
    (request,) = httpx_mock.get_requests()
    assert request.url.raw_path == f"/api/v1/datasets/{segment}/".encode()
    assert (request.url.host, request.url.query) == ("api.avala.ai", b"")
    await probe.close()


async def test_every_path_parameter_is_encoded(mode: str, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(json={"uid": "i", "key": "k"})
    probe = make_probe(mode, BASE)
    await probe.run(lambda client: client.datasets.get_item("o/x", "s?y", "i#z"))
    assert httpx_mock.get_requests()[0].url.raw_path == b"/api/v1/datasets/o%2Fx/s%3Fy/items/i%23z/"
    await probe.close()


@pytest.mark.parametrize(
    ("args", "error", "match"),
    [
        (("",), ValueError, "datasets.get: uid is empty"),
        (("   ",), ValueError, "datasets.get: uid is empty"),
        (("\t\n",), ValueError, "datasets.get: uid is empty"),
        ((".",), ValueError, r"datasets.get: uid cannot be '\.'"),
        (("..",), ValueError, r"datasets.get: uid cannot be '\.\.'"),
        ((None,), TypeError, "datasets.get: uid must be a str, got NoneType"),
        ((42,), TypeError, "datasets.get: uid must be a str, got int"),
        ((b"ds-1",), TypeError, "datasets.get: uid must be a str, got bytes"),
        (("x" * 70_000,), ValueError, "datasets.get: uid is 70,000 characters long; an identifier has at most 2,048"),
    ],
)
async def test_a_bad_identifier_fails_before_any_request(
    mode: str, httpx_mock: HTTPXMock, args: tuple[Any, ...], error: type[Exception], match: str
) -> None:
    probe = make_probe(mode, BASE)
    with pytest.raises(error, match=match):
        await probe.run(lambda client: client.datasets.get(*args))
    with pytest.raises(error):
        await probe.run(lambda client: client.datasets.get_item("acme", "set", *args))
    assert httpx_mock.get_requests() == [] and probe.sent == []
    await probe.close()


# --- the key goes to the API host, over HTTPS, and nowhere else ---------------------------------------------------


async def test_the_key_travels_over_https_to_the_api_host_only(mode: str, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(json=DATASET)
    probe = make_probe(mode, BASE)
    await probe.run(lambda client: client.datasets.get("ds-1"))
    (request,) = httpx_mock.get_requests()
    assert (request.url.scheme, request.url.host) == ("https", "api.avala.ai")
    assert request.headers["X-Avala-Api-Key"] == API_KEY
    await probe.close()


@pytest.mark.parametrize(
    "url", ["http://api.avala.ai/api/v1", "http://10.0.0.5", "ws://api.avala.ai", "https://u:p@api.avala.ai"]
)
def test_a_base_url_the_key_must_not_travel_to_is_refused(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    monkeypatch.setenv("AVALA_ALLOW_INSECURE_BASE_URL", "1")  # the opt-in covers plain http on localhost only
    with pytest.raises(ValueError, match="base_url"):
        Client(api_key=API_KEY, base_url=url)
    with pytest.raises(ValueError, match="base_url"):
        AsyncClient(api_key=API_KEY, base_url=url)


def test_redirects_are_not_followed_even_by_a_callers_http_client(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=f"{BASE}/datasets/ds-1/", status_code=308, headers={"Location": "https://evil.test/"})
    with (
        httpx.Client(follow_redirects=True) as http,
        Client(api_key=API_KEY, http_client=http) as client,
        pytest.raises(AvalaError) as info,
    ):
        client.datasets.get("ds-1")
    assert info.value.status_code == 308
    assert [str(request.url) for request in httpx_mock.get_requests()] == [f"{BASE}/datasets/ds-1/"]


async def test_signup_sends_no_key(httpx_mock: HTTPXMock, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AVALA_API_KEY", API_KEY)
    httpx_mock.add_response(status_code=400, json={"email": ["Enter a valid email address."]})
    with pytest.raises(ValidationError):
        avala.signup(email="x", password="correct horse battery")
    assert "X-Avala-Api-Key" not in httpx_mock.get_requests()[0].headers


# --- credentials never show -------------------------------------------------------------------------------------


def test_reprs_never_show_the_key() -> None:
    client = Client(api_key=API_KEY)
    for text in (
        repr(client),
        str(client),
        repr(client.with_options(max_retries=5)),
        repr(client.with_raw_response),
        repr(client._transport.config),
        repr(AsyncClient(api_key=API_KEY)),
    ):
        assert API_KEY not in text


async def test_storage_credentials_echoed_by_an_error_are_redacted(mode: str, httpx_mock: HTTPXMock) -> None:
    secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
    httpx_mock.add_response(
        status_code=400,
        json={
            "s3_secret_access_key": [f"'{secret}' is not a valid secret for this key."],
            "s3_access_key_id": ["AKIAIOSFODNN7EXAMPLE was rejected."],
            "provider_config": {"password": "hunter2", "token": "t0k3n-value"},
        },
    )
    probe = make_probe(mode, BASE)
    with pytest.raises(ValidationError) as info:
        await probe.run(
            lambda client: client.storage_configs.create(
                name="s3", provider="aws_s3", s3_access_key_id="AKIAIOSFODNN7EXAMPLE", s3_secret_access_key=secret
            )
        )
    error = info.value
    assert str(error) == (
        "storage_configs.create: s3_secret_access_key: '[redacted]' is not a valid secret for this key.; "
        "s3_access_key_id: [redacted] was rejected.; provider_config.password: [redacted]; "
        "provider_config.token: [redacted]"
    )
    everything = f"{error} {error!r} {error.body!r} {error.details!r}"
    for leaked in (secret, "AKIAIOSFODNN7EXAMPLE", "hunter2", "t0k3n-value", API_KEY):
        assert leaked not in everything
    await probe.close()


async def test_field_errors_on_credential_fields_stay_readable(httpx_mock: HTTPXMock) -> None:
    password = "correct horse battery"
    httpx_mock.add_response(
        status_code=400,
        json={"password": ["This password is too common.", f"'{password}' contains spaces."], "email": ["Taken."]},
    )
    with pytest.raises(ValidationError) as info:
        avala.signup(email="a@b.c", password=password)
    assert str(info.value) == (
        "signup.create: password: This password is too common.; password: '[redacted]' contains spaces.; email: Taken."
    )
    assert info.value.details[0] == {"field": "password", "message": "This password is too common."}
    assert password not in repr(info.value.body)


async def test_a_detail_echoing_the_key_or_a_token_is_redacted(mode: str, httpx_mock: HTTPXMock) -> None:
    detail = f"Invalid key {API_KEY}; retry with token=abcdef123456 or Authorization: Bearer abcdefghijklmnop"
    httpx_mock.add_response(status_code=401, json={"detail": detail})
    probe = make_probe(mode, BASE)
    with pytest.raises(AvalaError) as info:
        await probe.run(lambda client: client.datasets.get("ds-1"))
    assert str(info.value) == (
        f"datasets.get: Invalid key {REDACTED}; retry with token={REDACTED} or Authorization: {REDACTED}"
    )
    await probe.close()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"password": "hunter2", "name": "x"}', f'{{"password": "{REDACTED}", "name": "x"}}'),
        ("{'client_secret': 'abc'}", f"{{'client_secret': '{REDACTED}'}}"),
        ('{"apiKey": 12345}', f'{{"apiKey": "{REDACTED}"}}'),
        ("GET /x?api_key=abc&limit=2", f"GET /x?api_key={REDACTED}&limit=2"),
        ("access_token=abc; path=/", f"access_token={REDACTED}; path=/"),
        ("password: This field is required.", "password: This field is required."),
        ("tokens=3 limit=4", "tokens=3 limit=4"),
        ('"truncated": {"secret": "abc', f'"truncated": {{"secret": "{REDACTED}"'),
    ],
)
def test_credentials_by_name_in_text(text: str, expected: str) -> None:
    assert redact_text(text) == expected


def test_the_callers_key_is_redacted_percent_encoded_too() -> None:
    key = "k3y+with/slash=0123456789"
    from avala._redaction import secret_variants

    text = (
        "GET /datasets/k3y%2Bwith%2Fslash%3D0123456789/?name=k3y%2Bwith%2Fslash%3D0123456789 k3y+with/slash=0123456789"
    )
    assert redact_text(text, secret_variants(key)) == f"GET /datasets/{REDACTED}/?name={REDACTED} {REDACTED}"


def test_redact_keeps_field_error_sentences_only_in_error_bodies() -> None:
    body = {"password": ["This field is required."], "credentials": ["k1", "hunter2", None, {"a": "b"}, 7]}
    assert redact(body, messages=True) == {
        "password": ["This field is required."],
        "credentials": [REDACTED, REDACTED, None, REDACTED, REDACTED],
    }
    assert redact(body) == {
        "password": [REDACTED],
        "credentials": [REDACTED, REDACTED, None, {"a": REDACTED}, REDACTED],
    }
