"""``make bench``: what this SDK adds on top of httpx, against raw httpx and the published ``avala`` package.

Everything is measured in one run, on one loopback server, with the same payloads (:mod:`payloads`):

1. import: ``import avala; avala.Client(api_key="k")`` in a fresh interpreter (timed inside it, so interpreter
   start-up is left out), median of many runs, against ``import httpx`` alone in the same environment;
2. call overhead: client CPU time (``time.process_time``) per ``datasets.get`` and per 100-item
   ``datasets.list_items``, against raw ``httpx.Client.get(...).json()`` timed in the same worker process (batches
   alternate), so that a ratio never mixes two processes; the server is another process;
3. parse throughput: items per second turning the 100-item page into models, in several fresh processes per SDK;
4. codegen: wall time of ``make codegen`` (the tool environment is installed first, untimed);
5. async fan-out: 500 concurrent gets through one ``AsyncClient``: wall time and connections the server accepted;
6. pagination (``pagination.py``): 100,000 items over 1,000 pages, items per second and peak memory growth;
7. uploads (``upload_bench.py``): ``datasets.upload_files`` of 1 x 1 GiB (multipart) and 2,000 x 256 KiB against raw
   httpx streaming PUTs of the same bytes (and raw httpx speaking the same API protocol) to one loopback sink:
   throughput, CPU per GiB, peak memory growth.
8. fleet uploads (``fleet_upload.py``): 200 files / 1 GiB through ``upload_recording`` against raw httpx streaming
   PUTs with the same concurrency (throughput, reads of each byte), and the peak memory growth of a 4 GiB MCAP file
   through ``upload_managed_recording``. ``AVALA_BENCH_SMALL=1`` runs it at 64 MiB / 512 MiB.

The published package is installed by this script into ``.bench/published-venv`` (never into the project's
environment: same import name) and measured in processes of that environment. Measurements of the contenders are
interleaved round by round, in rotating order; each figure is a median, each ratio the median of the per-round ratios
(pairing rounds cancels what the load of the machine does to all contenders alike). Prints the machine and the date with
one table; asserts nothing about time.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import venv
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, Any

import upload_bench  # benchmarks/, this script's directory

from avala._transport import POOL_SIZE  # the pool limit of this SDK's clients (httpx's default is 100)

ROOT = Path(__file__).resolve().parent.parent
HERE = ROOT / "benchmarks"
PUBLISHED_VERSION = "0.4.1"
PUBLISHED_VENV = ROOT / ".bench" / "published-venv"
OURS = sys.executable  # make bench runs this script with .venv/bin/python
IMPORT_RUNS = 25
CALL_ROUNDS = 15
GET_CALLS = 200
LIST_CALLS = 30
PARSE_PAGES = 40
PARSE_PROCESSES = 7
FANOUT = 500
FANOUT_ROUNDS = 3
CODEGEN_RUNS = 3


def log(message: str) -> None:
    """Progress on stderr, so that stdout is the table alone."""
    print(f"bench: {message}", file=sys.stderr, flush=True)


def clean_env(**extra: str) -> dict[str, str]:
    """The environment of every measured process: no PYTHON* or AVALA* variable from the caller."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "AVALA_"))}
    return {**env, **extra}


# --- the published package ------------------------------------------------------------------------------------


def venv_python(path: Path) -> str:
    """The interpreter of a virtual environment."""
    return str(path / ("Scripts/python.exe" if os.name == "nt" else "bin/python"))


def installed_version(python: str) -> str | None:
    """The version of ``avala`` installed in an environment, if any."""
    code = "from importlib import metadata; print(metadata.version('avala'))"
    done = subprocess.run([python, "-I", "-c", code], capture_output=True, text=True, cwd=tempfile.gettempdir())
    return done.stdout.strip() if done.returncode == 0 else None


