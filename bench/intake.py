"""Intake benchmark: report throughput and latency against the bare HTTP ceiling.

Run from the repository root::

    .venv/bin/python bench/intake.py                      # fresh temporary SQLite file
    .venv/bin/python bench/intake.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432

What it does:

1. makes a fresh database (a temporary SQLite file, or a new PostgreSQL database with a random
   name on the server of ``--database-url``, dropped again at the end) and runs
   ``streetrelief db upgrade`` on it;
2. starts the real server (``python -m uvicorn --factory streetrelief.api.app:create_app``) as a
   separate process on 127.0.0.1 and a free port, and waits for ``/healthz``;
3. creates a small region tree over the API (a province, a city and its districts with centres);
4. from this process sends ``--warmup`` unmeasured requests, then ``--requests`` measured ones
   with ``--concurrency`` in flight, first to ``GET /healthz`` (the bare ceiling: routing,
   HTTP and JSON, no database), then to ``POST /api/v1/reports`` with varied reports, then
   to ``POST /open311/v2/requests.json`` with the same kind of reports as Open311 forms;
5. prints one table with both endpoints side by side, the ratio of the two throughputs and
   whether the goals hold, and stops the server (also on Ctrl-C or errors).

Goals: report throughput at least 50 % of the bare ceiling, report p99 under 50 ms.

Only loopback addresses are used, for the server and for the database.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib.metadata
import ipaddress
import itertools
import math
import os
import platform
import random
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx2
from cryptography.fernet import Fernet
from rich.console import Console
from rich.table import Table
from sqlalchemy.engine import URL, make_url

console = Console()

LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain"})
SERVER_START_TIMEOUT_S = 30.0
SERVER_STOP_TIMEOUT_S = 10.0
REQUEST_TIMEOUT_S = 10.0
DEFAULT_APP = "streetrelief.api.app:create_app"
NOISY = 0.25  # other processes' CPU, in cores, above which a phase's figures are disturbed
GOAL_RATIO = 0.50
GOAL_P99_MS = 50.0


@dataclass(frozen=True)
class Place:
    """A region of the benchmark's tree, with its centre (WGS-84 degrees)."""

    code: str
    name: str
    level: str
    lat: float
    lon: float


# A city with districts and approximate centres: Harbin, the capital of Heilongjiang.
PROVINCE = Place("230000", "黑龙江省", "province", 47.86, 127.76)
CITY = Place("230100", "哈尔滨市", "prefecture", 45.757, 126.642)
DISTRICTS = [
    Place("230102", "道里区", "county", 45.755, 126.617),
    Place("230103", "南岗区", "county", 45.760, 126.669),
    Place("230104", "道外区", "county", 45.786, 126.649),
    Place("230108", "平房区", "county", 45.598, 126.637),
    Place("230109", "松北区", "county", 45.803, 126.563),
    Place("230110", "香坊区", "county", 45.713, 126.668),
]
CITY_HALF_LAT = 0.09  # the report area: about 20 km north-south ...
CITY_HALF_LON = 0.12  # ... by about 19 km east-west around the city centre
HOTSPOTS = 150  # stations, underpasses, markets: reports cluster there and merge
HOTSPOT_SHARE = 0.6
HOTSPOT_JITTER_DEG = 0.0012  # about 130 m, inside the 200 m merge radius of the default policy

CHANNELS = ["hotline", "public", "open311", "partner", "social_reporter", "patrol"]
CHANNEL_WEIGHTS = [30, 25, 10, 10, 10, 15]
CONDITION_MIX: list[tuple[list[str], int]] = [
    ([], 40),
    (["elderly"], 20),
    (["refuses_help"], 15),
    (["elderly", "inadequate_clothing"], 10),
    (["family_with_children"], 5),
    (["intoxicated", "lying_down"], 5),
    (["hypothermia_signs"], 5),  # critical: exercises the automatic-dispatch path (no teams)
]
DESCRIPTIONS = [
    "Man sleeping in the underpass by the station, thin jacket.",
    "Older woman sitting at the bus stop for hours, seems cold.",
    "Someone lying on a bench in the park, not moving much.",
    "Person with bags near the market entrance, says he is fine.",
    "Family with a small child in the waiting hall after closing time.",
    "",
]


