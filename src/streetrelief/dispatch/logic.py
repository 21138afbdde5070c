"""Ranking teams for an incident, and ordering the incidents that wait (pure: no database).

A team's *time to reach* is the time until it is free (0 when idle; the rest of its current
job when busy) plus its travel from where it will be free. Ranking keys, in order:

1. has every capability the incident's measures need (escort needs police, medical needs
   health staff, transport needs a vehicle);
2. its shift lasts long enough for the job (reach plus the expected time on scene);
3. its position is fresh (a stale one may be far from the truth);
4. soonest time to reach;
5. fewer dispatches in the past 24 hours (share the load);
6. the team code (a stable tie-break).

So a team about to clear a job next door beats an idle team across town. The live services
and the simulation call these same functions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from streetrelief.dispatch.travel import TravelEstimate
from streetrelief.incidents.models import PRIORITY_RANK, Priority


@dataclass(frozen=True)
class TeamOption:
    """What ranking needs to know of a team.

    ``estimate`` is the travel from where the team will be free; ``free_in_s`` the seconds until
    then (0 when idle); ``shift_left_s`` the seconds until its shift ends (None: unknown);
    ``is_position_stale`` whether its last position is older than the policy's limit.
    """

    team_id: int
    code: str
    capabilities: frozenset[str]
    mode: str
    estimate: TravelEstimate
    dispatches_24h: int
    free_in_s: float = 0.0
    shift_left_s: float | None = None
    is_position_stale: bool = False

    @property
    def reach_s(self) -> float:
        """Seconds until the team can be on scene: free-in plus travel."""
        return self.free_in_s + self.estimate.travel_time_s


@dataclass(frozen=True)
class Candidates:
    """The teams to rank as columns: entry ``i`` of every field describes team ``i``.

    The form the service reads from the database (one array per column instead of one object
    per team, since hundreds of teams are ranked and only the best few explained).
    ``distance_m`` and ``travel_s`` are the travel from where each team will be free (metres,
    seconds); ``free_in_s`` the seconds until then; ``shift_left_s`` the seconds until its shift
    ends (``inf``: unknown).
    """

    team_id: Sequence[int]
    code: Sequence[str]
    capabilities: Sequence[frozenset[str]]
    mode: Sequence[str]
    distance_m: npt.NDArray[np.float64]
    travel_s: npt.NDArray[np.float64]
    is_fallback: npt.NDArray[np.bool_]
    dispatches_24h: npt.NDArray[np.int64]
    free_in_s: npt.NDArray[np.float64]
    shift_left_s: npt.NDArray[np.float64]
    is_position_stale: npt.NDArray[np.bool_]

    @classmethod
    def of(cls, options: Sequence[TeamOption]) -> Candidates:
        """The columns of ``options``, in their order."""
        rows = [
            (
                o.team_id,
                o.code,
                o.capabilities,
                o.mode,
                o.estimate.distance_m,
                o.estimate.travel_time_s,
                o.estimate.is_fallback,
                o.dispatches_24h,
                o.free_in_s,
                np.inf if o.shift_left_s is None else o.shift_left_s,
                o.is_position_stale,
            )
            for o in options
        ]
        ids, codes, caps, modes, distance, travel, fallback, dispatches, free, shift, stale = (
            tuple(zip(*rows, strict=True)) or ((),) * 11
        )
        return cls(
            team_id=ids,
            code=codes,
            capabilities=caps,
            mode=modes,
            distance_m=np.array(distance, dtype=np.float64),
            travel_s=np.array(travel, dtype=np.float64),
            is_fallback=np.array(fallback, dtype=np.bool_),
            dispatches_24h=np.array(dispatches, dtype=np.int64),
            free_in_s=np.array(free, dtype=np.float64),
            shift_left_s=np.array(shift, dtype=np.float64),
            is_position_stale=np.array(stale, dtype=np.bool_),
        )


@dataclass(frozen=True)
class Recommendation:
    """One ranked team, with the reasons shown to the dispatcher."""

    rank: int
    team_id: int
    team_code: str
    eta_s: float
    distance_m: float
    free_in_s: float
    is_estimate_fallback: bool
    has_all_capabilities: bool
    missing_capabilities: tuple[str, ...]
    is_shift_too_short: bool
    is_position_stale: bool
    dispatches_24h: int
    explanation: str


def rank_teams(
    options: Sequence[TeamOption],
    required: frozenset[str],
    *,
    expected_on_scene_s: float = 0.0,
    limit: int | None = None,
) -> list[Recommendation]:
    """Order ``options`` for an incident needing ``required`` capabilities (keys above); the
    same as ``rank_candidates`` on their columns."""
    return rank_candidates(
        Candidates.of(options), required, expected_on_scene_s=expected_on_scene_s, limit=limit
    )


def rank_candidates(
    teams: Candidates,
    required: frozenset[str],
    *,
    expected_on_scene_s: float = 0.0,
    limit: int | None = None,
) -> list[Recommendation]:
    """Order ``teams`` for an incident needing ``required`` capabilities (keys above).

    The keys are computed for all teams at once (a stable ``numpy.lexsort``); the
    recommendation with its explanation is built only for the best ``limit``.

    Args:
        expected_on_scene_s: seconds the job is expected to take on scene, for the shift check.
        limit: explain only the best ``limit`` teams (all when None).

    Returns:
        Recommendations, best first, ranks from 1; ``eta_s`` is the time to reach, seconds.
    """
    n = len(teams.team_id)
    if n == 0:
        return []
    reach = teams.free_in_s + teams.travel_s
    lacks = np.fromiter((not required <= c for c in teams.capabilities), np.bool_, n)
    is_short = teams.shift_left_s < reach + expected_on_scene_s
    # lexsort sorts by the last key first.
    order = np.lexsort(
        (
            np.asarray(teams.code),
            teams.dispatches_24h,
            reach,
            teams.is_position_stale,
            is_short,
            lacks,
        )
    )
    best = order.tolist() if limit is None else order[:limit].tolist()
    return [
        _recommend(rank, teams, i, float(reach[i]), required, is_short=bool(is_short[i]))
        for rank, i in enumerate(best, start=1)
    ]


def _recommend(
    rank: int,
    teams: Candidates,
    i: int,
    reach_s: float,
    required: frozenset[str],
    *,
    is_short: bool,
) -> Recommendation:
    missing = tuple(sorted(required - teams.capabilities[i]))
    distance_m = float(teams.distance_m[i])
    free_in_s = float(teams.free_in_s[i])
    is_fallback = bool(teams.is_fallback[i])
    is_stale = bool(teams.is_position_stale[i])
    dispatches = int(teams.dispatches_24h[i])
    parts = [
        f"reaches in about {reach_s / 60:.0f} min ({distance_m / 1000:.1f} km, {teams.mode[i]})"
    ]
    if free_in_s > 0:
        parts.append(f"free in {free_in_s / 60:.0f} min from its current job")
    if is_fallback:
        parts.append("straight-line estimate: no road path found")
    if is_stale:
        parts.append("last position is stale")
    if required:
        parts.append(
            f"lacks {', '.join(missing)}" if missing else f"has {', '.join(sorted(required))}"
        )
    if is_short:
        shift_left_s = float(teams.shift_left_s[i])
        parts.append(
            f"shift ends in {shift_left_s / 60:.0f} min, before the job would end"
            if shift_left_s > 0
            else "shift has ended"
        )
    parts.append(f"dispatches in the past 24 h: {dispatches}")
    return Recommendation(
        rank=rank,
        team_id=teams.team_id[i],
        team_code=teams.code[i],
        eta_s=reach_s,
        distance_m=distance_m,
        free_in_s=free_in_s,
        is_estimate_fallback=is_fallback,
        has_all_capabilities=not missing,
        missing_capabilities=missing,
        is_shift_too_short=is_short,
        is_position_stale=is_stale,
        dispatches_24h=dispatches,
        explanation="; ".join(parts),
    )


def first_responder(reach_s: dict[int, float], best: Recommendation) -> int | None:
    """The team to send as well as ``best`` when the best capable team is not the soonest:
    the soonest team of all, if it arrives earlier.

    Sending the nearest team at once and the capable one behind it is the two-tier response
    of emergency medical services (first responder plus the crew that can treat and carry):
    the person is reached sooner, and the team with the needed capability still comes.
    Source: NFPA 1710 (2020) 4.1.2.1, first-arriving unit within 240 s travel and the
    advanced-life-support unit within 480 s.

    Args:
        reach_s: time to reach, seconds, of every candidate team by team id.

    Returns:
        The extra team's id, or None when ``best`` is already the soonest.
    """
    soonest = min(reach_s, key=lambda t: (reach_s[t], t), default=None)
    if soonest is None or soonest == best.team_id or reach_s[soonest] >= best.eta_s:
        return None
    return soonest


def next_job_order(priority: Priority, travel_s: float, due_s: float) -> tuple[int, float, float]:
    """Sort key of the waiting incidents offered to a team that just cleared: the most urgent
    priority first, then the nearest to the team, then the earliest target time.

    Nearest-first within a priority keeps teams working instead of driving across the city
    while a backlog lasts (the reason zone dispatch holds up under load); urgency still
    comes first, so a critical incident is never left for a nearer low one.

    Args:
        travel_s: travel from the team to the incident, seconds.
        due_s: when the incident's response target falls due, seconds on any common line.
    """
    return (PRIORITY_RANK[priority], travel_s, due_s)
