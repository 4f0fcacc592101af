"""``make bench``: what this SDK adds on top of httpx, against raw httpx and the published ``avala`` package.

Everything is measured in one run, on one loopback server, with the same payloads (:mod:`payloads`), and with the
same HTTP stack: the driver installs this SDK (editable, with its ``speedups`` extra) into ``.bench/sdk-venv`` and
the published package into ``.bench/published-venv``, both with httpx, httpcore, h11 and anyio pinned to the
versions of the project's ``.venv``; it refuses to run when an environment's versions differ.

1. first call: ``import avala; c = avala.Client(...); c.datasets.get(...)`` against the loopback server in a fresh
   interpreter (timed inside it, so interpreter start-up is left out), against ``import httpx; c = httpx.Client(...);
   c.get(...).json()`` in the same environment: every contender ends with its client made and its first call done;
2. call overhead: client CPU time (``time.process_time``) per ``datasets.get`` and per 100-item
   ``datasets.list_items``, against raw ``httpx.Client.get(...).json()`` timed in the same worker process (batches
   alternate), so that a ratio never mixes two processes; the server is another process. This SDK runs twice: with
   the standard library's JSON decoder (``AVALA_NO_SPEEDUPS=1``) and with orjson (``avala[speedups]``);
3. parse throughput: items per second turning the bytes of the 100-item page into models (JSON decoding included:
   what ``list_items`` does with a body), in several fresh processes per SDK, ``json.loads`` alone as the floor;
4. codegen: wall time of ``make codegen`` (the tool environment is installed first, untimed);
5. async fan-out: 500 concurrent gets (200 with ``AVALA_BENCH_SMALL``) through one async client: wall time and
   connections the server accepted. Raw httpx is given this SDK's pool limits and its bound on calls in flight, so
   that the figure measures the SDK;
6. pagination (``pagination.py``): 100,000 items over 1,000 pages, items per second and peak memory growth;
7. uploads (``upload_bench.py``): ``datasets.upload_files`` of 1 x 1 GiB (multipart) and 2,000 x 256 KiB against raw
   httpx streaming PUTs of the same bytes (and raw httpx speaking the same API protocol) to one loopback sink:
   throughput, CPU per GiB, peak memory growth.
8. fleet uploads (``fleet_upload.py``): 200 files / 1 GiB through ``upload_recording`` against raw httpx streaming
   PUTs with the same concurrency (throughput, reads of each byte), and the peak memory growth of a 4 GiB MCAP file
   through ``upload_managed_recording``.

``AVALA_BENCH_SMALL=1`` runs fewer rounds and smaller uploads (a quick check that every row works). The loopback
server sends each response, head and body, in one ``send()``, and says how many it made: the table's header reports
it. Measurements of the contenders are interleaved round by round, in rotating order; each figure is a median with
its spread, each ratio the median of the per-round ratios (pairing rounds cancels what the load of the machine does
to all contenders alike). Prints the machine, its load and the date with one table; asserts nothing about time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
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

import payloads  # benchmarks/, this script's directory
import upload_bench

from avala._transport import POOL_LIMITS, POOL_SIZE  # this SDK's pool and its bound on async calls in flight

ROOT = Path(__file__).resolve().parent.parent
HERE = ROOT / "benchmarks"
PUBLISHED_VERSION = "0.4.1"
BENCH = ROOT / ".bench"
PUBLISHED_VENV = BENCH / "published-venv"
SDK_VENV = BENCH / "sdk-venv"
OURS = sys.executable  # make bench runs this script with .venv/bin/python: the project's environment
STACK = ("httpx", "httpcore", "h11", "anyio")  # the HTTP stack every contender runs on, pinned alike
SMALL = bool(os.environ.get("AVALA_BENCH_SMALL"))
IMPORT_RUNS = 7 if SMALL else 15
CALL_ROUNDS = 7 if SMALL else 15
GET_CALLS = 100 if SMALL else 200
LIST_CALLS = 15 if SMALL else 30
PARSE_PAGES = 40
PARSE_BATCHES = 5
PARSE_PROCESSES = 3 if SMALL else 7
FANOUT = 200 if SMALL else 500
FANOUT_ROUNDS = 3
CODEGEN_RUNS = 1 if SMALL else 3
PAGINATION_RUNS = 1 if SMALL else 3
SMALL_UPLOADS = {
    "AVALA_BENCH_UPLOAD_BIG_MB": "128",
    "AVALA_BENCH_UPLOAD_FILES": "200",
    "AVALA_BENCH_UPLOAD_ROUNDS": "3",
}
ORJSON = "ours+orjson"


def log(message: str) -> None:
    """Progress on stderr, so that stdout is the table alone."""
    print(f"bench: {message}", file=sys.stderr, flush=True)


def clean_env(**extra: str) -> dict[str, str]:
    """The environment of every measured process: no PYTHON* or AVALA* variable from the caller."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "AVALA_"))}
    return {**env, **extra}