# --------------------------------------------------------------------------------------------
# Database


@dataclass
class Database:
    """The fresh database the run uses, and how to get rid of it."""

    url: str
    backend: str
    version: str
    cleanup: Callable[[], None]
    name: str | None = None
    """PostgreSQL database name: its backends' process titles carry it (for their CPU time)."""

    def backend_cpu_seconds(self) -> float:
        """CPU time of the local PostgreSQL backends serving this database; 0 for SQLite."""
        if self.name is None:
            return 0.0
        marker = f" {self.name} ".encode()
        total = 0.0
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                with contextlib.suppress(OSError):
                    title = (entry / "cmdline").read_bytes()
                    if title.startswith(b"postgres:") and marker in title:
                        total += _proc_cpu_seconds(int(entry.name))
        return total


def is_loopback(host: str | None) -> bool:
    """True for a loopback IP address or name; an empty host means a local socket."""
    if not host:
        return True
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def sqlite_database(tmp: Path) -> Database:
    path = tmp / "bench.db"
    return Database(
        url=f"sqlite:///{path}",
        backend="sqlite",
        version=f"SQLite {sqlite3.sqlite_version} (file in {tmp}, WAL)",
        cleanup=lambda: None,  # the temporary directory goes with the rest
    )


def _pg_conninfo(url: URL, dbname: str) -> dict[str, Any]:
    info: dict[str, Any] = {"dbname": dbname, "autocommit": True, "connect_timeout": 5}
    for key, value in (
        ("host", url.host),
        ("port", url.port),
        ("user", url.username),
        ("password", url.password),
    ):
        if value is not None:
            info[key] = value
    return info


def postgres_database(server_url: str) -> Database:
    """Create a database with a fresh random name on the server of ``server_url``.

    The database named in ``server_url`` (``postgres`` when none) is only used to issue
    ``CREATE DATABASE`` and ``DROP DATABASE``.
    """
    import psycopg  # noqa: PLC0415 - only needed for PostgreSQL runs

    url = make_url(server_url)
    maintenance = url.database or "postgres"
    name = f"streetrelief_bench_{os.getpid()}_{secrets.token_hex(4)}"
    with psycopg.connect(**_pg_conninfo(url, maintenance)) as conn:
        version = str(conn.execute("SHOW server_version").fetchone()[0])  # type: ignore[index]
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with psycopg.connect(**_pg_conninfo(url, maintenance)) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    fresh = url.set(drivername="postgresql+psycopg", database=name)
    return Database(
        url=fresh.render_as_string(hide_password=False),
        backend="postgresql",
        version=f"PostgreSQL {version} at {url.host or 'local socket'}:{url.port or 5432}, "
        f"database {name}",
        cleanup=drop,
        name=name,
    )


BENCH_USER = "bench-admin"
BENCH_PASSWORD = "bench-password-" + secrets.token_urlsafe(8)


