"""Route planning: a shift's visits due over its teams, solved as a vehicle-routing problem.

The problem is a VRP with time windows and optional visits: each team starts at its base (or
where it is, when replanning) and ends at its base within its shift; each visit has a window in
which the team must arrive and a time on site. Visits that cannot fit are reported with the
reason, never dropped. The solver is PyVRP (hybrid genetic search), chosen on the figures in
``docs/adr/0004-patrol-route-solver.md``; it always runs under a time limit. Travel times come
from any :class:`~streetrelief.dispatch.travel.TravelTimeProvider` (road network or straight
line). Storing plans is the service's business.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pyvrp
import pyvrp.stop

from streetrelief.dispatch.travel import TravelEstimate, TravelTimeProvider
from streetrelief.teams.models import TravelMode

SOLVER_NAME = "pyvrp"
NO_IMPROVEMENT_ITERATIONS = 3000
"""Stop earlier than the time limit once this many iterations bring nothing better."""
SEED = 1
"""A fixed seed, so that the same problem gives the same plan."""

IMPOSSIBLE_WINDOW = "impossible time window: it closes before it opens"
OUTSIDE_SHIFT = "outside the shift: no team is on duty during its window"
UNREACHABLE = (
    "unreachable within its window: no team can get there in time, stay on site and be back "
    "at base before its shift ends"
)
NO_TIME = "no time left: the teams' shifts are full"
NO_TEAMS = "no teams on this shift"


@dataclass(frozen=True)
class Stop:
    """A visit to plan: arrive at (lat, lon) within [earliest_at, latest_at], stay service_s."""

    key: str
    lat: float
    lon: float
    earliest_at: datetime
    latest_at: datetime
    service_s: int


@dataclass(frozen=True)
class Vehicle:
    """A team on the shift: leaves ``start`` (its base when None) at ``start_at`` or later and
    is back at ``base`` by ``end_at``."""

    key: str
    base: tuple[float, float]
    start_at: datetime
    end_at: datetime
    mode: TravelMode
    start: tuple[float, float] | None = None

    @property
    def origin(self) -> tuple[float, float]:
        """Where the route begins (lat, lon)."""
        return self.start or self.base


@dataclass(frozen=True)
class PlanningProblem:
    """The visits and the teams of one shift."""

    stops: Sequence[Stop]
    vehicles: Sequence[Vehicle]


@dataclass(frozen=True)
class PlannedVisit:
    """A visit on a route: the team arrives (or starts, after waiting) at ``arrive_at``."""

    key: str
    arrive_at: datetime
    depart_at: datetime


@dataclass
class RoutePlan:
    """One team's route, in order."""

    vehicle_key: str
    visits: list[PlannedVisit] = field(default_factory=list)
    back_at: datetime | None = None


@dataclass(frozen=True)
class Unassigned:
    """A visit left out of every route, and why."""

    key: str
    reason: str


@dataclass
class PlanResult:
    """The routes, the visits left out, and whether the search stopped at its time limit
    while visits were still left out for lack of time (a partial plan)."""

    routes: list[RoutePlan]
    unassigned: list[Unassigned]
    is_partial: bool
    message: str
    runtime_s: float


def solve_plan(
    problem: PlanningProblem, travel: TravelTimeProvider, *, time_limit_s: float
) -> PlanResult:
    """Plan routes that fit as many visits as possible, then the shortest total time.

    Each visit carries a prize larger than any route's duration, so fitting a visit always
    beats saving travel; among plans fitting the same visits, the one with least team time
    wins (travel, waiting and time on site, in seconds).

    Args:
        problem: visits (aware datetimes) and teams.
        travel: travel times between points, by the team's mode; metres and seconds.
        time_limit_s: the most the search may run, seconds (> 0).

    Returns:
        The plan; every stop is either on one route or in ``unassigned`` with its reason.

    Raises:
        ValueError: ``time_limit_s`` is not positive.
    """
    if time_limit_s <= 0:
        msg = "the solver needs a positive time limit"
        raise ValueError(msg)
    if not problem.vehicles:
        return PlanResult(
            [],
            [Unassigned(s.key, NO_TEAMS) for s in problem.stops],
            bool(problem.stops),
            NO_TEAMS,
            0.0,
        )
    points = _points(problem)
    index = {p: i for i, p in enumerate(points)}
    modes = sorted({v.mode for v in problem.vehicles})
    matrices = {m: travel.many_to_many(points, points, m) for m in modes}
    origin = min(v.start_at for v in problem.vehicles)

    def rel(at: datetime) -> int:
        return int((at - origin).total_seconds())

    routes = [RoutePlan(v.key) for v in problem.vehicles]
    unassigned: list[Unassigned] = []
    candidates: list[Stop] = []
    for stop in problem.stops:
        reason = _pre_check(stop, problem.vehicles, matrices, index)
        if reason is None:
            candidates.append(stop)
        else:
            unassigned.append(Unassigned(stop.key, reason))
    if not candidates:
        return PlanResult(routes, unassigned, False, _message(unassigned, False), 0.0)

    model = _model(problem.vehicles, candidates, matrices, index, rel)
    stop_rule = pyvrp.stop.MultipleCriteria(
        [pyvrp.stop.MaxRuntime(time_limit_s), pyvrp.stop.NoImprovement(NO_IMPROVEMENT_ITERATIONS)]
    )
    result = model.solve(stop=stop_rule, seed=SEED, display=False)
    planned: set[int] = set()
    if result.is_feasible():
        for route in result.best.routes():
            plan = routes[route.vehicle_type()]
            for activity in route.schedule():
                if not activity.is_client():
                    continue
                stop = candidates[activity.idx]
                planned.add(activity.idx)
                arrive = origin + timedelta(seconds=activity.start_time)
                plan.visits.append(
                    PlannedVisit(stop.key, arrive, arrive + timedelta(seconds=stop.service_s))
                )
            plan.back_at = origin + timedelta(seconds=route.end_time())
    left = [Unassigned(s.key, NO_TIME) for i, s in enumerate(candidates) if i not in planned]
    unassigned += left
    is_partial = bool(left) and result.runtime >= 0.98 * time_limit_s
    return PlanResult(
        routes, unassigned, is_partial, _message(unassigned, is_partial), result.runtime
    )


