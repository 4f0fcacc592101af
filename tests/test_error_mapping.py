"""Error responses become typed errors with readable, credential-free messages."""

from __future__ import annotations

from email.utils import parsedate_to_datetime

import httpx
import pytest

from avala._http_errors import error_from_response, message_for, retry_after_seconds
from avala._redaction import REDACTED, redact, redact_text
from avala.errors import (
    AuthenticationError,
    AvalaError,
    ConflictError,
    ForbiddenError,
    NotFoundError,
    RateLimitError,
    ServerError,
    ValidationError,
    error_class_for_status,
)

KEY = "avk_live_supersecretkey0001"


def make(status: int, **kwargs: object) -> AvalaError:
    return error_from_response("datasets.get", httpx.Response(status, **kwargs), 1, (KEY,))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, ValidationError),
        (401, AuthenticationError),
        (403, ForbiddenError),
        (404, NotFoundError),
        (409, ConflictError),
        (422, ValidationError),
        (429, RateLimitError),
        (500, ServerError),
        (503, ServerError),
        (520, ServerError),
        (529, ServerError),
        (302, AvalaError),
        (405, AvalaError),
        (418, AvalaError),
        (499, AvalaError),
    ],
)
def test_every_status_maps_to_its_class(status: int, cls: type[AvalaError]) -> None:
    error = make(status, json={"detail": "nope"})
    assert type(error) is cls
    assert error.status_code == status
    assert error_class_for_status(status) is cls


def test_detail_string_is_the_message_with_the_operation() -> None:
    error = make(404, json={"detail": "Not found."}, headers={"X-Request-Id": "req-42"})
    assert str(error) == "datasets.get: Not found."
    assert error.message == "Not found." and error.operation == "datasets.get"  # as the published SDK's message
    assert error.request_id == "req-42"
    assert error.body == {"detail": "Not found."}


def test_field_errors_fill_details_and_message() -> None:
    error = make(400, json={"name": ["This field is required."], "slug": ["Too long.", "Invalid."]})
    assert isinstance(error, ValidationError)
    assert str(error) == "datasets.get: name: This field is required.; slug: Too long.; slug: Invalid."
    assert error.details == [
        {"field": "name", "message": "This field is required."},
        {"field": "slug", "message": "Too long."},
        {"field": "slug", "message": "Invalid."},
    ]


def test_nested_field_errors_are_flattened() -> None:
    assert message_for(400, {"provider_config": {"s3_bucket_name": ["Required."]}}) == (
        "provider_config.s3_bucket_name: Required."
    )
    assert message_for(400, {"non_field_errors": ["Slug taken."]}) == "non_field_errors: Slug taken."


def test_array_body_is_kept_as_details() -> None:
    error = make(400, json=["first problem", "second problem"])
    assert isinstance(error, ValidationError)
    assert error.details == ["first problem", "second problem"]
    assert str(error) == "datasets.get: first problem; second problem"


def test_html_error_page_gives_status_and_excerpt() -> None:
    page = "<html><head><style>p{}</style><title>502</title></head><body><h1>Bad Gateway</h1>" + "x" * 500
    error = make(502, text=page, headers={"content-type": "text/html"})
    assert isinstance(error, ServerError)
    assert str(error).startswith("datasets.get: HTTP 502: 502 Bad Gateway xxx")
    assert len(error.message) < 260
    assert "<h1>" not in error.message


@pytest.mark.parametrize("body", [None, {}, {"detail": None}, {"detail": {"code": 1}}, 42])
def test_unhelpful_bodies_give_http_status(body: object) -> None:
    assert message_for(500, body) == "HTTP 500"


def test_rate_limit_retry_after_seconds_and_date() -> None:
    assert retry_after_seconds(httpx.Headers({"Retry-After": "2"})) == 2.0
    assert retry_after_seconds(httpx.Headers({"retry-after-ms": "1500"})) == 1.5
    date = "Wed, 21 Oct 2026 07:28:00 GMT"
    now = parsedate_to_datetime(date).timestamp() - 20
    assert retry_after_seconds(httpx.Headers({"Retry-After": date}), now=now) == pytest.approx(20.0)
    assert retry_after_seconds(httpx.Headers({"Retry-After": "soon"})) is None
    assert retry_after_seconds(httpx.Headers({})) is None
    error = make(429, json={"detail": "Slow down."}, headers={"Retry-After": "7"})
    assert isinstance(error, RateLimitError)
    assert error.retry_after == 7.0


def test_redirect_names_the_host_but_follows_nothing() -> None:
    error = make(302, headers={"Location": "https://evil.example.com/steal?key=1"})
    assert error.status_code == 302
    assert "https://evil.example.com" in error.message
    assert "key=1" not in error.message


def test_credentials_echoed_by_the_server_are_redacted() -> None:
    body = {
        "detail": f"Bad key {KEY} for bucket; AKIAABCDEFGHIJKLMNOP rejected",
        "s3_secret_access_key": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "config": {"password": "hunter2", "region": "us-east-1", "token": 12345},
    }
    error = make(400, json=body)
    assert KEY not in error.message and "AKIAABCDEFGHIJKLMNOP" not in error.message
    assert error.body["s3_secret_access_key"] == REDACTED
    assert error.body["config"] == {"password": REDACTED, "region": "us-east-1", "token": REDACTED}
    assert "hunter2" not in repr(error.body)


def test_redaction_patterns() -> None:
    samples = [
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlX2hlcmU",
        "Bearer abcdefghijklmnop",
        "sk-abcdefghijklmnopqrstuvwx",
        "-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----",
        "0123456789abcdef0123456789abcdef01234567",
        "X-Avala-Api-Key: whatever",
    ]
    for sample in samples:
        assert redact_text(f"before {sample} after") == f"before {REDACTED} after", sample
    assert redact_text("plain words stay") == "plain words stay"
    assert redact({"items": ("a", None, {"apiKey": 1})}) == {"items": ("a", None, {"apiKey": REDACTED})}
