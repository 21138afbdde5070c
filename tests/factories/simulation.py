"""Incidents of a simulated night, built by hand for the simulation's tests."""

from __future__ import annotations

from streetrelief.incidents.models import Priority
from streetrelief.simulation.night import SimIncident


def sim_incident(
    idx: int,
    at_s: float,
    priority: Priority,
    pos: tuple[float, float],
    *,
    confirm_s: float = 0.0,
    needs_transport: bool = False,
    target_s: int = 720,
) -> SimIncident:
    """One person to reach, reported ``at_s`` seconds into the night at ``pos`` (lat, lon)."""
    return SimIncident(
        idx=idx,
        source_id=str(idx),
        reported_s=at_s,
        pos=pos,
        priority=priority,
        required=frozenset(),
        needs_transport=needs_transport,
        people=1,
        target_s=target_s,
        confirm_s=confirm_s,
        base_target_s=target_s,
    )