def _cli(db_url: str, env: dict[str, str], *args: str) -> None:
    script = Path(sys.executable).with_name("streetrelief")
    if script.exists():
        cmd = [str(script), *args]
    else:
        runner = "from streetrelief.cli.main import app; app()"
        cmd = [sys.executable, "-c", runner, *args]
    done = subprocess.run(
        cmd,
        env={
            **env,
            "STREETRELIEF_DATABASE_URL": db_url,
            "STREETRELIEF_NEW_PASSWORD": BENCH_PASSWORD,
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"streetrelief {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")


def run_migrations(db_url: str, env: dict[str, str]) -> None:
    """``streetrelief db upgrade`` on the fresh database and an administrator who creates the
    regions and sends the reports, as an operator would set it up."""
    _cli(db_url, env, "db", "upgrade")
    _cli(db_url, env, "users", "create", BENCH_USER, "--role", "administrator")


# --------------------------------------------------------------------------------------------
# Server process


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    proc: subprocess.Popen[bytes]
    base_url: str
    log_path: Path

    def log_tail(self, lines: int = 30) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def cpu_seconds(self) -> float:
        """User + system CPU time of the server and its worker processes so far."""
        return sum(_proc_cpu_seconds(pid) for pid in _process_group(self.proc.pid))

    def stop(self) -> None:
        if self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=SERVER_STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            # The server runs in its own session; its group holds only it and its workers.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=SERVER_STOP_TIMEOUT_S)


def _process_group(pgid: int) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, IndexError, ValueError):
            stat = (entry / "stat").read_text()
            fields = stat[stat.rindex(")") + 2 :].split()
            if int(fields[2]) == pgid:  # field 5 of /proc/pid/stat: process group
                pids.append(int(entry.name))
    return pids


def _proc_cpu_seconds(pid: int) -> float:
    with contextlib.suppress(OSError, IndexError, ValueError):
        stat = Path(f"/proc/{pid}/stat").read_text()
        fields = stat[stat.rindex(")") + 2 :].split()
        ticks = int(fields[11]) + int(fields[12])  # utime, stime
        return ticks / float(os.sysconf("SC_CLK_TCK"))
    return 0.0


def machine_cpu_seconds() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine so far, all cores (Linux /proc/stat)."""
    try:
        first = Path("/proc/stat").read_text().splitlines()[0].split()
    except (OSError, IndexError):
        return math.nan, math.nan
    ticks = [int(v) for v in first[1:9]]  # user nice system idle iowait irq softirq steal
    hz = float(os.sysconf("SC_CLK_TCK"))
    return (sum(ticks) - ticks[3] - ticks[4]) / hz, sum(ticks) / hz


@dataclass(frozen=True)
class CpuSnapshot:
    """CPU seconds used so far by each party of the run, and by the whole machine."""

    server: float
    client: float
    database: float
    machine_busy: float
    machine_total: float

    @classmethod
    def take(cls, server: Server, db: Database) -> CpuSnapshot:
        busy, total = machine_cpu_seconds()
        return cls(server.cpu_seconds(), time.process_time(), db.backend_cpu_seconds(), busy, total)

    def __sub__(self, earlier: CpuSnapshot) -> CpuSnapshot:
        return CpuSnapshot(
            self.server - earlier.server,
            self.client - earlier.client,
            self.database - earlier.database,
            self.machine_busy - earlier.machine_busy,
            self.machine_total - earlier.machine_total,
        )

    @property
    def others(self) -> float:
        """CPU seconds of everything else on the machine (other people's work, the kernel)."""
        return max(0.0, self.machine_busy - self.server - self.client - self.database)


def start_server(
    db_url: str, env: dict[str, str], *, app: str, workers: int, log_path: Path
) -> Server:
    port = free_port()
    cmd = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        app,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--no-access-log",
        "--log-level",
        "warning",
    ]
    log = log_path.open("wb")
    proc = subprocess.Popen(
        cmd,
        env={**env, "STREETRELIEF_DATABASE_URL": db_url},
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,  # Ctrl-C reaches only us; we stop the server in order
    )
    log.close()
    return Server(proc, f"http://127.0.0.1:{port}", log_path)


async def wait_until_up(server: Server, client: httpx2.AsyncClient) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.proc.poll() is not None:
            raise SystemExit(f"server exited with {server.proc.returncode}:\n{server.log_tail()}")
        with contextlib.suppress(httpx2.TransportError):
            if (await client.get("/healthz")).status_code == 200:
                return
        await asyncio.sleep(0.1)
    raise SystemExit(f"server did not answer /healthz in {SERVER_START_TIMEOUT_S:.0f} s")


# --------------------------------------------------------------------------------------------
# Load