# --- the environments -----------------------------------------------------------------------------------------


def venv_python(path: Path) -> str:
    """The interpreter of a virtual environment."""
    return str(path / ("Scripts/python.exe" if os.name == "nt" else "bin/python"))


def versions(python: str, names: Sequence[str]) -> dict[str, str | None]:
    """The installed versions of ``names`` in an environment (None: not installed)."""
    code = (
        "import json, sys\nfrom importlib import metadata\nout = {}\nfor name in sys.argv[1:]:\n"
        "    try:\n        out[name] = metadata.version(name)\n    except metadata.PackageNotFoundError:\n"
        "        out[name] = None\nprint(json.dumps(out))"
    )
    done = subprocess.run(
        [python, "-I", "-c", code, *names], capture_output=True, text=True, cwd=tempfile.gettempdir(), check=True
    )
    found: dict[str, str | None] = json.loads(done.stdout)
    return found


def stack_pins() -> list[str]:
    """``httpx==...`` and the rest of the HTTP stack, as the project's environment has them."""
    found = versions(OURS, STACK)
    missing = [name for name, version in found.items() if version is None]
    if missing:
        raise SystemExit(f"bench: {', '.join(missing)} not installed in {OURS}: run make install")
    return [f"{name}=={found[name]}" for name in STACK]


def pip_install(python: str, *args: str) -> None:
    """``pip install`` into an environment (quietly; fails loudly)."""
    subprocess.run([python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *args], check=True)


def same_stack(python: str, where: str) -> dict[str, str | None]:
    """The HTTP stack of an environment, after checking it is the project's; refuses to go on otherwise."""
    ours, theirs = versions(OURS, STACK), versions(python, STACK)
    if ours != theirs:
        raise SystemExit(
            f"bench: {where} runs {theirs}, the project's environment {ours}: the figures would compare two HTTP "
            f"stacks, not two SDKs. Delete {where} and run make bench again."
        )
    return theirs


def closest_published(python: str) -> str:
    """The published version nearest to ``PUBLISHED_VERSION`` (when that one is not on the registry)."""
    done = subprocess.run(
        [python, "-m", "pip", "index", "versions", "avala"], capture_output=True, text=True, check=True
    )
    line = next(ln for ln in done.stdout.splitlines() if ln.startswith("Available versions:"))
    available = [v.strip() for v in line.split(":", 1)[1].split(",")]

    def key(version: str) -> tuple[int, ...]:
        return tuple(int(part) for part in version.split(".") if part.isdigit())

    wanted = key(PUBLISHED_VERSION)
    return min(available, key=lambda v: (abs(key(v)[0] - wanted[0]), abs(key(v)[1] - wanted[1]), key(v)))


def published_env() -> tuple[str, str]:
    """``.bench/published-venv`` with the published ``avala`` (created once) on the project's HTTP stack, pinned;
    its python and the published version."""
    python = venv_python(PUBLISHED_VENV)
    pins = stack_pins()
    version = versions(python, ["avala"])["avala"] if Path(python).exists() else None
    if version is None:
        log(f"creating {PUBLISHED_VENV.relative_to(ROOT)} with the published avala {PUBLISHED_VERSION}")
        venv.create(PUBLISHED_VENV, with_pip=True, clear=True)
        try:
            pip_install(python, f"avala=={PUBLISHED_VERSION}", *pins)
        except subprocess.CalledProcessError:
            fallback = closest_published(python)
            log(f"avala=={PUBLISHED_VERSION} is not installable here; using the closest published: {fallback}")
            pip_install(python, f"avala=={fallback}", *pins)
        version = versions(python, ["avala"])["avala"]
        assert version is not None, "the published avala did not install"
    elif versions(python, STACK) != versions(OURS, STACK):
        log(f"pinning {' '.join(pins)} in {PUBLISHED_VENV.relative_to(ROOT)}")
        pip_install(python, *pins)
    same_stack(python, str(PUBLISHED_VENV.relative_to(ROOT)))
    return python, version