def closest_published(python: str) -> str:
    """The published version nearest to ``PUBLISHED_VERSION`` (when that one is not on the registry)."""
    done = subprocess.run(
        [python, "-m", "pip", "index", "versions", "avala"], capture_output=True, text=True, check=True
    )
    line = next(ln for ln in done.stdout.splitlines() if ln.startswith("Available versions:"))
    versions = [v.strip() for v in line.split(":", 1)[1].split(",")]

    def key(version: str) -> tuple[int, ...]:
        return tuple(int(part) for part in version.split(".") if part.isdigit())

    wanted = key(PUBLISHED_VERSION)
    return min(versions, key=lambda v: (abs(key(v)[0] - wanted[0]), abs(key(v)[1] - wanted[1]), key(v)))


def published_env() -> tuple[str, str]:
    """Create ``.bench/published-venv`` with the published ``avala`` (once); return its python and version."""
    python = venv_python(PUBLISHED_VENV)
    version = installed_version(python) if Path(python).exists() else None
    if version is None:
        log(f"creating {PUBLISHED_VENV.relative_to(ROOT)} with the published avala {PUBLISHED_VERSION}")
        venv.create(PUBLISHED_VENV, with_pip=True, clear=True)
        pip = [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
        if subprocess.run([*pip, f"avala=={PUBLISHED_VERSION}"]).returncode != 0:
            fallback = closest_published(python)
            log(f"avala=={PUBLISHED_VERSION} is not installable here; using the closest published: {fallback}")
            subprocess.run([*pip, f"avala=={fallback}"], check=True)
        version = installed_version(python)
        assert version is not None, "the published avala did not install"
    return python, version


class Samples:
    """The figures of each contender, one per round; round ``r`` of every contender ran back to back."""

    def __init__(self, figures: dict[str, list[float]]) -> None:
        self.figures = figures

    def median(self, name: str) -> float:
        """The median figure of one contender."""
        return statistics.median(self.figures[name])

    def ratio(self, name: str, base: str, invert: bool = False) -> tuple[float, float, float]:
        """Median and quartiles of the per-round ratios ``name / base`` (``base / name`` with ``invert``): pairing
        the rounds cancels what the machine's load does to both alike."""
        pairs = zip(self.figures[name], self.figures[base], strict=True)
        ratios = [b / a if invert else a / b for a, b in pairs]
        low, _, high = statistics.quantiles(ratios, n=4)
        return statistics.median(ratios), low, high


# --- the server and the workers -------------------------------------------------------------------------------


class Server:
    """``server.py`` in its own process: the data port the clients use, the control port for connection counts."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [OURS, "-E", "-s", str(HERE / "server.py")], stdout=subprocess.PIPE, text=True, env=clean_env()
        )
        assert self.process.stdout is not None
        data, control = self.process.stdout.readline().split()
        self.base_url = f"http://127.0.0.1:{data}/api/v1"
        self.control = f"http://127.0.0.1:{control}"

    def stats(self, reset: bool = False) -> dict[str, int]:
        """Connections accepted and peak open on the data port (since the last reset)."""
        with urllib.request.urlopen(f"{self.control}/{'reset' if reset else 'stats'}") as answer:
            stats: dict[str, int] = json.load(answer)
            return stats

    def settle(self, open_connections: int) -> None:
        """Wait until the server has seen closed connections go (at most 5 s)."""
        deadline = time.monotonic() + 5
        while self.stats()["open"] > open_connections and time.monotonic() < deadline:
            time.sleep(0.05)

    def stop(self) -> None:
        """Stop the server process."""
        self.process.terminate()
        self.process.wait()


class Worker:
    """A ``worker.py`` process for one contender, answering one command at a time."""

    def __init__(self, name: str, python: str, kind: str, base_url: str) -> None:
        self.name = name
        self.process = subprocess.Popen(
            [python, "-E", "-s", str(HERE / "worker.py"), kind, base_url],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=tempfile.gettempdir(),  # never the checkout: the published venv must not import ./avala
            env=clean_env(AVALA_ALLOW_INSECURE_BASE_URL="1"),
        )
        self.info: dict[str, Any] = json.loads(self._line())

    def _line(self) -> str:
        stdout: IO[str] | None = self.process.stdout
        assert stdout is not None
        line = stdout.readline()
        if not line:
            raise RuntimeError(f"the {self.name} worker exited ({self.process.wait()})")
        return line

    def ask(self, command: str) -> float | None:
        """Run one command; its figure in seconds (None when the contender cannot do it)."""
        assert self.process.stdin is not None
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        value: float | None = json.loads(self._line())["seconds"]
        return value

    def stop(self) -> None:
        """Let the worker exit."""
        assert self.process.stdin is not None
        self.process.stdin.write("quit\n")
        self.process.stdin.close()
        self.process.wait()


def paired_rounds(workers: Sequence[Worker], command: str, calls: int, count: int) -> Samples:
    """``count`` rounds of ``calls`` calls of ``command`` (microseconds per call) on every SDK worker, each batch
    followed or preceded (by turns) by the same calls through raw httpx in that worker's own process (figures under
    ``"<name> floor"``). Two processes of one program differ in speed by several per cent (memory layout, CPU
    placement), so an SDK is compared with the floor measured in its own process, round by round."""
    figures: dict[str, list[float]] = {}
    for r in range(count):
        for w in [*workers[r % len(workers) :], *workers[: r % len(workers)]]:
            order = [command, f"floor-{command}"] if r % 2 else [f"floor-{command}", command]
            for asked in order:
                value = w.ask(f"{asked} {calls}")
                assert value is not None
                name = w.name if asked == command else f"{w.name} floor"
                figures.setdefault(name, []).append(value * 1e6 / calls)
    return Samples(figures)


def parse_rounds(server: Server, pythons: dict[str, str]) -> Samples:
    """Seconds per ``PARSE_PAGES`` page parses, each figure the median of ``CALL_ROUNDS // 3`` batches in one fresh
    worker process, ``PARSE_PROCESSES`` processes per SDK in rotating order. This allocation-heavy loop runs up to
    20 % faster in one process than in another of the same program, so one process per contender would make the
    ratio a matter of luck; pairing process ``i`` of each SDK averages it out."""
    figures: dict[str, list[float]] = {name: [] for name in pythons}
    names = list(pythons)
    for r in range(PARSE_PROCESSES):
        for name in [*names[r % len(names) :], *names[: r % len(names)]]:
            worker = Worker(name, pythons[name], "sdk", server.base_url)
            try:
                batches = [worker.ask(f"parse {PARSE_PAGES}") for _ in range(CALL_ROUNDS // 3)]
            finally:
                worker.stop()
            figures[name].append(statistics.median(b for b in batches if b is not None))
    return Samples(figures)


# --- the measurements -----------------------------------------------------------------------------------------


def import_times(variants: dict[str, tuple[str, str]]) -> Samples:
    """Milliseconds of each ``code`` in a fresh interpreter, timed inside it; runs interleaved, in rotating order."""
    samples: dict[str, list[float]] = {name: [] for name in variants}
    names = list(variants)
    for r in range(IMPORT_RUNS):
        for name in [*names[r % len(names) :], *names[: r % len(names)]]:
            python, code = variants[name]
            program = f"import time\nt = time.perf_counter()\n{code}\nprint(time.perf_counter() - t)"
            done = subprocess.run(
                [python, "-I", "-c", program],
                capture_output=True,
                text=True,
                check=True,
                cwd=tempfile.gettempdir(),
                env=clean_env(),
            )
            samples[name].append(float(done.stdout) * 1000)
    return Samples(samples)


def codegen_seconds() -> float | None:
    """Median wall seconds of ``make codegen`` (None if it fails: the table says so)."""
    make = os.environ.get("MAKE", "make")
    subprocess.run([make, "--no-print-directory", ".tools/codegen/bin/python"], cwd=ROOT, check=True)
    times = []
    for _ in range(CODEGEN_RUNS):
        started = time.perf_counter()
        done = subprocess.run([make, "--no-print-directory", "codegen"], cwd=ROOT, capture_output=True, text=True)
        times.append(time.perf_counter() - started)
        if done.returncode != 0:
            log(f"make codegen failed:\n{done.stdout}{done.stderr}")
            return None
    return statistics.median(times)


def fanout(server: Server, workers: Sequence[Worker]) -> dict[str, dict[str, float]]:
    """Wall time (median) and connections (the most of any round) of ``FANOUT`` concurrent gets per contender."""
    idle = server.stats()["open"]  # the sync workers' keep-alive connections
    walls: dict[str, list[float]] = {w.name: [] for w in workers}
    accepted: dict[str, int] = {w.name: 0 for w in workers}
    peak: dict[str, int] = {w.name: 0 for w in workers}
    for r in range(FANOUT_ROUNDS):
        for w in [*workers[r % len(workers) :], *workers[: r % len(workers)]]:
            server.settle(idle)
            server.stats(reset=True)
            seconds = w.ask(f"fanout {FANOUT}")
            stats = server.stats()
            assert seconds is not None
            walls[w.name].append(seconds)
            accepted[w.name] = max(accepted[w.name], stats["accepted"])
            peak[w.name] = max(peak[w.name], stats["peak_open"] - idle)
    return {
        w.name: {"ms": statistics.median(walls[w.name]) * 1000, "accepted": accepted[w.name], "peak": peak[w.name]}
        for w in workers
    }


def fleet_uploads() -> dict[str, dict[str, float]]:
    """The figures of ``fleet_upload.py`` (reduced sizes with ``AVALA_BENCH_SMALL=1``)."""
    command = [OURS, "-E", "-s", str(HERE / "fleet_upload.py"), "--json"]
    if os.environ.get("AVALA_BENCH_SMALL"):
        command.append("--small")
    out = subprocess.run(command, check=True, capture_output=True, text=True, env=clean_env()).stdout
    result: dict[str, dict[str, float]] = json.loads(out.strip().splitlines()[-1])
    return result


def pagination() -> dict[str, dict[str, float]]:
    """The figures of ``pagination.py``."""
    command = [OURS, "-E", "-s", str(HERE / "pagination.py"), "--json"]
    out = subprocess.run(command, check=True, capture_output=True, text=True, env=clean_env()).stdout
    result: dict[str, dict[str, float]] = json.loads(out.strip().splitlines()[-1])
    return result


# --- the table ------------------------------------------------------------------------------------------------


def machine() -> str:
    """CPU model, cores, OS and Python of this machine."""
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = f", load average {os.getloadavg()[0]:.2f}" if hasattr(os, "getloadavg") else ""
    return (
        f"{model}, {os.cpu_count()} cores, {platform.system()} {platform.release()}, "
        f"{platform.python_implementation()} {platform.python_version()}{load}"
    )


def shown(ratio: tuple[float, float, float]) -> str:
    """A paired ratio with its interquartile range: ``1.04x (1.02-1.06)``."""
    median, low, high = ratio
    return f"{median:.2f}x ({low:.2f}-{high:.2f})"


def verdict(ok: bool) -> str:
    """The goal column's mark."""
    return "met" if ok else "MISSED"


