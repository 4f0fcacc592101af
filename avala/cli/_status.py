"""``avala status``: an overview of the account (organizations, latest datasets, projects, exports, fleet)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import click


def make(name: str, path: str) -> click.Command:
    """The ``status`` command."""

    @click.command(
        "status",
        help="Organizations, the 5 latest datasets, projects and exports, and fleet device counts. A section "
        "whose call fails shows its error; the command fails only when every section does.",
        short_help="Show an overview: datasets, projects, exports, fleet health.",
    )
    @click.option("--org", metavar="SLUG", help="Show only this organization (slug or uid).")
    @click.option("-o", "--output", type=click.Choice(["table", "json", "jsonl", "yaml"]), help="Output format.")
    @click.pass_context
    def status(ctx: click.Context, org: str | None, output: str | None) -> None:
        from ..errors import AvalaError
        from ._build import printer
        from ._main import State, classify
        from ._output import plain

        state = ctx.find_object(State)
        assert state is not None
        client = state.client()
        report: dict[str, Any] = {}
        failures: list[BaseException] = []

        def section(key: str, fetch: Callable[[], Any]) -> None:
            try:
                report[key] = fetch()
            except AvalaError as error:
                failures.append(error)
                report[key] = {"error": classify(error)[1]}

        def organizations() -> list[Any]:
            rows = [plain(o) for o in client.organizations.list(limit=50)]
            return [o for o in rows if org in (None, o.get("slug"), o.get("uid"))]

        def exports() -> list[Any]:
            return [plain(e) for e in client.exports.list(limit=5)]

        def fleet() -> dict[str, Any]:
            devices = list(client.fleet.devices.list(limit=100))
            counts = Counter(str(d.status) for d in devices)
            return {"devices": len(devices), **{f"{k}": v for k, v in sorted(counts.items())}}

        section("organizations", organizations)
        section("datasets", lambda: [plain(d) for d in client.datasets.list(limit=5)])
        section("projects", lambda: [plain(p) for p in client.projects.list(limit=5)])
        section("exports", exports)
        section("fleet", fleet)
        if len(failures) == len(report):
            raise failures[0]
        out = printer(ctx, {"output": output, "fields": None})
        if out.fmt != "table":
            out.value(report)
            return
        for key, value in report.items():
            out.write(f"\n{key.upper()}\n" if key != "organizations" else f"{key.upper()}\n")
            if isinstance(value, dict):
                out.value(value)
            elif value:
                out.rows(value)
            else:
                out.write("(none)\n")

    return status