def sdk_env() -> tuple[str, dict[str, str | None]]:
    """``.bench/sdk-venv``: this checkout (editable) with its ``speedups`` extra, on the project's HTTP stack,
    pinned; rebuilt when ``pyproject.toml`` or the pins change. Its python and its versions of avala and orjson."""
    python = venv_python(SDK_VENV)
    orjson = versions(OURS, ["orjson"])["orjson"]  # the tests' orjson (the dev group pins it), when there is one
    pins = [*stack_pins(), *([f"orjson=={orjson}"] if orjson else [])]
    stamp = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + " ".join(pins).encode()).hexdigest()
    stamp_file = SDK_VENV / "bench-stamp"
    if not Path(python).exists() or not stamp_file.exists() or stamp_file.read_text() != stamp:
        log(f"creating {SDK_VENV.relative_to(ROOT)}: this SDK with avala[speedups], {' '.join(pins)}")
        venv.create(SDK_VENV, with_pip=True, clear=True)
        pip_install(python, "-e", f"{ROOT}[speedups]", *pins)
        stamp_file.write_text(stamp)
    same_stack(python, str(SDK_VENV.relative_to(ROOT)))
    return python, versions(python, ["avala", "orjson"])


class Samples:
    """The figures of each contender, one per round; round ``r`` of every contender ran back to back."""

    def __init__(self, figures: dict[str, list[float]]) -> None:
        self.figures = figures

    def __contains__(self, name: str) -> bool:
        return name in self.figures

    def median(self, name: str) -> float:
        """The median figure of one contender."""
        return statistics.median(self.figures[name])

    def shown(self, name: str, scale: Callable[[float], float] = lambda v: v, digits: int = 0) -> str:
        """The median figure with its spread: ``1157 (1120-1190)``."""
        values = [scale(v) for v in self.figures[name]]
        low, high = spread(values)
        return f"{statistics.median(values):,.{digits}f} ({low:,.{digits}f}-{high:,.{digits}f})"

    def ratio(self, name: str, base: str, invert: bool = False) -> tuple[float, float, float]:
        """Median and spread of the per-round ratios ``name / base`` (``base / name`` with ``invert``): pairing
        the rounds cancels what the machine's load does to both alike."""
        pairs = zip(self.figures[name], self.figures[base], strict=True)
        ratios = [b / a if invert else a / b for a, b in pairs]
        return statistics.median(ratios), *spread(ratios)


def spread(values: Sequence[float]) -> tuple[float, float]:
    """The interquartile range of five or more values, the range (min-max) of fewer."""
    if len(values) < 5:
        return min(values), max(values)
    low, _, high = statistics.quantiles(values, n=4, method="inclusive")
    return low, high


# --- the server and the workers -------------------------------------------------------------------------------


