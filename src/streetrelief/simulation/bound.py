"""Two hindsight lower bounds: no dispatch rule, even one knowing every report in advance,
could have done better. ADR 0006 gives the proofs.

**Per incident** (``hindsight_bound_s``). For incident ``i`` reported at ``r_i`` at ``x_i``:

    b_i = confirm_i + turnout + min over modes m of the teams,
          min over p in P_i of travel_m(p → x_i)

where ``P_i`` holds every team base, every service point, every standby site a rule may send
idle teams to, and the site of every other incident reported no later than
``r_i + confirm_i``. A team starts a trip only from one of these places, stands at an
incident's site only after its report, and is sent no earlier than ``r_i + confirm_i``. It
ignores that one team cannot be in two places, so it is loose when teams are scarce; it gives
the per-incident p90 and on-time figures of the bound.

**For the sum of reach times** (``schedule_bound_s``). In any schedule, each reached incident
``i`` has a first-arriving team; its *predecessor* is the last incident that team reached
first before ``i``, or the team's base. No predecessor serves two incidents: a base starts one
team, and an incident's first team reaches one next incident first after it. With
``D_j = r_j + b_j + on_scene + turnout`` (the earliest a team that reached ``j`` first can
set off again, turned out) and ``D = turnout`` for a base, the team reaches ``i`` no sooner
than ``r_i + c_ji`` with

    c_ji = max(b_i, D_j + travel(x_j → x_i) - r_i)

(travel by the team's own mode from a base, the fastest mode from a site; any stop between is
no shortcut by the triangle inequality). An incident never reached counts its censored
``horizon - r_i``. So the least-cost assignment of predecessors to incidents, each
predecessor used once and each incident either assigned or counted as never reached, is at
most the sum of reach times of any schedule. It is solved as a min-cost flow (OR-Tools'
cost-scaling solver) whose optimum is at most the assignment's. To keep it sparse, each
incident ``i`` has its own arc, at ``c_ji``, from the predecessors setting off around
``r_i + b_i`` (``BEFORE`` before it, ``AFTER`` from it); earlier ones reach ``i`` through a
zero-cost chain in set-off order at ``b_i``, later ones through a chain that charges the
set-off time alone, ``D_j - r_i``: both at most ``c_ji``, so every schedule still has a flow
of no greater cost.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
from ortools.graph.python import min_cost_flow

from streetrelief.dispatch.travel import StraightLineTravel, TravelTimeProvider
from streetrelief.simulation.night import LatLon, SimIncident, SimPoint, SimTeam
from streetrelief.teams.models import TravelMode

FloatArray = npt.NDArray[np.float64]

BEFORE, AFTER = 20, 60
"""Predecessors with their own arc per incident, by set-off time before and after the
incident's earliest arrival (sizes, not sources: more arcs tighten the bound and slow the
solve; these keep 5,000 incidents to seconds)."""


def hindsight_bound_s(
    incidents: list[SimIncident],
    teams: list[SimTeam],
    points: list[SimPoint],
    travel: TravelTimeProvider,
    turnout_s: float,
    *,
    standby_sites: list[LatLon],
) -> dict[int, float]:
    """Per incident index, the least possible report-to-arrival time, seconds (see above);
    ``standby_sites`` are further places teams may wait at and set off from."""
    modes = sorted({t.mode for t in teams})
    fixed: list[LatLon] = [t.base for t in teams] + [p.pos for p in points] + standby_sites
    order = sorted(incidents, key=lambda i: i.reported_s)
    times = np.array([i.reported_s for i in order])
    positions: list[LatLon] = fixed + [i.pos for i in order]
    lats = np.array([p[0] for p in positions])
    lons = np.array([p[1] for p in positions])
    out: dict[int, float] = {}
    for k, incident in enumerate(order):
        upto = len(fixed) + int(
            np.searchsorted(times, incident.reported_s + incident.confirm_s, side="right")
        )
        usable = np.ones(upto, dtype=bool)
        usable[len(fixed) + k] = False
        best = min(
            float(
                _travel_to_s(
                    travel, lats[:upto][usable], lons[:upto][usable], incident.pos, m
                ).min()
            )
            for m in modes
        )
        out[incident.idx] = incident.confirm_s + turnout_s + best
    return out


def schedule_bound_s(
    incidents: list[SimIncident],
    teams: list[SimTeam],
    travel: TravelTimeProvider,
    per_incident_s: dict[int, float],
    *,
    turnout_s: float,
    on_scene_s: float,
    horizon_s: float,
    before: int = BEFORE,
    after: int = AFTER,
) -> float:
    """A lower bound on the sum over incidents of report-to-arrival times, seconds, an
    incident never reached counting the time from its report to ``horizon_s`` (see above).

    Args:
        per_incident_s: ``hindsight_bound_s`` of the same night.
        turnout_s, on_scene_s: the night's field timings, seconds.
        horizon_s: end of the simulation, seconds from the start of the night.
        before, after: predecessors with their own arc per incident, setting off before and
            after the incident's earliest arrival.
    """
    if not incidents:
        return 0.0
    n_teams = len(teams)
    modes = sorted({t.mode for t in teams})
    # Predecessors ("tokens"): team bases, then incidents; D = when they can set off.
    pos = [t.base for t in teams] + [i.pos for i in incidents]
    lats = np.array([p[0] for p in pos])
    lons = np.array([p[1] for p in pos])
    bound = np.array([per_incident_s[i.idx] for i in incidents])
    reported = np.array([i.reported_s for i in incidents])
    setoff = np.concatenate(
        [np.full(n_teams, turnout_s), reported + bound + on_scene_s + turnout_s]
    )
    order = np.argsort(setoff, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    sorted_setoff = setoff[order]
    m = len(pos)
    team_modes = [t.mode for t in teams]
    flow = _Flow(sorted_setoff, len(incidents))
    for col, incident in enumerate(incidents):
        r_i, b_i = reported[col], bound[col]
        cap = horizon_s - r_i
        t = _token_travel_s(
            travel, lats, lons, incident.pos, n_teams=n_teams, team_modes=team_modes, modes=modes
        )
        cost = np.maximum(b_i, setoff + t - r_i)[order]
        cost[rank[n_teams + col]] = np.inf  # an incident is not its own predecessor
        due = int(np.searchsorted(sorted_setoff, r_i + b_i))  # set off from here: late
        not_free = np.flatnonzero(cost[:due] > b_i)
        start = int(not_free[0]) if len(not_free) else due
        start = max(start, due - before)
        end = min(due + after, m)
        direct = np.arange(start, end)
        direct = direct[cost[direct] < cap]
        flow.successor(
            col,
            cap=cap,
            free_upto=start,
            free_cost=b_i,
            direct=direct,
            direct_cost=cost[direct],
            late_from=end,
            reported_s=r_i,
        )
    return flow.solve()


def _token_travel_s(
    travel: TravelTimeProvider,
    lats: FloatArray,
    lons: FloatArray,
    target: LatLon,
    *,
    n_teams: int,
    team_modes: Sequence[TravelMode],
    modes: Sequence[TravelMode],
) -> FloatArray:
    """Travel to ``target`` from each base by its team's mode and from each site by the
    fastest mode, seconds."""
    per_mode = {m: _travel_to_s(travel, lats, lons, target, m) for m in modes}
    fastest = np.min(np.vstack(list(per_mode.values())), axis=0)
    bases = np.array([per_mode[mode][k] for k, mode in enumerate(team_modes)])
    return np.concatenate([bases, fastest[n_teams:]])


class _Flow:
    """The min-cost flow of ``schedule_bound_s``, solved by OR-Tools' ``SimpleMinCostFlow``.

    Nodes: a source with one unit per incident; predecessors in set-off order (one unit each
    from the source); a forward chain F and a backward chain B over the same order; incidents
    (one unit each to the sink, from a predecessor, a chain, or the source directly: never
    reached); the sink. Costs are whole milliseconds rounded down (set-off times first, so a
    path along the backward chain loses under a millisecond), so the optimum stays a lower
    bound.
    """

    def __init__(self, setoff_s: FloatArray, incidents: int) -> None:
        self.setoff_ms = np.floor(setoff_s * 1000).astype(np.int64)
        self.m, self.n = len(setoff_s), incidents
        self.source, self.sink = 0, 1
        self.tails: list[int] = []
        self.heads: list[int] = []
        self.costs: list[int] = []
        self.caps: list[int] = []

    def _token(self, k: int) -> int:
        return 2 + k

    def _f(self, k: int) -> int:
        return 2 + self.m + k

    def _b(self, k: int) -> int:
        return 2 + 2 * self.m + k

    def _incident(self, col: int) -> int:
        return 2 + 3 * self.m + col

    def _add(self, tail: int, head: int, cost_ms: int, cap: int = 1) -> None:
        self.tails.append(tail)
        self.heads.append(head)
        self.costs.append(cost_ms)
        self.caps.append(cap)

    def successor(
        self,
        col: int,
        *,
        cap: float,
        free_upto: int,
        free_cost: float,
        direct: npt.NDArray[np.int64],
        direct_cost: FloatArray,
        late_from: int,
        reported_s: float,
    ) -> None:
        """The arcs into incident ``col``: predecessor positions in set-off order, costs in
        seconds; predecessors from ``late_from`` on come by the backward chain."""
        s = self._incident(col)
        self._add(self.source, s, _ms(cap))
        self._add(s, self.sink, 0)
        if free_upto > 0:
            self._add(self._f(free_upto - 1), s, _ms(min(free_cost, cap)))
        self.tails += (direct + 2).tolist()
        self.heads += [s] * len(direct)
        self.costs += np.floor(direct_cost * 1000).astype(np.int64).tolist()
        self.caps += [1] * len(direct)
        if late_from < self.m:
            late_ms = math.floor(int(self.setoff_ms[late_from]) - reported_s * 1000)
            if late_ms < cap * 1000:
                self._add(self._b(late_from), s, late_ms)

    def solve(self) -> float:
        """The optimum, seconds.

        Raises:
            RuntimeError: the solver reports no optimum (it always has one: every incident
                can be counted as never reached).
        """
        for k in range(self.m):
            self._add(self.source, self._token(k), 0)
            self._add(self._token(k), self._f(k), 0)
            self._add(self._token(k), self._b(k), 0)
        gaps = np.diff(self.setoff_ms).tolist()
        for k in range(self.m - 1):
            self._add(self._f(k), self._f(k + 1), 0, self.n)
            self._add(self._b(k + 1), self._b(k), gaps[k], self.n)
        solver = min_cost_flow.SimpleMinCostFlow()
        solver.add_arcs_with_capacity_and_unit_cost(
            np.array(self.tails, dtype=np.int32),
            np.array(self.heads, dtype=np.int32),
            np.array(self.caps, dtype=np.int64),
            np.array(self.costs, dtype=np.int64),
        )
        supplies = np.zeros(2 + 3 * self.m + self.n, dtype=np.int64)
        supplies[self.source], supplies[self.sink] = self.n, -self.n
        solver.set_nodes_supplies(np.arange(len(supplies), dtype=np.int32), supplies)
        status = solver.solve()
        if status != solver.OPTIMAL:
            msg = f"the schedule bound's flow did not solve (status {status})"
            raise RuntimeError(msg)
        return float(solver.optimal_cost()) / 1000


def _ms(seconds: float) -> int:
    """Whole milliseconds in ``seconds``, rounded down."""
    return math.floor(seconds * 1000)


def _travel_to_s(
    travel: TravelTimeProvider,
    lats: FloatArray,
    lons: FloatArray,
    target: LatLon,
    mode: TravelMode,
) -> FloatArray:
    """Travel from each (lat, lon) to ``target`` by ``mode``, seconds."""
    if isinstance(travel, StraightLineTravel):
        # Symmetric, so one vectorised row from the target serves every origin.
        return travel.distances_m(target, lats, lons) / travel.speed_ms[mode]
    origins = list(zip(lats.tolist(), lons.tolist(), strict=True))
    return np.array([e.travel_time_s for e in travel.many_to_one(origins, target, mode)])