@dataclass
class Phase:
    """The outcome of one batch of requests."""

    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    error_samples: list[str] = field(default_factory=list)
    elapsed_s: float = 0.0
    cpu: CpuSnapshot | None = None
    merged: int = 0
    timed_out: bool = False

    @property
    def sent(self) -> int:
        return len(self.latencies_ms) + self.errors

    @property
    def throughput(self) -> float:
        return len(self.latencies_ms) / self.elapsed_s if self.elapsed_s > 0 else 0.0

    def cpu_share(self, part: Callable[[CpuSnapshot], float]) -> str:
        """A party's CPU time over the phase, in % of one core."""
        if self.cpu is None or self.elapsed_s <= 0:
            return "-"
        return f"{100 * part(self.cpu) / self.elapsed_s:.0f}"

    def percentile(self, p: float) -> float:
        """Nearest-rank percentile of the successful requests' latencies, ms."""
        if not self.latencies_ms:
            return math.nan
        ordered = sorted(self.latencies_ms)
        return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


RequestFn = Callable[[httpx2.AsyncClient, int], Awaitable[httpx2.Response]]


async def run_phase(
    client: httpx2.AsyncClient,
    send: RequestFn,
    *,
    total: int,
    concurrency: int,
    time_limit_s: float,
    server: Server,
    db: Database,
    expect: int,
) -> Phase:
    """Send ``total`` requests with ``concurrency`` in flight; stop early at ``time_limit_s``."""
    phase = Phase()
    counter = itertools.count()
    deadline = time.perf_counter() + time_limit_s

    async def worker() -> None:
        while time.perf_counter() < deadline:
            i = next(counter)
            if i >= total:
                return
            start = time.perf_counter()
            try:
                response = await send(client, i)
            except httpx2.HTTPError as exc:
                phase.errors += 1
                phase.statuses[type(exc).__name__] += 1
                if len(phase.error_samples) < 3:
                    phase.error_samples.append(f"{type(exc).__name__}: {exc}")
                continue
            took_ms = (time.perf_counter() - start) * 1000
            phase.statuses[str(response.status_code)] += 1
            if response.status_code != expect:
                phase.errors += 1
                if len(phase.error_samples) < 3:
                    phase.error_samples.append(f"{response.status_code}: {response.text[:300]}")
                continue
            phase.latencies_ms.append(took_ms)
            answer = response.json() if expect == 201 else None
            if isinstance(answer, dict) and answer.get("is_merged"):  # Open311 answers a list
                phase.merged += 1

    cpu0 = CpuSnapshot.take(server, db)
    t0 = time.perf_counter()
    tasks = [asyncio.create_task(worker()) for _ in range(concurrency)]
    try:
        done, pending = await asyncio.wait(tasks, timeout=time_limit_s + REQUEST_TIMEOUT_S + 5)
        if pending:  # requests hanging past their own timeout: give up on them
            phase.timed_out = True
            for task in pending:
                task.cancel()
            await asyncio.wait(pending)
        for task in done:
            task.result()  # a bug in a worker is an error, not a quiet shortfall
    finally:
        for task in tasks:  # on Ctrl-C asyncio.run cancels us; take the workers along
            task.cancel()
    phase.elapsed_s = time.perf_counter() - t0
    phase.cpu = CpuSnapshot.take(server, db) - cpu0
    phase.timed_out = phase.timed_out or phase.sent < total
    return phase


def _distance_deg2(lat: float, lon: float, place: Place) -> float:
    return (lat - place.lat) ** 2 + ((lon - place.lon) * math.cos(math.radians(lat))) ** 2


