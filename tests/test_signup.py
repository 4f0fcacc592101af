"""``avala.signup`` / ``avala.async_signup``: ``POST /signup/`` with no API key (catalogue §2.17, models §7.11)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pytest_httpx import HTTPXMock

import avala
from avala.errors import ValidationError
from avala.types import SignupResponse, SignupUser
from tests.conftest import API_KEY, BASE
from tests.operations.payloads import SIGNUP_API_KEY, SIGNUP_RESPONSE

PASSWORD = "c0rrect-h0rse-battery"
MODES = ["sync", "async"]


async def call(mode: str, **kwargs: Any) -> Any:
    """``avala.signup(**kwargs)`` or ``await avala.async_signup(**kwargs)``."""
    if mode == "sync":
        return avala.signup(**kwargs)
    return await avala.async_signup(**kwargs)


def sent(httpx_mock: HTTPXMock) -> Any:
    request = httpx_mock.get_request()
    assert request is not None
    return request


@pytest.mark.parametrize("mode", MODES)
async def test_signup_posts_the_body_without_an_api_key(mode: str, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(method="POST", url=f"{BASE}/signup/", status_code=201, json=SIGNUP_RESPONSE)
    result = await call(mode, email="new@example.com", password=PASSWORD, first_name="New", last_name="User")
    request = sent(httpx_mock)
    assert request.method == "POST" and str(request.url) == f"{BASE}/signup/"
    assert "x-avala-api-key" not in request.headers
    assert request.headers["content-type"] == "application/json"
    assert json.loads(request.content) == {
        "email": "new@example.com",
        "password": PASSWORD,
        "first_name": "New",
        "last_name": "User",
    }
    assert isinstance(result, SignupResponse) and result.api_key == SIGNUP_API_KEY
    assert isinstance(result.user, SignupUser)
    assert (result.user.uid, result.user.username, result.user.email) == (
        "u0000000-0009-4000-8000-000000000001",
        "newbie",
        "new@example.com",
    )
    assert (result.user.first_name, result.user.last_name) == ("New", "User")
    assert result.user.in_waitlist is True  # Def bool = True when the server leaves it out


@pytest.mark.parametrize("mode", MODES)
async def test_optional_names_are_left_out_and_the_environment_key_is_not_sent(
    mode: str, httpx_mock: HTTPXMock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AVALA_API_KEY", API_KEY)
    response = {**SIGNUP_RESPONSE, "user": {"uid": "u1", "username": "u", "in_waitlist": False}}
    httpx_mock.add_response(method="POST", url=f"{BASE}/signup/", status_code=201, json=response)
    result = await call(mode, email="a@example.com", password=PASSWORD)
    request = sent(httpx_mock)
    assert json.loads(request.content) == {"email": "a@example.com", "password": PASSWORD}
    assert "x-avala-api-key" not in request.headers and API_KEY not in str(request.headers)
    assert result.user.in_waitlist is False and result.user.email is None


@pytest.mark.parametrize("mode", MODES)
async def test_api_key_and_password_stay_out_of_repr(mode: str, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(method="POST", url=f"{BASE}/signup/", status_code=201, json=SIGNUP_RESPONSE)
    result = await call(mode, email="new@example.com", password=PASSWORD)
    assert SIGNUP_API_KEY not in repr(result) and SIGNUP_API_KEY not in str(result)
    assert PASSWORD not in repr(result)
    assert "newbie" in repr(result)  # the rest of the response is still shown
    assert result.to_dict()["api_key"] == SIGNUP_API_KEY  # hidden from repr, not lost


@pytest.mark.parametrize("mode", MODES)
async def test_base_url_argument(mode: str, httpx_mock: HTTPXMock, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AVALA_BASE_URL", "https://env.avala.ai/api/v1")
    url = "https://eu.avala.ai/api/v1/signup/"
    httpx_mock.add_response(method="POST", url=url, status_code=201, json=SIGNUP_RESPONSE)
    await call(mode, email="a@example.com", password=PASSWORD, base_url="https://eu.avala.ai/api/v1/")
    assert str(sent(httpx_mock).url) == url  # the argument wins over the environment; trailing "/" stripped


@pytest.mark.parametrize("mode", MODES)
async def test_base_url_from_environment(mode: str, httpx_mock: HTTPXMock, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AVALA_BASE_URL", "https://env.avala.ai/api/v1")
    httpx_mock.add_response(
        method="POST", url="https://env.avala.ai/api/v1/signup/", status_code=201, json=SIGNUP_RESPONSE
    )
    await call(mode, email="a@example.com", password=PASSWORD)
    assert str(sent(httpx_mock).url) == "https://env.avala.ai/api/v1/signup/"


@pytest.mark.parametrize("mode", MODES)
async def test_empty_environment_base_url_falls_back_to_default(
    mode: str, httpx_mock: HTTPXMock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AVALA_BASE_URL", "")
    httpx_mock.add_response(method="POST", url=f"{BASE}/signup/", status_code=201, json=SIGNUP_RESPONSE)
    await call(mode, email="a@example.com", password=PASSWORD)
    assert str(sent(httpx_mock).url) == f"{BASE}/signup/"


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("base_url", "allow"),
    [
        ("http://api.avala.ai/api/v1", None),
        ("http://api.avala.ai/api/v1", "1"),  # the opt-in is for localhost only
        ("http://localhost:8000/api/v1", None),  # localhost still needs the opt-in
        ("http://localhost:8000/api/v1", "0"),
        ("ftp://api.avala.ai/api/v1", "1"),
    ],
)
async def test_https_rule_refuses_before_any_request(
    mode: str, base_url: str, allow: str | None, httpx_mock: HTTPXMock, monkeypatch: pytest.MonkeyPatch
) -> None:
    if allow is not None:
        monkeypatch.setenv("AVALA_ALLOW_INSECURE_BASE_URL", allow)
    with pytest.raises(ValueError) as info:
        await call(mode, email="a@example.com", password=PASSWORD, base_url=base_url)
    assert PASSWORD not in str(info.value)
    assert httpx_mock.get_requests() == []


@pytest.mark.parametrize("mode", MODES)
async def test_https_rule_also_applies_to_the_environment(mode: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AVALA_BASE_URL", "http://api.avala.ai/api/v1")
    with pytest.raises(ValueError):
        await call(mode, email="a@example.com", password=PASSWORD)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("host", ["localhost:8000", "127.0.0.1:8000", "[::1]:8000"])
async def test_plain_http_on_localhost_with_the_opt_in(
    mode: str, host: str, httpx_mock: HTTPXMock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AVALA_ALLOW_INSECURE_BASE_URL", "true")
    url = f"http://{host}/api/v1/signup/"
    httpx_mock.add_response(method="POST", url=url, status_code=201, json=SIGNUP_RESPONSE)
    result = await call(mode, email="a@example.com", password=PASSWORD, base_url=f"http://{host}/api/v1")
    assert str(sent(httpx_mock).url) == url and isinstance(result, SignupResponse)


@pytest.mark.parametrize("mode", MODES)
async def test_field_errors_raise_validation_error(mode: str, httpx_mock: HTTPXMock) -> None:
    body = {"email": ["A user with that email already exists."], "password": ["This password is too common."]}
    httpx_mock.add_response(method="POST", url=f"{BASE}/signup/", status_code=400, json=body)
    with pytest.raises(ValidationError) as info:
        await call(mode, email="taken@example.com", password=PASSWORD)
    assert info.value.status_code == 400
    assert "A user with that email already exists." in str(info.value)
    assert PASSWORD not in str(info.value) and PASSWORD not in repr(info.value.body)
    assert len(httpx_mock.get_requests()) == 1  # a POST that failed with 400 is never retried


@pytest.mark.parametrize("mode", MODES)
async def test_a_password_echoed_by_the_server_is_redacted(mode: str, httpx_mock: HTTPXMock) -> None:
    """The password the caller sent is a credential: it never reaches an error message or body, even when the
    server quotes it outside a ``password`` key."""
    body = {"detail": f"The password {PASSWORD} is too similar to the email address."}
    httpx_mock.add_response(method="POST", url=f"{BASE}/signup/", status_code=400, json=body)
    with pytest.raises(ValidationError) as info:
        await call(mode, email="a@example.com", password=PASSWORD)
    assert PASSWORD not in str(info.value)
    assert PASSWORD not in repr(info.value.body)