class Server:
    """``server.py`` in its own process: the data port the clients use, the control port for its counters."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [OURS, "-E", "-s", str(HERE / "server.py")], stdout=subprocess.PIPE, text=True, env=clean_env()
        )
        assert self.process.stdout is not None
        data, control = self.process.stdout.readline().split()
        self.base_url = f"http://127.0.0.1:{data}/api/v1"
        self.control = f"http://127.0.0.1:{control}"

    def stats(self, reset: bool = False) -> dict[str, int]:
        """Connections accepted and peak open on the data port (since the last reset); responses and the
        ``send()`` calls that carried them (since start)."""
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

    def __init__(
        self, name: str, python: str, kind: str, base_url: str, *, cold: bool = False, env: dict[str, str] | None = None
    ) -> None:
        self.name = name
        self.process = subprocess.Popen(
            [python, "-E", "-s", str(HERE / "worker.py"), kind, base_url, *(["cold"] if cold else [])],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=tempfile.gettempdir(),  # never the checkout: the published venv must not import ./avala
            env=clean_env(AVALA_ALLOW_INSECURE_BASE_URL="1", **(env or {})),
        )
        self.info: dict[str, Any] = json.loads(self._line())

    def _line(self) -> str:
        stdout: IO[str] | None = self.process.stdout
        assert stdout is not None
        line = stdout.readline()
        if not line:
            raise RuntimeError(f"the {self.name} worker exited ({self.process.wait()})")
        return line

    def ask(self, command: str) -> float:
        """Run one command; its figure in seconds."""
        assert self.process.stdin is not None
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        value: float = json.loads(self._line())["seconds"]
        return value

    def stop(self) -> None:
        """Let the worker exit."""
        assert self.process.stdin is not None
        self.process.stdin.write("quit\n")
        self.process.stdin.close()
        self.process.wait()


class Contenders:
    """The SDK environments of this run: which python runs which contender, with which environment variables."""

    def __init__(self, sdk_python: str, published_python: str, orjson: bool) -> None:
        self.sdk_python = sdk_python
        self.published_python = published_python
        self.orjson = orjson  # avala[speedups] installed and avala._json there to use it
        self.sdks: dict[str, tuple[str, dict[str, str]]] = {
            "ours": (sdk_python, {"AVALA_NO_SPEEDUPS": "1"}),
            **({ORJSON: (sdk_python, {})} if orjson else {}),
            "pub": (published_python, {}),
        }

    def worker(self, name: str, base_url: str, cold: bool = False) -> Worker:
        """A worker process of one SDK contender."""
        python, env = self.sdks[name]
        return Worker(name, python, "sdk", base_url, cold=cold, env=env)


def rotated(names: Sequence[Any], r: int) -> list[Any]:
    """``names`` starting from the ``r``-th (rotating order, round by round)."""
    return [*names[r % len(names) :], *names[: r % len(names)]]


def paired_rounds(workers: Sequence[Worker], command: str, calls: int, count: int) -> Samples:
    """``count`` rounds of ``calls`` calls of ``command`` (microseconds per call) on every SDK worker, each batch
    followed or preceded (by turns) by the same calls through raw httpx in that worker's own process (figures under
    ``"<name> floor"``). Two processes of one program differ in speed by several per cent (memory layout, CPU
    placement), so an SDK is compared with the floor measured in its own process, round by round."""
    figures: dict[str, list[float]] = {}
    for r in range(count):
        for w in rotated(workers, r):
            order = [command, f"floor-{command}"] if r % 2 else [f"floor-{command}", command]
            for asked in order:
                value = w.ask(f"{asked} {calls}")
                name = w.name if asked == command else f"{w.name} floor"
                figures.setdefault(name, []).append(value * 1e6 / calls)
    return Samples(figures)


def parse_rounds(server: Server, contenders: Contenders) -> Samples:
    """Seconds per ``PARSE_PAGES`` parses of the page's bytes, each figure the median of ``PARSE_BATCHES`` batches in
    one fresh worker process, ``PARSE_PROCESSES`` processes per SDK in rotating order; ``json.loads`` of the same
    bytes in the same process is the floor (``"<name> floor"``). This allocation-heavy loop runs up to 20 % faster
    in one process than in another of the same program, so one process per contender would make the ratio a matter
    of luck; pairing process ``i`` of each SDK averages it out."""
    figures: dict[str, list[float]] = {}
    for r in range(PARSE_PROCESSES):
        for name in rotated(list(contenders.sdks), r):
            worker = contenders.worker(name, server.base_url, cold=True)
            try:
                for asked in ("parse", "floor-parse"):
                    batches = [worker.ask(f"{asked} {PARSE_PAGES}") for _ in range(PARSE_BATCHES)]
                    key = name if asked == "parse" else f"{name} floor"
                    figures.setdefault(key, []).append(statistics.median(batches))
            finally:
                worker.stop()
    return Samples(figures)


# --- the measurements -----------------------------------------------------------------------------------------


def first_call_programs(base_url: str) -> dict[str, str]:
    """The code of the first-call row: import, make the client, make one call (the same end state for all)."""
    raw = (
        "import httpx\n"
        f"c = httpx.Client(headers={{'X-Avala-Api-Key': 'k', 'Accept': 'application/json'}}, timeout=30.0)\n"
        f"c.get({base_url + '/datasets/' + payloads.DATASET_UID + '/'!r}).json()\n"
    )
    sdk = (
        "import avala\n"
        f"c = avala.Client(api_key='k', base_url={base_url!r})\n"
        f"c.datasets.get({payloads.DATASET_UID!r})\n"
    )
    return {"raw": raw, "sdk": sdk}


def import_times(contenders: Contenders, base_url: str) -> Samples:
    """Milliseconds from the first import to the first call's answer, in fresh interpreters (timed inside them);
    runs interleaved, in rotating order. Each SDK's floor (``"<name> floor"``) is raw httpx in its environment."""
    programs = first_call_programs(base_url)
    variants: dict[str, tuple[str, str, dict[str, str]]] = {}
    for name, (python, env) in contenders.sdks.items():
        variants[name] = (python, programs["sdk"], env)
        if name != ORJSON:  # same environment as "ours": "ours floor" is its floor
            variants[f"{name} floor"] = (python, programs["raw"], env)
    samples: dict[str, list[float]] = {name: [] for name in variants}
    for r in range(IMPORT_RUNS):
        for name in rotated(list(variants), r):
            python, code, env = variants[name]
            program = f"import time\nt = time.perf_counter()\n{code}print(time.perf_counter() - t)"
            done = subprocess.run(
                [python, "-I", "-c", program],
                capture_output=True,
                text=True,
                check=True,
                cwd=tempfile.gettempdir(),
                env=clean_env(AVALA_ALLOW_INSECURE_BASE_URL="1", **env),
            )
            samples[name].append(float(done.stdout) * 1000)
    return Samples(samples)