class ReportMaker:
    """Varied, realistic reports over the city, reported now."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.hotspots = [self._anywhere() for _ in range(HOTSPOTS)]
        self.conditions = [c for c, _ in CONDITION_MIX]
        self.condition_weights = [w for _, w in CONDITION_MIX]

    def _anywhere(self) -> tuple[float, float]:
        return (
            CITY.lat + self.rng.uniform(-CITY_HALF_LAT, CITY_HALF_LAT),
            CITY.lon + self.rng.uniform(-CITY_HALF_LON, CITY_HALF_LON),
        )

    def make(self, i: int, tag: str) -> dict[str, Any]:
        rng = self.rng
        if rng.random() < HOTSPOT_SHARE:
            lat, lon = rng.choice(self.hotspots)
            lat += rng.uniform(-HOTSPOT_JITTER_DEG, HOTSPOT_JITTER_DEG)
            lon += rng.uniform(-HOTSPOT_JITTER_DEG, HOTSPOT_JITTER_DEG)
        else:
            lat, lon = self._anywhere()
        body: dict[str, Any] = {
            "channel": rng.choices(CHANNELS, CHANNEL_WEIGHTS)[0],
            "reported_at": datetime.now(UTC).isoformat(),
            "lat": round(lat, 6),
            "lon": round(lon, 6),
            "description": rng.choice(DESCRIPTIONS),
            "conditions": rng.choices(self.conditions, self.condition_weights)[0],
            "people_count": rng.choices([1, 2, 3], [80, 15, 5])[0],
            "source_id": f"bench-{tag}-{i}",
        }
        if rng.random() < 0.2:  # some channels know the district; most leave it to the server
            body["region_code"] = min(DISTRICTS, key=lambda d: _distance_deg2(lat, lon, d)).code
        return body


OPEN311_REQUESTS = "/open311/v2/requests.json"


def open311_form(report: dict[str, Any]) -> dict[str, Any]:
    """The same report as a GeoReport v2 POST Service Request form."""
    return {
        "service_code": "person_in_cold",
        "lat": str(report["lat"]),
        "long": str(report["lon"]),
        "description": report["description"],
        "attribute[conditions][]": report["conditions"],
        "attribute[people_count]": str(report["people_count"]),
    }


async def create_regions(client: httpx2.AsyncClient) -> None:
    tree = [(PROVINCE, None), (CITY, PROVINCE.code), *((d, CITY.code) for d in DISTRICTS)]
    for place, parent_code in tree:
        region = {
            **asdict(place),
            "parent_code": parent_code,
            "country_code": "CN",
            "timezone": "Asia/Shanghai",
        }
        response = await client.post("/api/v1/regions", json=region)
        if response.status_code != 201:
            raise SystemExit(f"creating region {region['code']} failed: {response.text}")


# --------------------------------------------------------------------------------------------
# Report


def _version(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def background_load(seconds: float = 1.0) -> float:
    """Share of all cores busy while this benchmark is not running yet (other work)."""
    busy0, total0 = machine_cpu_seconds()
    time.sleep(seconds)
    busy1, total1 = machine_cpu_seconds()
    return (busy1 - busy0) / (total1 - total0) if total1 > total0 else math.nan


def machine_facts(db: Database, args: argparse.Namespace, load_before: float) -> Table:
    table = Table(title="Machine", show_header=False, title_justify="left")
    table.add_column(style="bold")
    table.add_column()
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    cpu_model = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    table.add_row("CPU cores", f"{os.cpu_count()} ({usable} usable) {cpu_model}".strip())
    table.add_row(
        "Python",
        f"{platform.python_implementation()} {platform.python_version()} on {platform.platform()}",
    )
    if not math.isnan(load_before):
        note = " (other processes: figures are noisy)" if load_before > 0.2 else ""
        table.add_row("Busy before run", f"{100 * load_before:.0f} % of all cores{note}")
    table.add_row("Database", db.version)
    loop = "uvloop" if _version("uvloop") != "not installed" else "asyncio"
    http = "httptools" if _version("httptools") != "not installed" else "h11"
    table.add_row(
        "Server",
        f"{args.app} on uvicorn {_version('uvicorn')} ({loop}, {http}), "
        f"{args.workers} worker(s), "
        f"fastapi {_version('fastapi')}, sqlalchemy {_version('sqlalchemy')}",
    )
    table.add_row(
        "Client",
        f"httpx2 {_version('httpx2')} asyncio, same machine, {args.concurrency} in flight",
    )
    return table


def _ms(value: float) -> str:
    return "-" if math.isnan(value) else f"{value:.1f}"


def _per_request_ms(phase: Phase, part: Callable[[CpuSnapshot], float]) -> str:
    if phase.cpu is None or not phase.sent:
        return "-"
    return f"{1000 * part(phase.cpu) / phase.sent:.2f}"


def results_table(
    bare: Phase, reports: Phase, open311: Phase, db: Database, args: argparse.Namespace
) -> Table:
    table = Table(
        title=f"{args.requests} requests, concurrency {args.concurrency}, "
        f"after {args.warmup} warm-up requests each",
        title_justify="left",
    )
    table.add_column("")
    table.add_column("GET /healthz", justify="right")
    table.add_column("POST /api/v1/reports", justify="right")
    table.add_column(f"POST {OPEN311_REQUESTS}", justify="right")
    rows: list[tuple[str, Callable[[Phase], str]]] = [
        ("requests", lambda p: str(p.sent)),
        ("errors", lambda p: str(p.errors)),
        ("elapsed (s)", lambda p: f"{p.elapsed_s:.2f}"),
        ("throughput (req/s)", lambda p: f"{p.throughput:.0f}"),
        ("p50 (ms)", lambda p: _ms(p.percentile(50))),
        ("p90 (ms)", lambda p: _ms(p.percentile(90))),
        ("p99 (ms)", lambda p: _ms(p.percentile(99))),
        ("max (ms)", lambda p: _ms(max(p.latencies_ms, default=math.nan))),
        ("server CPU (% of a core)", lambda p: p.cpu_share(lambda c: c.server)),
        ("client CPU (% of a core)", lambda p: p.cpu_share(lambda c: c.client)),
    ]
    if db.name is not None:
        rows.append(("PostgreSQL CPU (% of a core)", lambda p: p.cpu_share(lambda c: c.database)))
    rows += [
        ("other processes' CPU (% of a core)", lambda p: p.cpu_share(lambda c: c.others)),
        ("server CPU per request (ms)", lambda p: _per_request_ms(p, lambda c: c.server)),
    ]
    if db.name is not None:
        rows.append(
            ("PostgreSQL CPU per request (ms)", lambda p: _per_request_ms(p, lambda c: c.database))
        )
    for label, get in rows:
        table.add_row(label, get(bare), get(reports), get(open311))
    ok = len(reports.latencies_ms)
    table.add_row("merged into an open incident", "", f"{reports.merged} of {ok}", "")
    return table


def goals(bare: Phase, reports: Phase) -> tuple[bool, list[str]]:
    ratio = reports.throughput / bare.throughput if bare.throughput else 0.0
    p99 = reports.percentile(99)
    ratio_ok = ratio >= GOAL_RATIO and reports.errors == 0
    p99_ok = not math.isnan(p99) and p99 < GOAL_P99_MS and reports.errors == 0

    def mark(ok: bool) -> str:
        return "[green]holds[/]" if ok else "[red]missed[/]"

    lines = [
        f"report throughput / bare ceiling = {reports.throughput:.0f} / {bare.throughput:.0f} = "
        f"[bold]{100 * ratio:.0f} %[/] (goal ≥ {100 * GOAL_RATIO:.0f} %): {mark(ratio_ok)}",
        f"report p99 = [bold]{_ms(p99)} ms[/] (goal < {GOAL_P99_MS:.0f} ms): {mark(p99_ok)}",
    ]
    if reports.errors:
        lines.append(f"[red]{reports.errors} report requests failed[/]: the goals cannot hold")
    return ratio_ok and p99_ok, lines


# --------------------------------------------------------------------------------------------
# Main


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Benchmark POST /api/v1/reports against the bare GET /healthz ceiling."
    )
    parser.add_argument("--requests", type=int, default=2000, help="measured requests per endpoint")
    parser.add_argument("--concurrency", type=int, default=8, help="requests in flight")
    parser.add_argument(
        "--warmup", type=int, default=200, help="unmeasured requests per endpoint first"
    )
    parser.add_argument(
        "--database-url",
        default=None,
        help="PostgreSQL server to use, e.g. postgresql+psycopg://postgres@127.0.0.1:5432; a "
        "fresh database is created there and dropped afterwards (default: temporary SQLite)",
    )
    parser.add_argument(
        "--time-limit", type=float, default=120.0, help="seconds at most per measured phase"
    )
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    parser.add_argument(
        "--app",
        default=DEFAULT_APP,
        help="application factory to serve, MODULE:FUNCTION (to try a variant; default "
        "%(default)s)",
    )
    parser.add_argument("--seed", type=int, default=2026, help="seed of the report generator")
    parser.add_argument(
        "--keep-server-log",
        action="store_true",
        help="keep the temporary directory (server log, SQLite file) and print where",
    )
    args = parser.parse_args(argv)
    for name in ("requests", "concurrency", "workers"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    if args.warmup < 0 or args.time_limit <= 0:
        parser.error("--warmup must be ≥ 0 and --time-limit > 0")
    if args.database_url is not None:
        url = make_url(args.database_url)
        if url.get_backend_name() != "postgresql":
            parser.error("--database-url must be a postgresql URL (SQLite is the default)")
        if not is_loopback(url.host):
            parser.error(f"--database-url must point at a loopback address, not {url.host}")
    return args


async def measure(
    server: Server, db: Database, args: argparse.Namespace
) -> tuple[Phase, Phase, Phase]:
    limits = httpx2.Limits(
        max_connections=args.concurrency, max_keepalive_connections=args.concurrency
    )
    async with httpx2.AsyncClient(
        base_url=server.base_url,
        limits=limits,
        timeout=REQUEST_TIMEOUT_S,
        trust_env=False,  # loopback only: never through a proxy from the environment
    ) as client:
        await wait_until_up(server, client)
        signed_in = await client.post(
            "/api/v1/auth/token", json={"username": BENCH_USER, "password": BENCH_PASSWORD}
        )
        if signed_in.status_code != 200:
            raise SystemExit(f"sign-in failed: {signed_in.text}")
        client.headers["Authorization"] = f"Bearer {signed_in.json()['access_token']}"
        await create_regions(client)
        maker = ReportMaker(args.seed)

        async def healthz(c: httpx2.AsyncClient, _i: int) -> httpx2.Response:
            return await c.get("/healthz")

        def reports_with(tag: str) -> RequestFn:
            async def post(c: httpx2.AsyncClient, i: int) -> httpx2.Response:
                return await c.post("/api/v1/reports", json=maker.make(i, tag))

            return post

        def open311_with(tag: str) -> RequestFn:
            async def post(c: httpx2.AsyncClient, i: int) -> httpx2.Response:
                return await c.post(OPEN311_REQUESTS, data=open311_form(maker.make(i, tag)))

            return post

        common = {"concurrency": args.concurrency, "server": server, "db": db}
        results = []
        for name, send, expect, warm in (
            ("GET /healthz", healthz, 200, healthz),
            ("POST /api/v1/reports", reports_with("run"), 201, reports_with("warmup")),
            (f"POST {OPEN311_REQUESTS}", open311_with("run"), 201, open311_with("warmup")),
        ):
            if args.warmup:
                console.print(f"warming up {name} with {args.warmup} requests ...")
                warmup = await run_phase(
                    client,
                    warm,
                    total=args.warmup,
                    time_limit_s=args.time_limit,
                    expect=expect,
                    **common,
                )
                if warmup.errors:
                    console.print(
                        f"[yellow]{warmup.errors} warm-up errors[/]: {warmup.error_samples}"
                    )
            console.print(f"measuring {name}: {args.requests} requests ...")
            phase = await run_phase(
                client,
                send,
                total=args.requests,
                time_limit_s=args.time_limit,
                expect=expect,
                **common,
            )
            if phase.timed_out:
                console.print(
                    f"[yellow]{name} stopped at the {args.time_limit:.0f} s time limit "
                    f"after {phase.sent} requests[/]"
                )
            if phase.errors:
                console.print(
                    f"[red]{name}: {phase.errors} errors[/] {dict(phase.statuses)}; "
                    f"first: {phase.error_samples}"
                )
            results.append(phase)
        return results[0], results[1], results[2]


@contextlib.contextmanager
def terminate_on_sigterm() -> Iterator[None]:
    """Treat SIGTERM like Ctrl-C so the ``finally`` blocks stop the server."""

    def handler(_signum: int, _frame: Any) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def print_results(
    phases: tuple[Phase, Phase, Phase],
    db: Database,
    args: argparse.Namespace,
    load_before: float,
) -> bool:
    """Print machine facts, the table and the goals; True when the goals hold."""
    console.print()
    console.print(machine_facts(db, args, load_before))
    bare, reports, open311 = phases
    console.print(results_table(bare, reports, open311, db, args))
    for name, phase in (
        ("GET /healthz", bare),
        ("POST /api/v1/reports", reports),
        (f"POST {OPEN311_REQUESTS}", open311),
    ):
        if phase.cpu and phase.elapsed_s and phase.cpu.others / phase.elapsed_s > NOISY:
            console.print(
                f"[yellow]other processes used {phase.cpu_share(lambda c: c.others)} % "
                f"of a core during {name}: its figures are disturbed[/]"
            )
    ok, lines = goals(bare, reports)
    for line in lines:
        console.print(line)
    if bare.throughput:
        console.print(
            f"Open311 throughput / bare ceiling = {open311.throughput:.0f} / "
            f"{bare.throughput:.0f} = [bold]{100 * open311.throughput / bare.throughput:.0f} %[/], "
            f"p99 = [bold]{_ms(open311.percentile(99))} ms[/] (same goals, reported only)"
        )
    return ok


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    env = {k: v for k, v in os.environ.items() if not k.startswith("STREETRELIEF_")}
    env["STREETRELIEF_DATA_KEYS"] = Fernet.generate_key().decode()
    env["PYTHONUNBUFFERED"] = "1"
    # One signed-in client sends everything here; production keeps the per-client limit.
    env["STREETRELIEF_CLIENT_RATE_LIMIT"] = "1000000/minute"
    tmp = Path(tempfile.mkdtemp(prefix="streetrelief-bench-"))
    db: Database | None = None
    server: Server | None = None
    try:
        with terminate_on_sigterm():
            load_before = background_load()
            db = postgres_database(args.database_url) if args.database_url else sqlite_database(tmp)
            console.print(f"database: {db.version}; running migrations ...")
            run_migrations(db.url, env)
            server = start_server(
                db.url, env, app=args.app, workers=args.workers, log_path=tmp / "server.log"
            )
            console.print(f"server: pid {server.proc.pid} at {server.base_url}")
            phases = asyncio.run(measure(server, db, args))
            ok = print_results(phases, db, args, load_before)
            if server.proc.poll() is not None:
                console.print(f"[red]server exited early[/]:\n{server.log_tail()}")
            return 0 if ok else 1
    except KeyboardInterrupt:
        console.print("[yellow]interrupted[/]")
        return 130
    finally:
        # Clean up first, report afterwards: the output may be gone (a closed pipe).
        notes = []
        if server is not None:
            server.stop()
            tail = server.log_tail()
            if tail.strip():
                notes.append(f"[dim]server log (last lines):\n{tail}[/]")
        if db is not None:
            try:
                db.cleanup()
            except Exception as exc:  # report it, then still remove the files
                notes.append(f"[red]could not drop the benchmark database[/]: {exc}")
        if args.keep_server_log:
            notes.append(f"server log and database kept in {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
        with contextlib.suppress(OSError):
            for note in notes:
                console.print(note)


if __name__ == "__main__":
    sys.exit(main())
