"""Console benchmark: time to the first usable console page with many open incidents.

Run from the repository root (needs Debian's Chromium: ``scripts/ensure-chromium.sh``)::

    .venv/bin/python bench/console.py                          # 500 and 5,000 incidents
    .venv/bin/python bench/console.py --incidents 5000 --teams 500 --loads 5

For each incident count it:

1. makes a fresh temporary SQLite file, migrates it and seeds it through the services: the
   demo's Beijing regions, ``--teams`` available teams spread over the city, a relief station,
   a dispatcher account, and the open incidents (reports on the hotline channel on a grid
   about 330 m apart, so that none merge, reported over the last six hours, none critical, so
   that none is dispatched automatically);
2. starts the real server (``python -m uvicorn --factory streetrelief.api.app:create_app``) on
   127.0.0.1 and a free port;
3. signs in and loads ``/console`` in headless Chromium ``--loads`` times (the first load
   fills the browser's cache of static files), and reads two performance marks the page sets,
   milliseconds from the start of navigation as the browser measures them: ``console-queue``
   once the queue's rows are shown (the most urgent open incidents, what a dispatcher acts
   on), and ``console-ready`` once the queue is shown *and* every open incident's marker is
   drawn on the map: the console's first usable time, on which the goal is judged;
4. counts the bytes of every response a load had received when it was usable, by kind (HTML,
   static files, API JSON; decompressed, from the browser's Resource Timing).

It prints one table with the incident counts side by side and the machine's load average (other
processes on the machine lengthen the times). The goal: first usable within
2 s with 5,000 open incidents and 500 teams.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from importlib import resources
from pathlib import Path

import httpx2
from cryptography.fernet import Fernet
from playwright.sync_api import sync_playwright
from pydantic import SecretStr
from rich.console import Console
from rich.table import Table
from sqlalchemy.orm import Session

from streetrelief.access.roles import Role
from streetrelief.access.schemas import UserCreate
from streetrelief.access.service import create_user
from streetrelief.core.clock import SystemClock
from streetrelief.db.engine import make_engine, make_session_factory, session_scope
from streetrelief.db.migrate import upgrade
from streetrelief.dispatch.travel import StraightLineTravel
from streetrelief.intake.models import Channel
from streetrelief.intake.schemas import ReportCreate
from streetrelief.intake.service import receive_report
from streetrelief.regions.importer import import_regions
from streetrelief.service_points.models import ServicePointKind
from streetrelief.service_points.schemas import ServicePointCreate
from streetrelief.service_points.service import create_service_point
from streetrelief.teams.models import Capability
from streetrelief.teams.schemas import TeamCreate
from streetrelief.teams.service import create_team
from streetrelief.triage.policy import load_policy

console = Console(width=150)

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
USERNAME = "bench-dispatcher"
PASSWORD = "bench password 12345"  # noqa: S105 - a throwaway account in a temporary database
CITY_CENTRE = (39.90, 116.40)
GRID_STEP_DEG = 0.003
"""Spacing of the incidents' grid, degrees (about 330 m north-south, 260 m east-west), beyond
the 200 m merge radius of the default triage policy."""
SERVER_START_TIMEOUT_S = 30.0
READY_TIMEOUT_MS = 60_000
GOAL_MS = 2000.0
GOAL_INCIDENTS = 5000


@dataclass
class Load:
    """One load of the console: when the queue showed, when it was usable (queue and every
    marker), and bytes received by kind."""

    queue_ms: float
    ready_ms: float
    bytes_by_kind: dict[str, int] = field(default_factory=dict)
    requests: int = 0


def seed(url: str, *, incidents: int, teams: int) -> float:
    """Fill the database at ``url``; the seconds it took."""
    started = time.perf_counter()
    clock = SystemClock()
    now = clock.now()
    policy = load_policy(None)
    travel = StraightLineTravel(detour_factor=1.4, vehicle_speed_kmh=25, walking_speed_kmh=4)
    factory = make_session_factory(make_engine(url))
    side = int(incidents**0.5) + 1
    with session_scope(factory) as session:
        regions_csv = Path(str(resources.files("streetrelief.demo").joinpath("regions.csv")))
        import_regions(session, regions_csv)
        create_user(
            session,
            UserCreate(
                username=USERNAME,
                password=SecretStr(PASSWORD),
                role=Role.dispatcher,
                region_code="11",
            ),
            now=now,
        )
        _teams(session, teams, now=now)
        create_service_point(
            session,
            ServicePointCreate(
                code="BENCH-RS",
                name="relief station",
                kind=ServicePointKind.relief_station,
                region_code="110101",
                lat=39.93,
                lon=116.41,
                capacity=100,
                occupancy=30,
            ),
            now=now,
        )
    for start in range(0, incidents, 500):
        with session_scope(factory) as session:
            for i in range(start, min(start + 500, incidents)):
                row, col = divmod(i, side)
                receive_report(
                    session,
                    ReportCreate(
                        channel=Channel.hotline,
                        reported_at=now - timedelta(minutes=(i * 7) % 360),
                        lat=CITY_CENTRE[0] - side * GRID_STEP_DEG / 2 + row * GRID_STEP_DEG,
                        lon=CITY_CENTRE[1] - side * GRID_STEP_DEG / 2 + col * GRID_STEP_DEG,
                        description="person sitting in the cold",
                        conditions=["inadequate_clothing"] if i % 3 else ["elderly"],
                    ),
                    clock=clock,
                    policy=policy,
                    travel=travel,
                )
    return time.perf_counter() - started


def _teams(session: Session, count: int, *, now: datetime) -> None:
    side = int(count**0.5) + 1
    for i in range(count):
        row, col = divmod(i, side)
        create_team(
            session,
            TeamCreate(
                code=f"B{i:04d}",
                name=f"team {i}",
                region_code="110101",
                capabilities=[Capability.outreach, Capability.supplies],
                base_lat=CITY_CENTRE[0] - 0.15 + row * 0.3 / side,
                base_lon=CITY_CENTRE[1] - 0.15 + col * 0.3 / side,
            ),
            now=now,
        )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextlib.contextmanager
def server(url: str) -> Iterator[str]:
    """The real server on the database at ``url``; its base URL."""
    port = _free_port()
    env = {
        **os.environ,
        "STREETRELIEF_DATABASE_URL": url,
        "STREETRELIEF_DATA_KEYS": os.environ.get("STREETRELIEF_DATA_KEYS", ""),
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "streetrelief.api.app:create_app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT_S
        while True:
            with contextlib.suppress(httpx2.TransportError):
                if httpx2.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            if time.monotonic() > deadline or process.poll() is not None:
                msg = "the server did not start"
                raise RuntimeError(msg)
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


def _kind(url: str) -> str:
    if "/api/v1/" in url:
        return "api"
    if "/static/" in url:
        return "static"
    return "html"


TIMING_SCRIPT = """() => {
  const mark = (name) => performance.getEntriesByName(name)[0].startTime;
  const ready = mark("console-ready");
  return {
    queue: mark("console-queue"),
    ready,
    html: performance.getEntriesByType("navigation")[0].decodedBodySize,
    resources: performance.getEntriesByType("resource")
      .filter((r) => r.responseEnd <= ready)
      .map((r) => [r.name, r.decodedBodySize]),
  };
}"""
"""The page's marks, and the responses it had received when it was usable, from the browser's
Resource Timing (decompressed sizes; a file from the browser's cache counts too). The event
stream, still open, is not among them."""


def measure(base: str, loads: int) -> list[Load]:
    """Load the console ``loads`` times in one browser context (the cache warms after the
    first)."""
    results = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1440, "height": 900})
        answer = context.request.post(
            f"{base}/api/v1/auth/session", data={"username": USERNAME, "password": PASSWORD}
        )
        if not answer.ok:
            msg = f"sign-in failed: {answer.status}"
            raise RuntimeError(msg)
        page = context.new_page()
        for _ in range(loads):
            page.goto(f"{base}/console?lang=en")
            page.wait_for_selector("body[data-ready='1']", timeout=READY_TIMEOUT_MS)
            timing = page.evaluate(TIMING_SCRIPT)
            load = Load(queue_ms=timing["queue"], ready_ms=timing["ready"])
            load.bytes_by_kind["html"] = timing["html"]
            for url, size in timing["resources"]:
                kind = _kind(url)
                load.bytes_by_kind[kind] = load.bytes_by_kind.get(kind, 0) + size
            load.requests = 1 + len(timing["resources"])
            results.append(load)
        browser.close()
    return results


def main() -> None:
    """Seed, serve, load and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--incidents", default="500,5000", help="Comma list of open incidents.")
    parser.add_argument("--teams", type=int, default=500)
    parser.add_argument("--loads", type=int, default=4, help="Console loads per size.")
    args = parser.parse_args()
    os.environ.setdefault("STREETRELIEF_DATA_KEYS", Fernet.generate_key().decode())
    sizes = [int(n) for n in args.incidents.split(",")]
    table = Table(title=f"console first usable, {args.teams} teams, {args.loads} loads each")
    for column in (
        "open incidents",
        "seed s",
        "first load: queue ms",
        "first load: usable ms",
        "warm median: queue ms",
        "warm median: usable ms",
        "warm max: usable ms",
        "API JSON kB",
        "static kB (first load)",
        "HTML kB",
        "requests",
    ):
        table.add_column(column, justify="right")
    verdict = ""
    for size in sizes:
        with tempfile.TemporaryDirectory() as folder:
            url = f"sqlite:///{Path(folder) / 'bench.db'}"
            upgrade(url)
            seconds = seed(url, incidents=size, teams=args.teams)
            with server(url) as base:
                loads = measure(base, args.loads)
        first, warm = loads[0], loads[1:] or loads
        warm_ms = [w.ready_ms for w in warm]
        table.add_row(
            f"{size:,}",
            f"{seconds:.1f}",
            f"{first.queue_ms:.0f}",
            f"{first.ready_ms:.0f}",
            f"{statistics.median(w.queue_ms for w in warm):.0f}",
            f"{statistics.median(warm_ms):.0f}",
            f"{max(warm_ms):.0f}",
            f"{warm[0].bytes_by_kind.get('api', 0) / 1000:.0f}",
            f"{first.bytes_by_kind.get('static', 0) / 1000:.0f}",
            f"{first.bytes_by_kind.get('html', 0) / 1000:.1f}",
            str(first.requests),
        )
        if size == GOAL_INCIDENTS:
            worst = max(w.ready_ms for w in loads)
            verdict = (
                f"goal (first usable ≤ {GOAL_MS:.0f} ms with {GOAL_INCIDENTS:,} incidents): "
                f"{'met' if worst <= GOAL_MS else 'NOT met'}, slowest load {worst:.0f} ms"
            )
    console.print(table)
    load_1m, load_5m, _ = os.getloadavg()
    cores = os.cpu_count() or 1
    busy = (
        ": above the core count, other processes share the CPU and the times are longer than "
        "on a quiet machine"
        if max(load_1m, load_5m) > cores
        else ""
    )
    console.print(
        f"machine: {cores} cores, load average {load_1m:.1f} (1 min), {load_5m:.1f} (5 min)" + busy
    )
    if verdict:
        console.print(verdict)


if __name__ == "__main__":
    main()