def codegen_times() -> Samples | None:
    """Wall seconds of ``make codegen`` (None if it fails: the table says so)."""
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
    return Samples({"ours": times})


def fanout_limits() -> dict[str, Any]:
    """This SDK's async pool limits and bound on calls in flight, which raw httpx is given too."""
    return {
        "max_connections": POOL_LIMITS.max_connections,
        "max_keepalive_connections": POOL_LIMITS.max_keepalive_connections,
        "keepalive_expiry": POOL_LIMITS.keepalive_expiry,
        "in_flight": POOL_SIZE,
    }


def fanout(server: Server, workers: Sequence[Worker]) -> dict[str, Any]:
    """Wall time (ms, per round) and connections (the most of any round) of ``FANOUT`` concurrent gets per
    contender."""
    limits = json.dumps(fanout_limits())
    idle = server.stats()["open"]  # the sync workers' keep-alive connections
    walls: dict[str, list[float]] = {w.name: [] for w in workers}
    accepted: dict[str, int] = {w.name: 0 for w in workers}
    peak: dict[str, int] = {w.name: 0 for w in workers}
    for r in range(FANOUT_ROUNDS):
        for w in rotated(workers, r):
            server.settle(idle)
            server.stats(reset=True)
            seconds = w.ask(f"fanout {FANOUT} {limits}")
            stats = server.stats()
            walls[w.name].append(seconds * 1000)
            accepted[w.name] = max(accepted[w.name], stats["accepted"])
            peak[w.name] = max(peak[w.name], stats["peak_open"] - idle)
    return {"ms": Samples(walls), "accepted": accepted, "peak": peak}


def fleet_uploads() -> dict[str, dict[str, float]]:
    """The figures of ``fleet_upload.py`` (reduced sizes with ``AVALA_BENCH_SMALL=1``)."""
    command = [OURS, "-E", "-s", str(HERE / "fleet_upload.py"), "--json"]
    if SMALL:
        command.append("--small")
    out = subprocess.run(command, check=True, capture_output=True, text=True, env=clean_env()).stdout
    result: dict[str, dict[str, float]] = json.loads(out.strip().splitlines()[-1])
    return result


def uploads() -> dict[str, Any]:
    """The figures of ``upload_bench.py`` (smaller files and fewer of them with ``AVALA_BENCH_SMALL=1``)."""
    if SMALL:
        for name, value in SMALL_UPLOADS.items():
            os.environ.setdefault(name, value)
    result: dict[str, Any] = upload_bench.measure()
    return result


def pagination() -> dict[str, list[dict[str, float]]]:
    """The figures of ``PAGINATION_RUNS`` runs of ``pagination.py`` (each walk in a fresh process), by walk."""
    command = [OURS, "-E", "-s", str(HERE / "pagination.py"), "--json"]
    runs: dict[str, list[dict[str, float]]] = {"sync": [], "async": []}
    for _ in range(PAGINATION_RUNS):
        out = subprocess.run(command, check=True, capture_output=True, text=True, env=clean_env()).stdout
        for kind, figures in json.loads(out.strip().splitlines()[-1]).items():
            runs[kind].append(figures)
    return runs


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
    return (
        f"{model}, {os.cpu_count()} cores, {platform.system()} {platform.release()}, "
        f"{platform.python_implementation()} {platform.python_version()}"
    )


