"""The documentation site as a reader meets it: built with ``mkdocs build --strict``, served on loopback and opened in
headless Chromium, whose search finds ``list_items`` and the hand-written ``upload_files``, and whose resource page
shows every method's example.

Chromium and its driver are Debian's ``chromium`` and ``chromium-driver`` (``.ci/run`` installs them). Without them
this test fails; outside CI (``CI`` not ``true``) ``AVALA_SKIP_BROWSER_TESTS=1`` turns the failure into a skip.
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATASETS_PAGE = (ROOT / "docs" / "reference" / "datasets.md").read_text(encoding="utf-8")
TIMEOUT = 60.0  # seconds a page or the search index may take on a loaded machine (a generous bound, not a timing)
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--window-size=1280,900",
    # every host name but loopback fails to resolve: the page can reach nothing outside this machine
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
]


def browser_binaries() -> tuple[str, str]:
    """Chromium and its driver, or the test's failure (a skip only outside CI, when asked for)."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if chromium and driver:
        return chromium, driver
    missing = "Chromium and chromedriver are not installed (Debian: apt-get install chromium chromium-driver)"
    if os.environ.get("CI", "").lower() != "true" and os.environ.get("AVALA_SKIP_BROWSER_TESTS") == "1":
        pytest.skip(f"{missing}; skipped because AVALA_SKIP_BROWSER_TESTS=1")
    pytest.fail(f"{missing}; outside CI, AVALA_SKIP_BROWSER_TESTS=1 skips this test")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site, built strictly from this checkout into a temporary directory."""
    out = tmp_path_factory.mktemp("site")
    build = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "--site-dir", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert build.returncode == 0, build.stdout + build.stderr
    return out


@pytest.fixture(scope="module")
def base_url(site: Path) -> Iterator[str]:
    """The site served over HTTP on an ephemeral loopback port (search runs in a web worker: no file:// URLs)."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Headless Chromium with a fresh profile, driven by Selenium through Debian's chromedriver."""
    chromium, driver_path = browser_binaries()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    driver = webdriver.Chrome(options=options, service=Service(executable_path=driver_path))
    driver.set_page_load_timeout(TIMEOUT)
    try:
        yield driver
    finally:
        driver.quit()


def test_the_site_has_the_guides_the_reference_and_the_changelog(site: Path) -> None:
    for page in ("index.html", "migration/index.html", "changelog/index.html", "api/index.html"):
        assert (site / page).is_file(), page
    assert "Quick start" in (site / "index.html").read_text(encoding="utf-8")
    assert "1.0.0" in (site / "changelog" / "index.html").read_text(encoding="utf-8")
    resources = {path.stem for path in (ROOT / "docs" / "reference").glob("*.md")}
    for name in resources:
        assert (site / "reference" / name / "index.html").is_file() or name == "index", name


@pytest.mark.parametrize(
    ("term", "page"),
    [
        ("list_items", "reference/datasets/"),  # a generated operation
        ("upload_files", "reference/datasets/"),  # a hand-written method (x-python-mixin)
        ("upload_managed_recording", "reference/fleet_uploads/"),
    ],
)
def test_search_finds_a_method_on_its_resource_page(browser: Any, base_url: str, term: str, page: str) -> None:
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(base_url)
    # the results list is rendered again as each key arrives: read each result whole, and read again if it went stale
    wait = WebDriverWait(browser, TIMEOUT, ignored_exceptions=(StaleElementReferenceException,))
    box = wait.until(ec.element_to_be_clickable((By.CSS_SELECTOR, "input.md-search__input")))
    box.click()
    box.send_keys(term)

    def results(driver: Any) -> list[tuple[str, str]]:
        found = [
            (link.get_attribute("href") or "", link.text)
            for link in driver.find_elements(By.CSS_SELECTOR, ".md-search-result__item a")
        ]
        return [(href, text) for href, text in found if page in href and term in href + text]

    assert wait.until(results), f"no search result for {term!r} on {page}"


def test_a_resource_page_renders_every_example(browser: Any, base_url: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(base_url + "reference/datasets/")
    WebDriverWait(browser, TIMEOUT).until(ec.presence_of_element_located((By.CSS_SELECTOR, "article h1")))
    assert browser.find_element(By.CSS_SELECTOR, "article h1").text == "client.datasets"
    methods = re.findall(r"^## `(client\.datasets\.\w+)\(\)`$", DATASETS_PAGE, re.M)
    assert "client.datasets.list_items" in methods
    headings = [h.text for h in browser.find_elements(By.CSS_SELECTOR, "article h2")]
    assert [f"{m}()" for m in methods] == [h.rstrip("¶").strip() for h in headings]
    code = [block.text for block in browser.find_elements(By.CSS_SELECTOR, "article div.highlight pre")]
    for method in methods:
        example = [text for text in code if re.search(rf"= {re.escape(method)}\(|^{re.escape(method)}\(", text, re.M)]
        assert example, f"no rendered example calls {method}"
    # the hand-written methods (x-python-mixin) are sections of the page like the operations, with their own
    assert {"client.datasets.upload_files", "client.datasets.create_from_local"} <= set(methods)
    # the examples are highlighted code, shown as text (the test markers stay HTML comments)
    assert browser.find_elements(By.CSS_SELECTOR, "article div.highlight pre code span")
    assert "<!-- " not in browser.find_element(By.CSS_SELECTOR, "article").text


def test_a_hand_written_method_renders_its_section(browser: Any, base_url: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(base_url + "reference/datasets/#clientdatasetsupload_files")
    section = WebDriverWait(browser, TIMEOUT).until(
        ec.presence_of_element_located((By.ID, "clientdatasetsupload_files"))
    )
    assert section.text.rstrip("¶").strip() == "client.datasets.upload_files()"
    text = browser.find_element(By.CSS_SELECTOR, "article").text
    own = text[text.index("client.datasets.upload_files()") :].split("client.datasets.create_from_local()")[0]
    assert "Upload local files for a dataset" in own  # the docstring's summary
    assert "on_bytes: Callable[[str, int], None] | None = None," in own  # the signature, aliases spelled out
    assert 'client.datasets.upload_files(dataset_name="Training v2"' in own  # the example
    assert "clear_state_on_success" in own and "QuotaExceededError" in own  # parameters and errors