def _model(
    vehicles: Sequence[Vehicle],
    candidates: Sequence[Stop],
    matrices: dict[TravelMode, list[list[TravelEstimate]]],
    index: dict[tuple[float, float], int],
    rel: Callable[[datetime], int],
) -> pyvrp.Model:
    """The PyVRP model: a start and an end depot per team, one optional client per visit,
    one profile per travel mode; times in seconds from the earliest team start."""
    modes = sorted({v.mode for v in vehicles})
    horizon = max(rel(v.end_at) for v in vehicles)
    prize = 10 * horizon + 1
    model = pyvrp.Model()
    profiles = {m: model.add_profile(name=m.value) for m in modes}
    locations: list[tuple[pyvrp.Location, int]] = []  # (location, point index)
    depots = []
    for v in vehicles:
        start_loc = model.add_location(0, 0, name=f"{v.key} start")
        end_loc = model.add_location(0, 0, name=f"{v.key} end")
        locations += [(start_loc, index[v.origin]), (end_loc, index[v.base])]
        start_depot = model.add_depot(start_loc, tw_early=rel(v.start_at), tw_late=rel(v.end_at))
        end_depot = model.add_depot(end_loc, tw_early=rel(v.start_at), tw_late=rel(v.end_at))
        depots.append((start_depot, end_depot))
    for stop in candidates:
        loc = model.add_location(0, 0, name=stop.key)
        locations.append((loc, index[(stop.lat, stop.lon)]))
        model.add_client(
            loc,
            service_duration=stop.service_s,
            tw_early=max(0, rel(stop.earliest_at)),
            tw_late=rel(stop.latest_at),
            prize=prize,
            required=False,
        )
    for v, (start_depot, end_depot) in zip(vehicles, depots, strict=True):
        model.add_vehicle_type(
            num_available=1,
            start_depot=start_depot,
            end_depot=end_depot,
            tw_early=rel(v.start_at),
            tw_late=rel(v.end_at),
            shift_duration=rel(v.end_at) - rel(v.start_at),
            unit_distance_cost=0,
            unit_duration_cost=1,
            profile=profiles[v.mode],
            name=v.key,
        )
    for mode, profile in profiles.items():
        matrix = matrices[mode]
        for a, pa in locations:
            for b, pb in locations:
                est = matrix[pa][pb]
                model.add_edge(
                    a,
                    b,
                    distance=round(est.distance_m),
                    duration=math.ceil(est.travel_time_s),
                    profile=profile,
                )
    return model


def _points(problem: PlanningProblem) -> list[tuple[float, float]]:
    seen: dict[tuple[float, float], None] = {}
    for v in problem.vehicles:
        seen[v.origin] = None
        seen[v.base] = None
    for s in problem.stops:
        seen[(s.lat, s.lon)] = None
    return list(seen)


def _pre_check(
    stop: Stop,
    vehicles: Sequence[Vehicle],
    matrices: dict[TravelMode, list[list[TravelEstimate]]],
    index: dict[tuple[float, float], int],
) -> str | None:
    """Why no team at all could make this visit, or None when one might."""
    if stop.latest_at < stop.earliest_at:
        return IMPOSSIBLE_WINDOW
    on_duty = [v for v in vehicles if stop.earliest_at < v.end_at and stop.latest_at >= v.start_at]
    if not on_duty:
        return OUTSIDE_SHIFT
    here = index[(stop.lat, stop.lon)]
    for v in on_duty:
        matrix = matrices[v.mode]
        there = v.start_at + timedelta(seconds=matrix[index[v.origin]][here].travel_time_s)
        if there > stop.latest_at:
            continue
        leave = max(there, stop.earliest_at) + timedelta(seconds=stop.service_s)
        if leave + timedelta(seconds=matrix[here][index[v.base]].travel_time_s) <= v.end_at:
            return None
    return UNREACHABLE


def _message(unassigned: Sequence[Unassigned], is_partial: bool) -> str:
    if not unassigned:
        return "every visit due is planned"
    counts: dict[str, int] = {}
    for u in unassigned:
        counts[u.reason] = counts.get(u.reason, 0) + 1
    parts = "; ".join(f"{n} {reason}" for reason, n in counts.items())
    head = (
        "partial plan: the solver stopped at its time limit with visits left out; "
        if is_partial
        else ""
    )
    return f"{head}{len(unassigned)} visits not planned: {parts}"
