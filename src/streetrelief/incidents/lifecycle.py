"""The incident lifecycle as a table of allowed steps (pure, no database)."""

from __future__ import annotations

from streetrelief.core.errors import IllegalTransitionError
from streetrelief.incidents.models import IncidentStatus as S

CLOSED = frozenset({S.resolved, S.not_found, S.cancelled})

ALLOWED: dict[S, frozenset[S]] = {
    S.new: frozenset({S.triaged, S.cancelled}),
    S.triaged: frozenset({S.dispatched, S.cancelled}),
    S.dispatched: frozenset({S.en_route, S.on_scene, S.cancelled}),
    S.en_route: frozenset({S.on_scene, S.cancelled}),
    S.on_scene: frozenset({S.resolved, S.not_found, S.cancelled}),
    S.resolved: frozenset(),
    S.not_found: frozenset(),
    S.cancelled: frozenset(),
}
"""Allowed next statuses. A team may report on scene straight from dispatched (it was close);
only a team on scene can say the person was helped or not found; anything open can be cancelled."""


def check_transition(current: S, target: S) -> None:
    """Refuse a step the lifecycle does not allow.

    Raises:
        IllegalTransitionError: ``target`` is not reachable from ``current`` in one step.
    """
    if target not in ALLOWED[current]:
        allowed = ", ".join(sorted(ALLOWED[current])) or "none (closed)"
        raise IllegalTransitionError(
            f"an incident cannot go from {current} to {target}; allowed: {allowed}",
            current=str(current),
            target=str(target),
        )