def table(rows: list[list[str]]) -> str:
    """A Markdown table; the first row is the header."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]

    def line(row: list[str]) -> str:
        return "| " + " | ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)) + " |"

    rule = "|" + "|".join("-" * (width + 2) for width in widths) + "|"
    return "\n".join([line(rows[0]), rule, *(line(row) for row in rows[1:])])


def timed(what: str, step: Callable[[], Any]) -> Any:
    """Run one measurement step, logging its duration."""
    started = time.perf_counter()
    log(f"{what}...")
    result = step()
    log(f"{what}: {time.perf_counter() - started:.1f} s")
    return result


def measure(published_python: str) -> dict[str, Any]:
    """Every figure but the published package's installation."""
    imports = timed(
        "import",
        lambda: import_times(
            {
                "httpx": (OURS, "import httpx"),
                "ours": (OURS, "import avala; avala.Client(api_key='k')"),
                "httpx+client": (OURS, "import httpx; httpx.Client()"),
                "ours+use": (OURS, "import avala; avala.Client(api_key='k').datasets"),
                "pub httpx": (published_python, "import httpx"),
                "pub": (published_python, "import avala; avala.Client(api_key='k')"),
            }
        ),
    )
    server = Server()
    workers: list[Worker] = []
    try:
        workers = [
            Worker("httpx", OURS, "httpx", server.base_url),
            Worker("ours", OURS, "sdk", server.base_url),
            Worker("pub", published_python, "sdk", server.base_url),
        ]
        info = {w.name: w.info for w in workers}
        assert Path(info["ours"]["file"]).resolve().is_relative_to(ROOT / "avala"), info["ours"]
        assert Path(info["pub"]["file"]).resolve().is_relative_to(PUBLISHED_VENV.resolve()), info["pub"]
        sdks = workers[1:]
        get = timed("datasets.get", lambda: paired_rounds(sdks, "get", GET_CALLS, CALL_ROUNDS))
        lists = timed("list_items", lambda: paired_rounds(sdks, "list", LIST_CALLS, CALL_ROUNDS))
        parse = timed("parse", lambda: parse_rounds(server, {"ours": OURS, "pub": published_python}))
        fan = timed("async fan-out", lambda: fanout(server, workers))
    finally:
        for w in workers:
            w.stop()
        server.stop()
    codegen = timed("make codegen", codegen_seconds)
    pages = timed("pagination", pagination)
    uploads = timed("uploads", upload_bench.measure)
    fleet = timed("fleet uploads", fleet_uploads)
    return {
        "uploads": uploads,
        "fleet": fleet,
        "info": info,
        "imports": imports,
        "get": get,
        "lists": lists,
        "parse": parse,
        "fan": fan,
        "codegen": codegen,
        "pages": pages,
    }


