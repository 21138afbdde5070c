"""Two hindsight lower bounds: no dispatch rule, even one knowing every report in advance,
could have done better. ADR 0006 gives the proofs.

**Per incident** (``hindsight_bound_s``). For incident ``i`` reported at ``r_i`` at ``x_i``:

    b_i = confirm_i + turnout + min over modes m of the teams,
          min over p in P_i of travel_m(p → x_i)

where ``P_i`` holds every team base, every service point, and the site of every other
incident reported no later than ``r_i + confirm_i``. A team starts a trip only from its base,
an incident's site or a service point, stands at a site only after its report, and is sent no
earlier than ``r_i + confirm_i``. It ignores that one team cannot be in two places, so it is
loose when teams are scarce; it gives the per-incident p90 and on-time figures of the bound.

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
most the sum of reach times of any schedule. It is solved as the linear relaxation of a
min-cost flow (HiGHS, by ``scipy.optimize.linprog``), whose optimum is at most the
assignment's. To keep it sparse, each incident ``i`` has its own arc from the predecessors
setting off around ``r_i + b_i`` (``BEFORE`` before it, ``AFTER`` from it, at ``c_ji``);
earlier ones reach ``i`` through a zero-cost chain in set-off order at ``b_i``, and later
ones through a chain that charges the set-off time alone, ``D_j - r_i``: both at most
``c_ji``, so every schedule still has a flow of no greater cost.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
from scipy.optimize import linprog
from scipy.sparse import coo_matrix

from streetrelief.dispatch.travel import StraightLineTravel, TravelTimeProvider
from streetrelief.simulation.night import LatLon, SimIncident, SimPoint, SimTeam
from streetrelief.teams.models import TravelMode

FloatArray = npt.NDArray[np.float64]

BEFORE, AFTER = 50, 150
"""Predecessors with their own arc per incident, by set-off time before and after the
incident's earliest arrival (sizes, not sources: more arcs tighten the bound and slow the
solve; these keep 5,000 incidents to seconds)."""


def hindsight_bound_s(
    incidents: list[SimIncident],
    teams: list[SimTeam],
    points: list[SimPoint],
    travel: TravelTimeProvider,
    turnout_s: float,
) -> dict[int, float]:
    """Per incident index, the least possible report-to-arrival time, seconds (see above)."""
    modes = sorted({t.mode for t in teams})
    fixed: list[LatLon] = [t.base for t in teams] + [p.pos for p in points]
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
    flow = _Flow(m)
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
            late_cost=sorted_setoff[end] - r_i if end < m else None,
        )
    return flow.solve(np.diff(sorted_setoff))


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
    """The min-cost flow of ``schedule_bound_s`` as a linear programme.

    Nodes: predecessors in set-off order (each sends at most one unit), a forward chain F and
    a backward chain B over the same order, and incidents (each takes exactly one unit, from a
    predecessor, a chain, or its own never-reached arc).
    """

    def __init__(self, tokens: int) -> None:
        self.m = tokens
        self.cost: list[float] = []
        self.rows: list[int] = []  # node row of each arc end, with its sign in ``signs``
        self.cols: list[int] = []
        self.signs: list[float] = []
        self.arc = 0
        self.successors = 0

    # Rows: 0..m-1 tokens (≤ 1 out), then F, B chains (balance), then incidents (= 1 in).
    def _f(self, k: int) -> int:
        return self.m + k

    def _b(self, k: int) -> int:
        return 2 * self.m + k

    def _s(self, col: int) -> int:
        return 3 * self.m + col

    def _add(self, cost: float, tail: int | None, head: int | None) -> None:
        for node, sign in ((tail, -1.0), (head, 1.0)):
            if node is not None:
                self.rows.append(node)
                self.cols.append(self.arc)
                self.signs.append(sign)
        self.cost.append(cost)
        self.arc += 1

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
        late_cost: float | None,
    ) -> None:
        """The arcs into incident ``col`` (predecessor positions in set-off order)."""
        s = self._s(col)
        self.successors = max(self.successors, col + 1)
        self._add(cap, None, s)
        if free_upto > 0:
            self._add(min(free_cost, cap), self._f(free_upto - 1), s)
        arcs = range(self.arc, self.arc + len(direct))
        self.rows += direct.tolist() + [s] * len(direct)
        self.cols += [*arcs, *arcs]
        self.signs += [-1.0] * len(direct) + [1.0] * len(direct)
        self.cost += direct_cost.tolist()
        self.arc += len(direct)
        if late_cost is not None and late_cost < cap:
            self._add(late_cost, self._b(late_from), s)

    def solve(self, gaps: FloatArray) -> float:
        """The optimum, seconds; ``gaps`` are the set-off differences along the order."""
        for k in range(self.m):
            self._add(0.0, k, self._f(k))
            self._add(0.0, k, self._b(k))
        for k in range(self.m - 1):
            self._add(0.0, self._f(k), self._f(k + 1))
            self._add(float(gaps[k]), self._b(k + 1), self._b(k))
        nodes = 3 * self.m + self.successors
        matrix = coo_matrix(
            (np.array(self.signs), (np.array(self.rows), np.array(self.cols))),
            shape=(nodes, self.arc),
        ).tocsr()
        tokens = -matrix[: self.m]  # outflow of each predecessor
        balance = matrix[self.m :]
        rhs = np.concatenate([np.zeros(2 * self.m), np.ones(self.successors)])
        result = linprog(
            np.array(self.cost),
            A_ub=tokens,
            b_ub=np.ones(self.m),
            A_eq=balance,
            b_eq=rhs,
            bounds=(0, None),
            method="highs",
        )
        if result.status != 0:
            msg = f"the schedule bound's programme did not solve: {result.message}"
            raise RuntimeError(msg)
        return float(result.fun)


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
