"""A walk through the Avala SDK: list datasets, walk a dataset's items, export it, read the rate limit, handle a
missing object.

    make demo                                   # against a local mock server started from openapi.yaml
    AVALA_API_KEY=avk_... python examples/quickstart.py            # against the real API
    AVALA_BASE_URL=https://... python examples/quickstart.py --owner my-org

Settings come from the environment (``AVALA_API_KEY``, ``AVALA_BASE_URL``); see the README.
"""

from __future__ import annotations

import argparse
import sys

from avala import Client
from avala.errors import AvalaError, NotFoundError

MISSING_UID = "00000000-0000-4000-8000-000000000000"


def step(number: int, title: str) -> None:
    """Print a step heading."""
    print(f"\n{number}. {title}")


def main(argv: list[str] | None = None) -> int:
    """Run the walkthrough; return the exit status."""
    parser = argparse.ArgumentParser(description="A walk through the Avala SDK.")
    parser.add_argument("--owner", help="organization slug owning the datasets (default: your first organization)")
    parser.add_argument("--pages", type=int, default=2, help="how many pages of items to walk (default: 2)")
    args = parser.parse_args(argv)

    try:
        client = Client()
    except ValueError as exc:  # no API key, or an invalid base URL
        print(f"quickstart: {exc}", file=sys.stderr)
        return 2

    with client:
        print(f"Avala API at {client.base_url}")

        step(1, "List datasets")
        datasets = client.datasets.list(limit=5)
        for dataset in datasets:
            print(f"   {dataset.name} ({dataset.slug}): {dataset.item_count} {dataset.data_type or ''} items")
        if not datasets:
            print("   no datasets yet: create one in Avala, then run this again")
            return 0
        dataset = datasets[0]

        owner = args.owner
        if owner is None:
            organizations = client.organizations.list(limit=1)
            owner = organizations[0].slug if organizations else None
        step(2, f"Walk the items of {owner}/{dataset.slug} ({args.pages} pages at most)")
        if owner is None:
            print("   no organization found: pass --owner")
        else:
            first = client.datasets.list_items(owner, dataset.slug, limit=10)
            for number, page in enumerate(first.iter_pages(), 1):
                for item in page:
                    print(f"   page {number}: {item.key or item.uid}")
                if number == args.pages:
                    break

        step(3, f"Export {dataset.slug} and wait for it")
        export = client.exports.create(dataset=dataset.uid)
        print(f"   export {export.uid}: {export.status}")
        export = client.exports.wait(export.uid, interval=2.0, timeout=300.0)
        print(f"   finished as {export.status}: {export.download_url or 'no download URL'}")

        step(4, "Rate limit (headers of the last response)")
        info = client.rate_limit_info
        print(f"   limit {info['limit']}, remaining {info['remaining']}, reset {info['reset']}")

        step(5, "Handle a missing dataset")
        # `Prefer: code=404` asks the mock server for the spec's 404 answer; a real server ignores the header and
        # answers 404 because no dataset has this UID.
        try:
            client.with_options(headers={"Prefer": "code=404"}).datasets.get(MISSING_UID)
        except NotFoundError as exc:
            print(f"   NotFoundError (HTTP {exc.status_code}): {exc}")
        else:
            print("   unexpected: the dataset exists")
            return 1

    print("\nDone.")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except AvalaError as exc:
        print(f"quickstart: {type(exc).__name__}: {exc}", file=sys.stderr)
        sys.exit(1)
