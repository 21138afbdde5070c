"""Vehicle-routing solvers side by side: PyVRP, VROOM (pyvroom) and OR-Tools.

Part 1 solves Solomon (1987) 100-customer VRPTW instances and prints each solver's total
distance, its gap to the best-known solution and its wall time. Arcs follow the DIMACS-2021
convention (each arc truncated to one decimal, objective distance only, at most 25 vehicles),
so that all three solvers work on the same exact integers (tenths) and the figure compares
directly with the "distance-only" best-knowns in ``shared/data/vrp/solomon_best_known.csv``.

Part 2 plans a patrol shift of our own shape (optional hotspot visits with time windows, time on
site, shift length, start and end at base) through the product planner, and prints how many
visits each run fitted.

Run: ``python bench/patrol.py [--data DIR] [--seconds S] [--instances C101,R101,...]``.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyvrp
import pyvrp.stop
import vroom
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from streetrelief.dispatch.travel import StraightLineTravel
from streetrelief.patrols.routing import PlanningProblem, Stop, Vehicle, solve_plan
from streetrelief.teams.models import TravelMode

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "vrp"
DEFAULT_INSTANCES = ("C101", "C106", "R101", "R106", "RC101", "RC106")
SCALE = 10
"""Arcs in tenths: DIMACS-2021 truncates each arc to one decimal."""


@dataclass(frozen=True)
class Instance:
    """One Solomon instance, times and distances in tenths."""

    name: str
    vehicles: int
    capacity: int
    xy: list[tuple[int, int]]
    demand: list[int]
    ready: list[int]
    due: list[int]
    service: list[int]

    @property
    def matrix(self) -> list[list[int]]:
        """Arc lengths ``floor(10·d)`` between every two nodes (node 0 is the depot)."""
        return [
            [math.floor(SCALE * math.hypot(ax - bx, ay - by)) for bx, by in self.xy]
            for ax, ay in self.xy
        ]


def read_instance(path: Path) -> Instance:
    """Parse a Solomon file by whitespace (see the data's PROVENANCE.md)."""
    lines = path.read_text().splitlines()
    vehicles, capacity = (int(v) for v in lines[4].split())
    rows = [[int(v) for v in line.split()] for line in lines[9:] if line.strip()]
    return Instance(
        name=lines[0].strip(),
        vehicles=vehicles,
        capacity=capacity,
        xy=[(r[1], r[2]) for r in rows],
        demand=[r[3] for r in rows],
        ready=[r[4] * SCALE for r in rows],
        due=[r[5] * SCALE for r in rows],
        service=[r[6] * SCALE for r in rows],
    )


def routes_cost(routes: Sequence[Sequence[int]], matrix: list[list[int]]) -> int:
    """Total length of routes given as node lists without the depot."""
    total = 0
    for route in routes:
        path = [0, *route, 0]
        total += sum(matrix[a][b] for a, b in itertools.pairwise(path))
    return total


def solve_pyvrp(inst: Instance, seconds: float) -> list[list[int]]:
    """PyVRP (hybrid genetic search)."""
    m = pyvrp.Model()
    locs = [m.add_location(x, y) for x, y in inst.xy]
    depot = m.add_depot(locs[0], tw_early=inst.ready[0], tw_late=inst.due[0])
    m.add_vehicle_type(
        num_available=inst.vehicles,
        capacity=inst.capacity,
        tw_early=inst.ready[0],
        tw_late=inst.due[0],
        start_depot=depot,
        end_depot=depot,
    )
    for i in range(1, len(locs)):
        m.add_client(
            locs[i],
            delivery=inst.demand[i],
            service_duration=inst.service[i],
            tw_early=inst.ready[i],
            tw_late=inst.due[i],
        )
    matrix = inst.matrix
    for i, a in enumerate(locs):
        for j, b in enumerate(locs):
            m.add_edge(a, b, distance=matrix[i][j], duration=matrix[i][j])
    result = m.solve(stop=pyvrp.stop.MaxRuntime(seconds), seed=1, display=False)
    if not result.is_feasible():
        return []
    return [[a.idx + 1 for a in r.schedule() if a.is_client()] for r in result.best.routes()]


def solve_vroom(inst: Instance, seconds: float) -> list[list[int]]:
    """VROOM through pyvroom (its cost is travel time, equal to distance here)."""
    problem = vroom.Input()
    problem.set_durations_matrix(profile="car", matrix_input=inst.matrix)
    horizon = vroom.TimeWindow(inst.ready[0], inst.due[0])
    problem.add_vehicle(
        [
            vroom.Vehicle(k, start=0, end=0, capacity=[inst.capacity], time_window=horizon)
            for k in range(inst.vehicles)
        ]
    )
    problem.add_job(
        [
            vroom.Job(
                i,
                location=i,
                default_service=inst.service[i],
                delivery=[inst.demand[i]],
                time_windows=[vroom.TimeWindow(inst.ready[i], inst.due[i])],
            )
            for i in range(1, len(inst.xy))
        ]
    )
    solution = problem.solve(exploration_level=5, nb_threads=2, timeout=timedelta(seconds=seconds))
    if solution.summary.unassigned:
        return []
    jobs = solution.routes[solution.routes["type"] == "job"]
    return [list(group["id"]) for _, group in jobs.groupby("vehicle_id", sort=True)]


def solve_ortools(inst: Instance, seconds: float) -> list[list[int]]:
    """OR-Tools routing (parallel cheapest insertion start, guided local search)."""
    n = len(inst.xy)
    matrix = inst.matrix
    manager = pywrapcp.RoutingIndexManager(n, inst.vehicles, 0)
    routing = pywrapcp.RoutingModel(manager)

    def arc(i: int, j: int) -> int:
        a: int = manager.IndexToNode(i)
        b: int = manager.IndexToNode(j)
        return matrix[a][b]

    def travel_and_service(i: int, j: int) -> int:
        a: int = manager.IndexToNode(i)
        b: int = manager.IndexToNode(j)
        return matrix[a][b] + inst.service[a]

    routing.SetArcCostEvaluatorOfAllVehicles(routing.RegisterTransitCallback(arc))
    time_cb = routing.RegisterTransitCallback(travel_and_service)
    routing.AddDimension(time_cb, inst.due[0], inst.due[0], False, "time")
    time_dim = routing.GetDimensionOrDie("time")
    for node in range(1, n):
        time_dim.CumulVar(manager.NodeToIndex(node)).SetRange(inst.ready[node], inst.due[node])
    demand_cb = routing.RegisterUnaryTransitCallback(lambda i: inst.demand[manager.IndexToNode(i)])
    routing.AddDimensionWithVehicleCapacity(
        demand_cb, 0, [inst.capacity] * inst.vehicles, True, "load"
    )
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = (
        routing_enums_pb2.FirstSolutionStrategy.PARALLEL_CHEAPEST_INSERTION
    )
    params.local_search_metaheuristic = (
        routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    )
    params.time_limit.FromMilliseconds(int(seconds * 1000))
    solution = routing.SolveWithParameters(params)
    if solution is None:
        return []
    routes = []
    for v in range(inst.vehicles):
        index = routing.Start(v)
        route = []
        while not routing.IsEnd(index):
            node = manager.IndexToNode(index)
            if node:
                route.append(node)
            index = solution.Value(routing.NextVar(index))
        if route:
            routes.append(route)
    return routes


SOLVERS: dict[str, Callable[[Instance, float], list[list[int]]]] = {
    "PyVRP": solve_pyvrp,
    "VROOM": solve_vroom,
    "OR-Tools": solve_ortools,
}


def best_known(path: Path) -> dict[str, float]:
    """Distance-only (DIMACS-2021) best-known totals by instance."""
    with path.open() as f:
        return {
            row["instance"]: float(row["distance"])
            for row in csv.DictReader(f)
            if row["objective_rule"].startswith("distance-only")
        }


def check(inst: Instance, routes: list[list[int]]) -> bool:
    """Every customer once, capacity kept, each service starting by its due time."""
    seen = sorted(c for r in routes for c in r)
    if seen != list(range(1, len(inst.xy))):
        return False
    matrix = inst.matrix
    for route in routes:
        if sum(inst.demand[c] for c in route) > inst.capacity:
            return False
        t, here = inst.ready[0], 0
        for c in route:
            t = max(t + matrix[here][c], inst.ready[c])
            if t > inst.due[c]:
                return False
            t += inst.service[c]
            here = c
        if t + matrix[here][0] > inst.due[0]:
            return False
    return True


def solomon_table(data: Path, names: Sequence[str], seconds: float) -> None:
    """Print each solver's distance, gap and time on each instance, and the mean gaps."""
    bks = best_known(data / "solomon_best_known.csv")
    header = f"{'instance':<9}{'best-known':>11}"
    for name in SOLVERS:
        header += f" | {name + ' dist':>14}{'gap %':>8}{'time s':>8}"
    print(header)
    print("-" * len(header))
    gaps: dict[str, list[float]] = {name: [] for name in SOLVERS}
    for inst_name in names:
        inst = read_instance(data / "solomon" / f"{inst_name}.txt")
        line = f"{inst_name:<9}{bks[inst_name]:>11.1f}"
        for name, solve in SOLVERS.items():
            started = time.perf_counter()
            routes = solve(inst, seconds)
            took = time.perf_counter() - started
            if not routes or not check(inst, routes):
                line += f" | {'infeasible':>14}{'-':>8}{took:>8.1f}"
                continue
            dist = routes_cost(routes, inst.matrix) / SCALE
            gap = 100 * (dist - bks[inst_name]) / bks[inst_name]
            gaps[name].append(gap)
            line += f" | {dist:>14.1f}{gap:>8.2f}{took:>8.1f}"
        print(line, flush=True)
    summary = f"{'mean gap':<20}"
    for name in SOLVERS:
        values = gaps[name]
        mean = f"{sum(values) / len(values):.2f}" if values else "-"
        summary += f" | {'':>14}{mean:>8}{'':>8}"
    print(summary)


def patrol_shift(seconds: float) -> None:
    """Plan one synthetic night of our own shape with the product planner and print the fit."""
    start = datetime(2026, 12, 20, 12, 0, tzinfo=UTC)
    grid = [(39.90 + 0.006 * (i // 8), 116.36 + 0.008 * (i % 8)) for i in range(48)]
    stops = [
        Stop(
            key=str(i),
            lat=lat,
            lon=lon,
            earliest_at=start + timedelta(hours=(i % 3) * 2),
            latest_at=start + timedelta(hours=(i % 3) * 2 + 4),
            service_s=600,
        )
        for i, (lat, lon) in enumerate(grid)
    ]
    vehicles = [
        Vehicle(
            key=f"team-{k}",
            base=(39.915, 116.39),
            start_at=start,
            end_at=start + timedelta(hours=8),
            mode=TravelMode.walking if k % 2 else TravelMode.vehicle,
        )
        for k in range(4)
    ]
    travel = StraightLineTravel(detour_factor=1.4, vehicle_speed_kmh=30, walking_speed_kmh=4.5)
    started = time.perf_counter()
    plan = solve_plan(PlanningProblem(stops, vehicles), travel, time_limit_s=seconds)
    took = time.perf_counter() - started
    fitted = sum(len(r.visits) for r in plan.routes)
    print(
        f"patrol shift: 48 hotspots, 4 teams (2 walking), 8 h: {fitted} visits planned, "
        f"{len(plan.unassigned)} unassigned, {took:.1f} s"
    )


def main() -> None:
    """Parse arguments and print both parts."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--instances", default=",".join(DEFAULT_INSTANCES))
    args = parser.parse_args()
    solomon_table(args.data, args.instances.split(","), args.seconds)
    patrol_shift(min(args.seconds, 5.0))


if __name__ == "__main__":
    main()