def load() -> str:
    """The load averages (1, 5, 15 minutes)."""
    if not hasattr(os, "getloadavg"):
        return "n/a"
    return ", ".join(f"{value:.2f}" for value in os.getloadavg())


def shown(ratio: tuple[float, float, float]) -> str:
    """A paired ratio with its spread: ``1.04x (1.02-1.06)``."""
    median, low, high = ratio
    return f"{median:.2f}x ({low:.2f}-{high:.2f})"


def verdict(ok: bool) -> str:
    """The goal column's mark."""
    return "met" if ok else "MISSED"


def verdict_at_most(ratio: float, goal: float) -> str:
    """The mark of a ratio's goal; a miss shows three decimals (a 0.803x shown as 0.80x is not 0.8x)."""
    return "met" if ratio <= goal else f"MISSED ({ratio:.3f}x)"


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


def measure(contenders: Contenders) -> dict[str, Any]:
    """Every figure but the environments' installation."""
    loads = [load()]
    server = Server()
    workers: list[Worker] = []
    try:
        imports = timed("first call", lambda: import_times(contenders, server.base_url))
        floor = Worker("httpx", contenders.sdk_python, "httpx", server.base_url)
        workers = [floor, *(contenders.worker(name, server.base_url) for name in contenders.sdks)]
        info = {w.name: w.info for w in workers}
        assert Path(info["ours"]["file"]).resolve().is_relative_to(ROOT / "avala"), info["ours"]
        assert Path(info["pub"]["file"]).resolve().is_relative_to(PUBLISHED_VENV.resolve()), info["pub"]
        assert not info["ours"]["decoder"].startswith("orjson"), info["ours"]
        sdks = [w for w in workers if w.name != "httpx"]
        get = timed(
            "datasets.get", lambda: paired_rounds([w for w in sdks if w.name != ORJSON], "get", GET_CALLS, CALL_ROUNDS)
        )
        lists = timed("list_items", lambda: paired_rounds(sdks, "list", LIST_CALLS, CALL_ROUNDS))
        loads.append(load())
        parse = timed("parse", lambda: parse_rounds(server, contenders))
        fan = timed("async fan-out", lambda: fanout(server, [floor, *(w for w in sdks if w.name != ORJSON)]))
        loads.append(load())
        sends = server.stats()
    finally:
        for w in workers:
            w.stop()
        server.stop()
    codegen = timed("make codegen", codegen_times)
    pages = timed("pagination", pagination)
    upload = timed("uploads", uploads)
    fleet = timed("fleet uploads", fleet_uploads)
    loads.append(load())
    return {
        "uploads": upload,
        "fleet": fleet,
        "info": info,
        "imports": imports,
        "get": get,
        "lists": lists,
        "parse": parse,
        "fan": fan,
        "codegen": codegen,
        "pages": pages,
        "sends": sends,
        "loads": loads,
    }


