"""The package page: metadata, license and README hold what a user reads on PyPI, with links that work there."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
PROJECT = PYPROJECT["project"]
README = (ROOT / "README.md").read_text(encoding="utf-8")
LINK = re.compile(r"\]\(([^)\s]+)\)")


def anchors(markdown: str) -> set[str]:
    """The GitHub/PyPI anchors of a document's headings."""
    found = set()
    for heading in re.findall(r"^#+ (.+)$", markdown, re.M):
        slug = re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
        found.add(slug)
    return found


def test_license_is_the_mit_license_the_metadata_names() -> None:
    assert PROJECT["license"] == "MIT"
    assert PROJECT["license-files"] == ["LICENSE"]
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License\n")


def test_metadata_names_authors_urls_and_every_supported_python() -> None:
    assert PROJECT["authors"]
    assert {"Homepage", "Source", "Issues", "Changelog", "Documentation"} <= set(PROJECT["urls"])
    assert all(url.startswith("https://") for url in PROJECT["urls"].values())
    assert PROJECT["requires-python"] == ">=3.11"
    for minor in (11, 12, 13):
        assert f"Programming Language :: Python :: 3.{minor}" in PROJECT["classifiers"]


def test_no_published_extra_pins_exact_versions() -> None:
    """Exact development pins live in a dependency group, which is not part of the published metadata."""
    for extra, requirements in PROJECT.get("optional-dependencies", {}).items():
        assert not [r for r in requirements if "==" in r], f"extra {extra!r} publishes exact pins"
    for group, requirements in PYPROJECT["dependency-groups"].items():
        assert all("==" in r for r in requirements if isinstance(r, str)), f"group {group!r} has an unpinned tool"


def test_runtime_dependencies_and_their_bounds_are_stated_in_the_readme() -> None:
    bounds = {re.split(r"[<>=!~ ]", dep, maxsplit=1)[0]: dep for dep in PROJECT["dependencies"]}
    assert sorted(bounds) == ["attrs", "httpx"]
    for name, requirement in bounds.items():
        specifier = requirement.removeprefix(name)
        assert f"{name}]" in README and f"`{specifier}`" in README, requirement


def test_readme_links_work_on_pypi() -> None:
    """PyPI renders README.md away from the repository: every link is absolute or an anchor of the README."""
    own = anchors(README)
    for target in LINK.findall(README):
        if target.startswith("#"):
            assert target[1:] in own, target
        else:
            assert target.startswith("https://"), f"relative link {target!r} breaks on PyPI"


def test_readme_is_for_users_and_contributing_for_contributors() -> None:
    contributing = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    for verb in ("`make demo`", "`make test`", "`make check`", "`make codegen`"):
        assert verb not in README, f"{verb}: set-up and make verbs belong in CONTRIBUTING.md"
        assert verb in contributing, verb