def report(m: dict[str, Any], published: str) -> str:
    """The table, with the machine, the date and the method above it."""
    imports, get, lists, parse, fan, codegen, pages = (
        m[k] for k in ("imports", "get", "lists", "parse", "fan", "codegen", "pages")
    )
    pub = f"published {published}"
    items = PARSE_PAGES * 100
    ratios = {
        "import": imports.ratio("ours", "httpx"),
        "get": get.ratio("ours", "ours floor"),
        "list": lists.ratio("ours", "ours floor"),
        "parse": parse.ratio("ours", "pub", invert=True),
    }
    rows = [
        ["figure", "raw httpx", "this SDK", "ratio (IQR)", pub, "ratio (IQR)", "goal", ""],
        [
            "import + Client(), ms",
            f"{imports.median('httpx'):.1f}",
            f"{imports.median('ours'):.1f}",
            shown(ratios["import"]),
            f"{imports.median('pub'):.1f}",
            shown(imports.ratio("pub", "pub httpx")),
            "<= 1.5x",
            verdict(ratios["import"][0] <= 1.5),
        ],
        [
            "  same + first resource use, ms",
            f"{imports.median('httpx+client'):.1f} (+ httpx.Client())",
            f"{imports.median('ours+use'):.1f}",
            shown(imports.ratio("ours+use", "httpx+client")),
            "(as above)",
            "",
            "(reference)",
            "",
        ],
        [
            "datasets.get, client CPU us/call",
            f"{get.median('ours floor'):.0f}",
            f"{get.median('ours'):.0f}",
            shown(ratios["get"]),
            f"{get.median('pub'):.0f}",
            shown(get.ratio("pub", "pub floor")),
            "<= 1.05x",
            verdict(ratios["get"][0] <= 1.05),
        ],
        [
            "datasets.list_items (100 items), client CPU us/call",
            f"{lists.median('ours floor'):.0f}",
            f"{lists.median('ours'):.0f}",
            shown(ratios["list"]),
            f"{lists.median('pub'):.0f}",
            shown(lists.ratio("pub", "pub floor")),
            "<= 1.2x",
            verdict(ratios["list"][0] <= 1.2),
        ],
        [
            "parse a 100-item page, items/s",
            "n/a",
            f"{items / parse.median('ours'):,.0f}",
            shown(ratios["parse"]) + " of published",
            f"{items / parse.median('pub'):,.0f}",
            "",
            ">= 1.5x published",
            verdict(ratios["parse"][0] >= 1.5),
        ],
        [
            "make codegen, s",
            "n/a",
            "failed" if codegen is None else f"{codegen:.2f}",
            "",
            "n/a",
            "",
            "< 10 s",
            verdict(codegen is not None and codegen < 10),
        ],
        [
            f"async fan-out of {FANOUT} gets, wall ms",
            f"{fan['httpx']['ms']:.0f}",
            f"{fan['ours']['ms']:.0f}",
            f"{fan['ours']['ms'] / fan['httpx']['ms']:.2f}x",
            f"{fan['pub']['ms']:.0f}",
            f"{fan['pub']['ms'] / fan['httpx']['ms']:.2f}x",
            "(reference)",
            "",
        ],
        [
            "  connections opened (most open at once)",
            f"{fan['httpx']['accepted']} ({fan['httpx']['peak']})",
            f"{fan['ours']['accepted']} ({fan['ours']['peak']})",
            "",
            f"{fan['pub']['accepted']} ({fan['pub']['peak']})",
            "",
            f"<= {POOL_SIZE} (its pool), one pool",
            verdict(fan["ours"]["accepted"] <= POOL_SIZE),
        ],
    ]
    for kind in ("sync", "async"):
        walk = pages[kind]
        rows.append(
            [
                f"pagination {kind}, 100k items: items/s; peak memory growth",
                "n/a",
                f"{walk['items_per_second']:,.0f}; {walk['peak_growth_mb']:.1f} MB",
                "",
                "n/a",
                "",
                "< 10 MB, flat",
                verdict(walk["peak_growth_mb"] < 10),
            ]
        )
    rows.extend(upload_bench.rows(m["uploads"]))
    classic, managed = m["fleet"]["classic"], m["fleet"]["managed"]
    rows += [
        [
            f"fleet upload_recording, 200 files / {classic['bytes'] / (1 << 30):.2f} GiB, 4 workers: MB/s",
            f"{classic['raw_mb_s']:.0f} (streaming PUTs)",
            f"{classic['ours_mb_s']:.0f}",
            f"{classic['ratio']:.2f}x ({classic['ratio_low']:.2f}-{classic['ratio_high']:.2f})",
            "n/a",
            "",
            ">= 0.6x",
            verdict(classic["ratio"] >= 0.6),
        ],
        [
            "  reads of each byte from disk (inventory, PUT hashing as it sends)",
            "1",
            f"{classic['reads_per_byte']:.2f}",
            "",
            "3-4",
            "",
            "<= 2",
            verdict(classic["reads_per_byte"] <= 2.05),
        ],
        [
            f"fleet upload_managed_recording, one {managed['bytes'] / (1 << 30):.2f} GiB MCAP: peak memory growth",
            "n/a",
            f"{managed['peak_growth_mb']:.1f} MB",
            "",
            "n/a",
            "",
            "< 64 MiB",
            verdict(managed["peak_growth_mb"] < 64),
        ],
    ]
    info = m["info"]
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return "\n".join(
        [
            f"Avala Python SDK benchmarks, {now}",
            f"Machine: {machine()}",
            f"httpx {info['ours']['httpx']} in both environments ({info['pub']['httpx']} in the published one); "
            f"this SDK {info['ours']['avala']}; published avala {published} (registry) in "
            f"{PUBLISHED_VENV.relative_to(ROOT)}",
            f"Figures are medians: import of {IMPORT_RUNS} fresh interpreters each; client CPU of {CALL_ROUNDS} "
            f"rounds of {GET_CALLS} gets, {LIST_CALLS} list_items; {PARSE_PAGES} page parses in {PARSE_PROCESSES} "
            f"fresh processes per SDK; {FANOUT_ROUNDS} "
            "fan-outs. Contenders alternate round by round; a ratio is the median of the per-round ratios, "
            "with their interquartile range; call-overhead ratios pair each SDK with raw httpx in its own process.",
            "",
            table(rows),
            "",
            "Pagination, peak memory growth after 10,000 items: "
            f"sync {pages['sync']['peak_growth_mb_at_10k']:.1f} MB, "
            f"async {pages['async']['peak_growth_mb_at_10k']:.1f} MB (flat: about the same as after 100,000).",
        ]
    )


def main() -> None:
    """Measure everything and print the table."""
    started = time.perf_counter()
    published_python, published = timed("published package", published_env)
    print(report(measure(published_python), published))
    log(f"done in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