def call_rows(m: dict[str, Any], contenders: Contenders, orjson_missing: str) -> list[list[str]]:
    """The rows of the first call, the call overheads, parsing and the fan-out."""
    imports, get, lists, parse, fan = (m[k] for k in ("imports", "get", "lists", "parse", "fan"))
    items = PARSE_PAGES * payloads.PAGE_SIZE

    def per_second(seconds: float) -> float:
        return items / seconds

    fast = contenders.orjson
    first_call = imports.ratio("ours", "ours floor")
    rows = [
        [
            "first call: import, Client(), datasets.get, ms",
            imports.shown("ours floor", digits=1),
            imports.shown("ours", digits=1),
            shown(first_call),
            imports.shown("pub", digits=1),
            shown(imports.ratio("pub", "pub floor")),
            "<= 1.5x",
            verdict_at_most(first_call[0], 1.5),
        ],
        [
            "  same, with avala[speedups] (orjson)",
            "(as above)",
            imports.shown(ORJSON, digits=1) if fast else orjson_missing,
            shown(imports.ratio(ORJSON, "ours floor")) if fast else "",
            "",
            "",
            "(reference)",
            "",
        ],
    ]
    get_ratio = get.ratio("ours", "ours floor")
    rows.append(
        [
            "datasets.get, client CPU us/call",
            get.shown("ours floor"),
            get.shown("ours"),
            shown(get_ratio),
            get.shown("pub"),
            shown(get.ratio("pub", "pub floor")),
            "<= 1.05x",
            verdict_at_most(get_ratio[0], 1.05),
        ]
    )
    list_ratio = lists.ratio("ours", "ours floor")
    rows.append(
        [
            "datasets.list_items (100 items), client CPU us/call",
            list_floor := lists.shown("ours floor"),
            lists.shown("ours"),
            shown(list_ratio),
            lists.shown("pub"),
            shown(lists.ratio("pub", "pub floor")),
            "<= 1.15x",
            verdict_at_most(list_ratio[0], 1.15),
        ]
    )
    if fast:
        fast_ratio = lists.ratio(ORJSON, f"{ORJSON} floor")
        rows.append(
            [
                "  same, with avala[speedups] (orjson)",
                lists.shown(f"{ORJSON} floor"),
                lists.shown(ORJSON),
                shown(fast_ratio),
                "",
                "",
                "<= 0.8x",
                verdict_at_most(fast_ratio[0], 0.8),
            ]
        )
    else:
        rows.append(["  same, with avala[speedups] (orjson)", list_floor, orjson_missing, "n/a", "", "", "<= 0.8x", ""])
    parse_ratio = parse.ratio("ours", "pub", invert=True)
    rows.append(
        [
            "parse a 100-item page from bytes (JSON decoding included), items/s",
            parse.shown("ours floor", per_second) + " (json.loads)",
            parse.shown("ours", per_second),
            shown(parse_ratio) + " of published",
            parse.shown("pub", per_second),
            "",
            ">= 1.5x published",
            verdict(parse_ratio[0] >= 1.5),
        ]
    )
    rows.append(
        [
            "  same, with avala[speedups] (orjson)",
            "(as above)",
            parse.shown(ORJSON, per_second) if fast else orjson_missing,
            shown(parse.ratio(ORJSON, "pub", invert=True)) + " of published" if fast else "",
            "",
            "",
            "(reference)",
            "",
        ]
    )
    walls = fan["ms"]
    rows += [
        [
            f"async fan-out of {FANOUT} gets, wall ms",
            walls.shown("httpx"),
            walls.shown("ours"),
            shown(walls.ratio("ours", "httpx")),
            walls.shown("pub"),
            shown(walls.ratio("pub", "httpx")),
            "(reference)",
            "",
        ],
        [
            "  connections opened (most open at once)",
            f"{fan['accepted']['httpx']} ({fan['peak']['httpx']})",
            f"{fan['accepted']['ours']} ({fan['peak']['ours']})",
            "",
            f"{fan['accepted']['pub']} ({fan['peak']['pub']})",
            "",
            f"<= {POOL_SIZE} (its pool), one pool",
            verdict(fan["accepted"]["ours"] <= POOL_SIZE),
        ],
    ]
    return rows


