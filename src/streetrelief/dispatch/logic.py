"""Ranking teams for an incident (pure: no database).

Teams that have every capability the incident's measures need come first; within each group
the one that can arrive soonest wins, then the one with fewer dispatches in the past 24 hours,
then the code.
"""

from __future__ import annotations

from dataclasses import dataclass

from streetrelief.dispatch.travel import TravelEstimate


@dataclass(frozen=True)
class TeamOption:
    """What ranking needs to know of a team."""

    team_id: int
    code: str
    capabilities: frozenset[str]
    mode: str
    estimate: TravelEstimate
    dispatches_24h: int


@dataclass(frozen=True)
class Recommendation:
    """One ranked team, with the reasons shown to the dispatcher."""

    rank: int
    team_id: int
    team_code: str
    eta_s: float
    distance_m: float
    is_estimate_fallback: bool
    has_all_capabilities: bool
    missing_capabilities: tuple[str, ...]
    dispatches_24h: int
    explanation: str


def rank_teams(options: list[TeamOption], required: frozenset[str]) -> list[Recommendation]:
    """Order ``options`` for an incident needing ``required`` capabilities.

    Returns:
        Recommendations, best first, ranks from 1.
    """

    def key(o: TeamOption) -> tuple[bool, float, int, str]:
        return (bool(required - o.capabilities), o.estimate.travel_time_s, o.dispatches_24h, o.code)

    ranked = []
    for rank, o in enumerate(sorted(options, key=key), start=1):
        missing = tuple(sorted(required - o.capabilities))
        parts = [
            f"arrives in about {o.estimate.travel_time_s / 60:.0f} min "
            f"({o.estimate.distance_m / 1000:.1f} km, {o.mode})"
        ]
        if o.estimate.is_fallback:
            parts.append("straight-line estimate: no road path found")
        if required:
            parts.append(
                f"lacks {', '.join(missing)}" if missing else f"has {', '.join(sorted(required))}"
            )
        parts.append(f"dispatches in the past 24 h: {o.dispatches_24h}")
        ranked.append(
            Recommendation(
                rank=rank,
                team_id=o.team_id,
                team_code=o.code,
                eta_s=o.estimate.travel_time_s,
                distance_m=o.estimate.distance_m,
                is_estimate_fallback=o.estimate.is_fallback,
                has_all_capabilities=not missing,
                missing_capabilities=missing,
                dispatches_24h=o.dispatches_24h,
                explanation="; ".join(parts),
            )
        )
    return ranked
