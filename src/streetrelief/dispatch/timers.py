"""Dispatch timers: a team that does not acknowledge in time is replaced by the next one, and
an incident no team reached within its response target raises a breach; the duty leader on
shift hears of both (the events carry them as recipients for the notification relay).

Both checks are plain functions over a session and ``now``; they run as the ``dispatch-timers``
job and can run twice safely (each dispatch times out once, each incident breaches once).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from streetrelief.core.errors import IllegalTransitionError, NotFoundError
from streetrelief.db.outbox import emit
from streetrelief.dispatch import repository
from streetrelief.dispatch.models import NOT_ACKNOWLEDGED, Dispatch
from streetrelief.dispatch.policy import DispatchPolicy
from streetrelief.dispatch.service import DISPATCHABLE_INCIDENT, assign_team, recommend_teams
from streetrelief.dispatch.travel import TravelTimeProvider
from streetrelief.duty.service import leaders_in_charge
from streetrelief.incidents import service as incidents
from streetrelief.teams import service as teams
from streetrelief.teams.models import TeamStatus
from streetrelief.triage.policy import TriagePolicy

ACK_TIMEOUT = "dispatch.ack_timeout"
TARGET_BREACHED = "incident.target_breached"


@dataclass(frozen=True)
class AckTimeout:
    """A dispatch that timed out, and the team sent instead (None: nobody free)."""

    dispatch_id: int
    incident_id: int
    team_id: int
    next_team_id: int | None


def acknowledge_dispatch(session: Session, dispatch_id: int, *, now: datetime) -> Dispatch:
    """Record that the team took the assignment.

    Raises:
        NotFoundError: no such dispatch.
        IllegalTransitionError: the dispatch has cleared (it timed out or ended).
    """
    dispatch = session.get(Dispatch, dispatch_id)
    if dispatch is None:
        raise NotFoundError(f"no dispatch {dispatch_id}")
    if dispatch.cleared_at is not None:
        raise IllegalTransitionError(
            f"dispatch {dispatch_id} has cleared ({dispatch.outcome})", current="cleared"
        )
    if dispatch.acknowledged_at is None:
        dispatch.acknowledged_at = now
    return dispatch


def escalate_unacknowledged(
    session: Session,
    *,
    policy: TriagePolicy,
    travel: TravelTimeProvider,
    now: datetime,
    rules: DispatchPolicy | None = None,
) -> list[AckTimeout]:
    """Clear dispatches not acknowledged within ``rules.ack_timeout_s``, send the next-ranked
    team (none that has already left one of its dispatches unacknowledged) when the incident
    is left without a team, and tell the duty
    leader in charge of the dispatch area (event ``dispatch.ack_timeout``).

    Returns:
        One entry per dispatch that timed out.
    """
    rules = rules or DispatchPolicy()
    cutoff = now - timedelta(seconds=rules.ack_timeout_s)
    out = []
    for dispatch in repository.unacknowledged_before(session, cutoff):
        dispatch.cleared_at = now
        dispatch.outcome = NOT_ACKNOWLEDGED
        team = teams.require_team(session, dispatch.team_id)
        is_idle_now = not repository.active_for_team(session, team.id)
        if team.status == TeamStatus.dispatched and is_idle_now:
            teams.set_team_status(session, team, TeamStatus.available, now)
        incident = incidents.require_incident(session, dispatch.incident_id)
        next_team = None
        if incident.status in DISPATCHABLE_INCIDENT and not repository.active_for_incident(
            session, incident.id
        ):
            best = recommend_teams(
                session, incident, policy=policy, travel=travel, now=now, rules=rules, limit=1
            )
            choice = best[0] if best else None
            if choice is not None:
                assign_team(
                    session,
                    incident.id,
                    choice.team_id,
                    policy=policy,
                    travel=travel,
                    now=now,
                    assigned_by="acknowledgement timeout",
                    is_automatic=True,
                )
                next_team = choice.team_id
        emit(
            session,
            type_=ACK_TIMEOUT,
            subject="incident",
            subject_id=incident.id,
            at=now,
            region_code=incident.region_code,
            payload={
                "dispatch_id": dispatch.id,
                "team_id": dispatch.team_id,
                "next_team_id": next_team,
                "ack_timeout_s": rules.ack_timeout_s,
                "recipients": leaders_in_charge(session, incident.region_code, now),
            },
        )
        out.append(AckTimeout(dispatch.id, incident.id, dispatch.team_id, next_team))
    return out


def raise_target_breaches(session: Session, *, now: datetime) -> list[int]:
    """Mark each open, unreached incident past its response target once, and tell the duty
    leader in charge (event ``incident.target_breached``).

    Returns:
        The ids of the incidents that breached now.
    """
    breached = []
    for incident in incidents.overdue_incidents(session, now=now):
        if incident.target_breached_at is not None:
            continue
        incident.target_breached_at = now
        emit(
            session,
            type_=TARGET_BREACHED,
            subject="incident",
            subject_id=incident.id,
            at=now,
            region_code=incident.region_code,
            payload={
                "priority": incident.priority,
                "response_target_s": incident.response_target_s,
                "waited_s": round((now - incident.first_reported_at).total_seconds()),
                "recipients": leaders_in_charge(session, incident.region_code, now),
            },
        )
        breached.append(incident.id)
    return breached