def report(m: dict[str, Any], contenders: Contenders, published: str, sdk_versions: dict[str, str | None]) -> str:
    """The table, with the machine, its load, the versions, the settings and the method above it."""
    codegen, pages, info, sends = m["codegen"], m["pages"], m["info"], m["sends"]
    orjson_missing = "n/a (speedups not installed)"
    if sdk_versions.get("orjson") and not contenders.orjson:
        orjson_missing = "n/a (orjson installed, but this SDK has no avala._json to use it)"
    rows = [
        ["figure", "raw httpx", "this SDK", "ratio (spread)", f"published {published}", "ratio (spread)", "goal", ""],
        *call_rows(m, contenders, orjson_missing),
        [
            "make codegen, s",
            "n/a",
            "failed" if codegen is None else codegen.shown("ours", digits=2),
            "",
            "n/a",
            "",
            "< 10 s",
            verdict(codegen is not None and codegen.median("ours") < 10),
        ],
    ]
    for kind in ("sync", "async"):
        walks = pages[kind]
        speed = Samples({kind: [walk["items_per_second"] for walk in walks]})
        growth = max(walk["peak_growth_mb"] for walk in walks)
        rows.append(
            [
                f"pagination {kind}, 100k items: items/s; peak memory growth (largest)",
                "n/a",
                f"{speed.shown(kind)}; {growth:.1f} MB",
                "",
                "n/a",
                "",
                "< 10 MB, flat",
                verdict(growth < 10),
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
    limits = fanout_limits()
    one_send = sends["sends"] == sends["responses"] and sends["partial"] == 0
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    stack = ", ".join(f"{name} {info['ours']['stack'][name]}" for name in STACK)
    return "\n".join(
        [
            f"Avala Python SDK benchmarks, {now}"
            + (" (AVALA_BENCH_SMALL: fewer rounds, smaller uploads)" if SMALL else ""),
            f"Machine: {machine()}; load average (1, 5, 15 min) {' -> '.join(f'[{v}]' for v in m['loads'])} "
            "(before, during and after the run: a shared machine's figures are indicative)",
            f"HTTP stack, pinned alike in both environments (checked): {stack}",
            f"This SDK {info['ours']['avala']} ({SDK_VENV.relative_to(ROOT)}, editable checkout): decoder "
            f"{info['ours']['decoder']} with AVALA_NO_SPEEDUPS=1"
            + (
                f", {info[ORJSON]['decoder']} with avala[speedups] (orjson {sdk_versions['orjson']})"
                if contenders.orjson
                else f"; orjson row: {orjson_missing}"
            )
            + f". Published avala {published} ({PUBLISHED_VENV.relative_to(ROOT)}): decoder {info['pub']['decoder']}.",
            f"Async fan-out: this SDK's pool {info['ours']['async_pool']}, at most {POOL_SIZE} calls in flight; raw "
            f"httpx given the same httpx.Limits(max_connections={limits['max_connections']}, "
            f"max_keepalive_connections={limits['max_keepalive_connections']}, "
            f"keepalive_expiry={limits['keepalive_expiry']}) and an asyncio.Semaphore({limits['in_flight']}); the "
            f"published package as it comes: pool {info['pub']['async_pool']}, no bound on calls in flight.",
            f"Loopback server: {sends['responses']:,} responses in {sends['sends']:,} send() calls, {sends['partial']} "
            + (
                "partial: each head and body in one piece"
                if one_send
                else "partial: NOT one send per response, the figures are suspect"
            ),
            f"Figures are medians with their spread in brackets (interquartile range; min-max under 5 rounds): first "
            f"call of {IMPORT_RUNS} fresh interpreters each; client CPU of {CALL_ROUNDS} rounds of {GET_CALLS} gets, "
            f"{LIST_CALLS} list_items; {PARSE_PAGES} page parses x {PARSE_BATCHES} in {PARSE_PROCESSES} fresh "
            f"processes per SDK; {FANOUT_ROUNDS} fan-outs; {CODEGEN_RUNS} codegen runs; {PAGINATION_RUNS} "
            "pagination runs; uploads: every round's MiB/s in brackets. Contenders alternate round by round; a "
            "ratio is the median of the per-round ratios; call-overhead and parse ratios pair each SDK with raw "
            "httpx (json.loads) in its own process.",
            "",
            table(rows),
            "",
            f"Pagination ({PAGINATION_RUNS} runs), largest peak memory growth after 10,000 items: "
            f"sync {max(walk['peak_growth_mb_at_10k'] for walk in pages['sync']):.1f} MB, "
            f"async {max(walk['peak_growth_mb_at_10k'] for walk in pages['async']):.1f} MB "
            "(flat: about the same as after 100,000).",
        ]
    )


def main() -> None:
    """Set up both environments, measure everything and print the table."""
    started = time.perf_counter()
    published_python, published = timed("published package", published_env)
    sdk_python, sdk_versions = timed("this SDK's environment", sdk_env)
    orjson = bool(sdk_versions.get("orjson"))
    if orjson:  # and this SDK's decoder picks it
        probe = "import avala._json as j; print(getattr(j, 'backend', lambda: '?')())"
        done = subprocess.run(
            [sdk_python, "-I", "-c", probe], capture_output=True, text=True, cwd=tempfile.gettempdir()
        )
        orjson = done.returncode == 0 and done.stdout.strip() == "orjson"
    contenders = Contenders(sdk_python, published_python, orjson)
    print(report(measure(contenders), contenders, published, sdk_versions))
    log(f"done in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
