"""``avala view FILE``: a local MCAP file served on loopback for the hosted viewer (no account, no key), as the
published command serves it: one file whatever the path, byte ranges, CORS for the viewer's origin only."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from avala.cli._view_server import MAGIC, byte_range, origin_of

VIEWER = "https://viewer.example.com"


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, bytes, str]]:
    """``avala view FILE --no-browser`` running in a subprocess: (the file's URL, its bytes, the viewer URL)."""
    content = MAGIC + bytes(range(256)) * 8
    path = tmp_path / "drive-0001.mcap"
    path.write_bytes(content)
    argv = [sys.executable, "-c", "from avala.cli import main; main()", "view", str(path), "--no-browser"]
    process = subprocess.Popen(
        [*argv, "--viewer-url", VIEWER], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        assert url, process.stderr.read() if process.stderr else ""
        served = parse_qs(urlsplit(url).query)["url"][0]
        yield served, content, url
    finally:
        process.kill()  # the subprocess this fixture started
        process.wait(timeout=30)


def test_the_viewer_url_points_at_loopback_and_hides_the_file_name(served: tuple[str, bytes, str]) -> None:
    file_url, _, url = served
    assert url.startswith(f"{VIEWER}/mcap?url=http%3A%2F%2F127.0.0.1%3A")
    assert file_url.startswith("http://127.0.0.1:") and file_url.endswith("/recording.mcap")
    assert "drive-0001" not in url and "utm_source=cli" in url


def test_it_serves_the_file_whole_and_by_ranges(served: tuple[str, bytes, str]) -> None:
    file_url, content, _ = served
    with httpx.Client(timeout=10) as http:
        whole = http.get(file_url)
        assert whole.status_code == 200 and whole.content == content and whole.headers["accept-ranges"] == "bytes"
        part = http.get(file_url, headers={"Range": "bytes=8-15"})
        assert part.status_code == 206 and part.content == content[8:16]
        assert part.headers["content-range"] == f"bytes 8-15/{len(content)}"
        assert http.get(file_url, headers={"Range": "bytes=-4"}).content == content[-4:]
        assert http.get(file_url, headers={"Range": f"bytes={len(content)}-"}).status_code == 416
        assert http.get(file_url.replace("recording.mcap", "../../etc/passwd")).content == content  # one file only
        head = http.head(file_url)
        assert head.status_code == 200 and head.headers["content-length"] == str(len(content))


def test_cors_only_for_the_viewer_origin(served: tuple[str, bytes, str]) -> None:
    file_url, _, _ = served
    preflight = {"Access-Control-Request-Private-Network": "true", "Access-Control-Request-Method": "GET"}
    with httpx.Client(timeout=10) as http:
        ok = http.options(file_url, headers={"Origin": VIEWER, **preflight})
        assert ok.headers["access-control-allow-origin"] == VIEWER
        assert ok.headers["access-control-allow-private-network"] == "true"
        other = http.get(file_url, headers={"Origin": "https://evil.example.com"})
        assert "access-control-allow-origin" not in other.headers


def test_a_file_that_is_not_mcap_is_refused_unless_forced(cli: Any, tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("hello", encoding="utf-8")
    result = cli("view", str(path), "--no-browser")
    assert result.code == 1 and "does not look like an MCAP file" in result.stderr and result.stdout == ""
    assert cli("view", str(path), "--viewer-url", "not a url").code == 2


def test_ranges_and_origins() -> None:
    assert byte_range("bytes=0-0", 10) == (0, 0)
    assert byte_range("bytes=5-", 10) == (5, 9)
    assert byte_range("bytes=8-100", 10) == (8, 9)
    assert byte_range("bytes=-0", 10) is None
    assert byte_range("bytes=3-1", 10) is None
    assert byte_range("items=0-1", 10) is None
    assert origin_of("https://Avala.ai:443/app") == "https://avala.ai"
    assert origin_of("http://localhost:3000/x") == "http://localhost:3000"
    assert origin_of("avala.ai") == ""
