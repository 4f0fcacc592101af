"""Client configuration: API key, base URL and its HTTPS rule, timeout, retries, repr."""

from __future__ import annotations

import httpx
import pytest

from avala import AsyncClient, Client
from tests.conftest import API_KEY


def test_missing_api_key_names_the_environment_variable() -> None:
    with pytest.raises(ValueError, match="AVALA_API_KEY"):
        Client()


@pytest.mark.parametrize("key", ["", "   "])
def test_empty_api_key_counts_as_missing(key: str) -> None:
    with pytest.raises(ValueError, match="AVALA_API_KEY"):
        Client(api_key=key)


def test_api_key_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AVALA_API_KEY", "from-env-key")
    client = Client()
    assert client._transport.config.api_key == "from-env-key"


def test_api_key_with_a_newline_is_refused() -> None:
    with pytest.raises(ValueError, match="characters") as info:
        Client(api_key="abc\ndef")
    assert "abc" not in str(info.value)


def test_async_client_needs_a_key_too() -> None:
    with pytest.raises(ValueError, match="AVALA_API_KEY"):
        AsyncClient()


def test_default_base_url_and_settings() -> None:
    client = Client(api_key=API_KEY)
    assert client.base_url == "https://api.avala.ai/api/v1"
    assert client.timeout == httpx.Timeout(30.0)
    assert client.max_retries == 2


def test_base_url_from_environment_and_trailing_slash(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AVALA_BASE_URL", "https://eu.avala.ai/api/v1///")
    assert Client(api_key=API_KEY).base_url == "https://eu.avala.ai/api/v1"


def test_empty_base_url_environment_falls_back_to_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AVALA_BASE_URL", "")
    assert Client(api_key=API_KEY).base_url == "https://api.avala.ai/api/v1"


@pytest.mark.parametrize(
    "url", ["http://api.avala.ai/api/v1", "http://localhost:4010", "ftp://x", "api.avala.ai", "https://"]
)
def test_insecure_or_invalid_base_url_is_refused(url: str) -> None:
    with pytest.raises(ValueError, match="base_url"):
        Client(api_key=API_KEY, base_url=url)


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1", "[::1]"])
def test_http_is_allowed_for_localhost_with_the_opt_in(monkeypatch: pytest.MonkeyPatch, host: str) -> None:
    monkeypatch.setenv("AVALA_ALLOW_INSECURE_BASE_URL", " Yes ")
    assert Client(api_key=API_KEY, base_url=f"http://{host}:4010/").base_url == f"http://{host}:4010"


def test_http_opt_in_does_not_cover_other_hosts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AVALA_ALLOW_INSECURE_BASE_URL", "1")
    with pytest.raises(ValueError, match="localhost"):
        Client(api_key=API_KEY, base_url="http://10.0.0.5/api/v1")


def test_base_url_with_credentials_is_refused_without_echoing_them() -> None:
    with pytest.raises(ValueError) as info:
        Client(api_key=API_KEY, base_url="https://user:hunter2@api.avala.ai/api/v1")
    assert "hunter2" not in str(info.value)


@pytest.mark.parametrize("timeout", [0, -1, "30", True])
def test_invalid_timeout(timeout: object) -> None:
    with pytest.raises(ValueError, match="timeout"):
        Client(api_key=API_KEY, timeout=timeout)  # type: ignore[arg-type]


def test_timeout_forms() -> None:
    assert Client(api_key=API_KEY, timeout=5).timeout == httpx.Timeout(5.0)
    custom = httpx.Timeout(10.0, connect=2.0)
    assert Client(api_key=API_KEY, timeout=custom).timeout is custom
    assert Client(api_key=API_KEY, timeout=None).timeout == httpx.Timeout(None)


@pytest.mark.parametrize("retries", [-1, 1.5, True])
def test_invalid_max_retries(retries: object) -> None:
    with pytest.raises(ValueError, match="max_retries"):
        Client(api_key=API_KEY, max_retries=retries)  # type: ignore[arg-type]


def test_repr_never_shows_the_key() -> None:
    client = Client(api_key=API_KEY)
    assert API_KEY not in repr(client)
    assert API_KEY not in repr(client._transport.config)
    assert repr(client) == "Client(base_url='https://api.avala.ai/api/v1', max_retries=2)"


def test_rate_limit_info_before_any_request() -> None:
    assert Client(api_key=API_KEY).rate_limit_info == {
        "limit": None,
        "remaining": None,
        "reset": None,
        "x-ratelimit-limit": None,
        "x-ratelimit-remaining": None,
        "x-ratelimit-reset": None,
    }


def test_context_manager_closes_the_pool() -> None:
    with Client(api_key=API_KEY) as client:
        http = client._transport.http
    assert http.is_closed


async def test_async_context_manager_closes_the_pool() -> None:
    async with AsyncClient(api_key=API_KEY) as client:
        http = client._transport.http
    assert http.is_closed


def test_caller_http_client_is_not_closed() -> None:
    http = httpx.Client()
    with Client(api_key=API_KEY, http_client=http):
        pass
    assert not http.is_closed
    http.close()
