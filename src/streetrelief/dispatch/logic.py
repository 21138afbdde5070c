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

from dataclasses import dataclass

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
    options: list[TeamOption],
    required: frozenset[str],
    *,
    expected_on_scene_s: float = 0.0,
    limit: int | None = None,
) -> list[Recommendation]:
    """Order ``options`` for an incident needing ``required`` capabilities (keys above).

    Args:
        expected_on_scene_s: seconds the job is expected to take on scene, for the shift check.
        limit: explain only the best ``limit`` teams (all when None).

    Returns:
        Recommendations, best first, ranks from 1; ``eta_s`` is the time to reach, seconds.
    """
    keyed = []
    for o in options:
        reach = o.free_in_s + o.estimate.travel_time_s
        is_short = o.shift_left_s is not None and o.shift_left_s < reach + expected_on_scene_s
        keyed.append(
            (
                not required <= o.capabilities,
                is_short,
                o.is_position_stale,
                reach,
                o.dispatches_24h,
                o.code,
                o,
            )
        )
    keyed.sort(key=lambda k: k[:6])
    if limit is not None:
        keyed = keyed[:limit]
    return [
        _recommend(rank, k[6], required, is_short=k[1], is_stale=k[2])
        for rank, k in enumerate(keyed, start=1)
    ]


def _recommend(
    rank: int, o: TeamOption, required: frozenset[str], *, is_short: bool, is_stale: bool
) -> Recommendation:
    missing = tuple(sorted(required - o.capabilities))
    parts = [
        f"reaches in about {o.reach_s / 60:.0f} min "
        f"({o.estimate.distance_m / 1000:.1f} km, {o.mode})"
    ]
    if o.free_in_s > 0:
        parts.append(f"free in {o.free_in_s / 60:.0f} min from its current job")
    if o.estimate.is_fallback:
        parts.append("straight-line estimate: no road path found")
    if is_stale:
        parts.append("last position is stale")
    if required:
        parts.append(
            f"lacks {', '.join(missing)}" if missing else f"has {', '.join(sorted(required))}"
        )
    if is_short:
        parts.append("shift ends before the job would")
    parts.append(f"dispatches in the past 24 h: {o.dispatches_24h}")
    return Recommendation(
        rank=rank,
        team_id=o.team_id,
        team_code=o.code,
        eta_s=o.reach_s,
        distance_m=o.estimate.distance_m,
        free_in_s=o.free_in_s,
        is_estimate_fallback=o.estimate.is_fallback,
        has_all_capabilities=not missing,
        missing_capabilities=missing,
        is_shift_too_short=is_short,
        is_position_stale=is_stale,
        dispatches_24h=o.dispatches_24h,
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
