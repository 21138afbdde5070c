"""Dispatch use cases: recommend teams, assign one, and follow the team to the end.

Assignment is automatic for the priorities the triage policy names and confirmed by a
dispatcher otherwise. Team and incident records change only through their own services.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import lru_cache

import numpy as np
from sqlalchemy.orm import Session

from streetrelief.access.principal import OutOfJurisdictionError, Principal, in_jurisdiction
from streetrelief.access.roles import Role
from streetrelief.core.clock import check_not_future
from streetrelief.core.errors import (
    IllegalTransitionError,
    PermissionDeniedError,
    TeamUnavailableError,
)
from streetrelief.db.outbox import emit
from streetrelief.dispatch import repository
from streetrelief.dispatch.logic import (
    Candidates,
    Recommendation,
    first_responder,
    rank_candidates,
)
from streetrelief.dispatch.models import Dispatch
from streetrelief.dispatch.policy import DispatchPolicy
from streetrelief.dispatch.travel import TravelTimeProvider, travel_columns
from streetrelief.incidents import service as incidents
from streetrelief.incidents.lifecycle import CLOSED
from streetrelief.incidents.models import Incident, IncidentStatus
from streetrelief.regions.service import Scope, dispatch_area, require_region
from streetrelief.teams import service as teams
from streetrelief.teams.models import TeamStatus, TravelMode
from streetrelief.triage.policy import TriagePolicy

ASSIGNABLE = frozenset({TeamStatus.available, TeamStatus.returning, TeamStatus.on_scene})
"""Team statuses in which a team can take a new incident; an on-scene team takes it as its
next job, leaving when the current one clears."""

DISPATCHABLE_INCIDENT = frozenset(
    {
        IncidentStatus.triaged,
        IncidentStatus.dispatched,
        IncidentStatus.en_route,
        IncidentStatus.on_scene,
    }
)
"""Incident statuses that accept a (further) team."""

WORKLOAD_WINDOW = timedelta(hours=24)


def recommend_teams(
    session: Session,
    incident: Incident,
    *,
    policy: TriagePolicy,
    travel: TravelTimeProvider,
    now: datetime,
    scope: Scope = None,
    rules: DispatchPolicy | None = None,
    limit: int | None = None,
) -> list[Recommendation]:
    """Rank the assignable teams of the incident's dispatch area (inside ``scope``, the
    dispatcher's jurisdiction, when given), by ``dispatch.logic.rank_candidates``.

    Each team's time to reach is estimated from its last position by its travel mode; an
    on-scene team (without a next job already) counts with the rest of its expected time on
    scene (``rules.expected_on_scene_s`` from when it arrived), so a team finishing nearby can
    beat an idle one far away. A team's shift left is its recorded shift end minus ``now``
    (unbounded when not recorded), so one whose shift ends before it could reach the incident
    and finish there ranks below those that can; a team whose shift has already ended is not
    recommended at all (``repository.candidate_teams``), nor is one that left a dispatch to
    this incident unacknowledged until it timed out (it is likely out of reach; the dispatcher
    can still send it by hand). The teams are read as columns in one
    statement and ranked as arrays; ``limit`` keeps the best few, the only ones explained.

    Raises:
        IllegalTransitionError: the incident is closed (or not triaged yet).
    """
    if incident.status not in DISPATCHABLE_INCIDENT:
        raise IllegalTransitionError(
            f"incident {incident.id} is {incident.status}: no team to recommend",
            current=str(incident.status),
        )
    rules = rules or DispatchPolicy()
    rows = repository.candidate_teams(
        session,
        dispatch_area(session, incident.region_code).path,
        statuses=ASSIGNABLE,
        now=now,
        stale_before=now - timedelta(seconds=rules.stale_position_s),
        workload_since=now - WORKLOAD_WINDOW,
        scope=scope,
    )
    silent = repository.silent_teams(session, incident.id)
    rows = [row for row in rows if row[0] not in silent]
    if not rows:
        return []
    ids, codes, capabilities, has_vehicle, on_scene_at, lats, lons, stale, workload, ends = zip(
        *rows, strict=True
    )
    n = len(rows)
    distance_m, travel_s, is_fallback = travel_columns(
        travel,
        list(zip(lats, lons, strict=True)),
        np.array(has_vehicle, dtype=np.bool_),
        (incident.lat, incident.lon),
    )
    free_in_s = np.zeros(n)
    for i, since in enumerate(on_scene_at):
        if since is not None:
            free_in_s[i] = _free_in_s(since, now, rules)
    teams = Candidates(
        team_id=ids,
        code=codes,
        capabilities=[_capability_set(text) for text in capabilities],
        mode=[TravelMode.vehicle if v else TravelMode.walking for v in has_vehicle],
        distance_m=distance_m,
        travel_s=travel_s,
        is_fallback=is_fallback,
        dispatches_24h=np.array(workload, dtype=np.int64),
        free_in_s=free_in_s,
        shift_left_s=np.array(
            [np.inf if end is None else (end - now).total_seconds() for end in ends]
        ),
        is_position_stale=np.array(stale, dtype=np.bool_),
    )
    return rank_candidates(
        teams,
        policy.required_capabilities(tuple(incident.measures)),
        expected_on_scene_s=rules.expected_on_scene_s,
        limit=limit,
    )


def _free_in_s(on_scene_at: datetime, now: datetime, rules: DispatchPolicy) -> float:
    """Seconds until a team on scene since ``on_scene_at`` is expected to clear (0 if overdue)."""
    busy_until = on_scene_at + timedelta(seconds=rules.expected_on_scene_s)
    return max(0.0, (busy_until - now).total_seconds())


@lru_cache(maxsize=256)
def _capability_set(stored: str) -> frozenset[str]:
    """The capabilities in a team's stored JSON list; teams share a handful of combinations,
    so each distinct text is decoded once."""
    return frozenset(json.loads(stored))


def assign_team(
    session: Session,
    incident_id: int,
    team_id: int,
    *,
    policy: TriagePolicy,
    travel: TravelTimeProvider,
    now: datetime,
    assigned_by: str | None = None,
    is_automatic: bool = False,
) -> Dispatch:
    """Send ``team_id`` to ``incident_id``.

    Raises:
        NotFoundError: no such incident or team.
        IllegalTransitionError: the incident is not triaged yet, or closed.
        TeamUnavailableError: the team is busy or off duty, its shift has ended, it is
            already sent to this incident, or outside the dispatch area.
    """
    incident = incidents.require_incident(session, incident_id, for_update=True)
    if incident.status not in DISPATCHABLE_INCIDENT:
        raise IllegalTransitionError(
            f"incident {incident.id} is {incident.status}: only a triaged or active incident "
            "can take a team",
            current=str(incident.status),
        )
    team = teams.require_team(session, team_id)
    if team.status not in ASSIGNABLE:
        raise TeamUnavailableError(f"team {team.code} is {team.status}", team_id=team.id)
    if team.shift_ends_at is not None and team.shift_ends_at <= now:
        raise TeamUnavailableError(
            f"team {team.code}'s shift ended at {team.shift_ends_at:%Y-%m-%d %H:%M} UTC: "
            "report it on duty with a new shift end first",
            team_id=team.id,
        )
    if any(d.team_id == team.id for d in repository.active_for_incident(session, incident.id)):
        raise TeamUnavailableError(
            f"team {team.code} is already sent to incident {incident.id}", team_id=team.id
        )
    if repository.holds_next_job(session, team.id):
        raise TeamUnavailableError(
            f"team {team.code} already has a next job waiting", team_id=team.id
        )
    area = dispatch_area(session, incident.region_code)
    if not require_region(session, team.region_code).path.startswith(area.path):
        raise TeamUnavailableError(
            f"team {team.code} belongs to {team.region_code}, outside this incident's "
            f"dispatch area {area.code}",
            team_id=team.id,
        )
    estimate = travel.many_to_one(
        [(team.last_lat, team.last_lon)], (incident.lat, incident.lon), team.mode
    )[0]
    dispatch = Dispatch(
        incident_id=incident.id,
        team_id=team.id,
        region_code=incident.region_code,
        is_automatic=is_automatic,
        assigned_by=assigned_by,
        estimated_travel_s=estimate.travel_time_s,
        is_estimate_fallback=estimate.is_fallback,
        staff_count=teams.staff_count(session, team.id),
        has_vehicle=team.vehicle is not None,
        assigned_at=now,
    )
    session.add(dispatch)
    session.flush()
    if incident.status == IncidentStatus.triaged:
        incidents.move_incident(session, incident, IncidentStatus.dispatched, now)
    if team.status != TeamStatus.on_scene:
        teams.set_team_status(session, team, TeamStatus.dispatched, now)
    emit(
        session,
        type_="dispatch.assigned",
        subject="incident",
        subject_id=incident.id,
        at=now,
        region_code=incident.region_code,
        payload={
            "dispatch_id": dispatch.id,
            "team_id": team.id,
            "automatic": is_automatic,
            "eta_s": round(estimate.travel_time_s),
        },
    )
    return dispatch


def auto_dispatch(
    session: Session,
    incident: Incident,
    *,
    policy: TriagePolicy,
    travel: TravelTimeProvider,
    now: datetime,
    rules: DispatchPolicy | None = None,
) -> Dispatch | None:
    """Assign the best team without confirmation when policy says so for the priority, and
    for the priorities ``rules.first_responder_for`` names also the soonest team when the best
    capable one is farther (``dispatch.logic.first_responder``).

    Returns:
        The dispatch of the best team, or None (not an automatic priority, or no team free).
    """
    if incident.priority not in policy.auto_dispatch:
        return None
    rules = rules or DispatchPolicy()
    ranked = recommend_teams(session, incident, policy=policy, travel=travel, now=now, rules=rules)
    if not ranked:
        return None
    chosen = [ranked[0].team_id]
    if incident.priority in rules.first_responder_for:
        extra = first_responder({r.team_id: r.eta_s for r in ranked}, ranked[0])
        if extra is not None:
            chosen.append(extra)
    dispatches = [
        assign_team(
            session,
            incident.id,
            team_id,
            policy=policy,
            travel=travel,
            now=now,
            assigned_by="policy",
            is_automatic=True,
        )
        for team_id in chosen
    ]
    return dispatches[0]


def require_incident_for(
    session: Session, incident_id: int, *, by: Principal, acting: bool = False
) -> Incident:
    """The incident, if ``by`` may see it (and, ``acting``, act on it): the one rule.

    Anyone sees the incidents of their regions (their region's subtree plus grants). A patrol
    member also sees one elsewhere that their own team was sent to — teams are sent across the
    incident's dispatch area, the city, so a district's team can be sent next door — while the
    dispatch is open and after it clears, for the record; nothing else outside their regions.
    A patrol member acts (moves the incident on, records encounters, acknowledges) only where
    their own team was sent, inside their regions too; other roles act anywhere they see.

    Raises:
        NotFoundError: no such incident, or (``OutOfJurisdictionError``, audited) one the
            caller may not see.
        PermissionDeniedError: (403) a patrol member acting where their team was not sent.
    """
    incident = incidents.require_incident(session, incident_id)
    sent = (
        by.role is Role.patrol
        and by.team_id is not None
        and repository.team_was_sent(session, incident.id, by.team_id)
    )
    if not sent and not in_jurisdiction(session, by, incident.region_code):
        raise OutOfJurisdictionError(
            f"incident {incident_id} not found", region_code=incident.region_code
        )
    if acting and by.role is Role.patrol and not sent:
        raise PermissionDeniedError("your team was not sent to this incident")
    return incident


TEAM_STEPS = (IncidentStatus.dispatched, IncidentStatus.en_route, IncidentStatus.on_scene)
"""A sent team's progress in order: each team takes the later two on its own, and the incident
is as far as its furthest team."""


def report_progress(
    session: Session,
    incident_id: int,
    target: IncidentStatus,
    *,
    at: datetime,
    now: datetime,
    note: str | None = None,
    team_id: int | None = None,
) -> Incident:
    """Move an incident on (en route, on scene, resolved, not found, cancelled) with its teams.

    Which dispatches take the step depends on who reports it:

    - without ``team_id`` (a dispatcher, the demo, a replay): every open dispatch of the
      incident is stamped and every team sent follows, as the incident does;
    - with ``team_id`` (a patrol member, for their own team), en route and on scene stamp that
      team's open dispatch alone and set that team's status; the incident follows its first
      team (first en route: the incident is en route; first on scene: on scene) and stays
      where it is when a later team catches up;
    - resolved, not found and cancelled close the incident, so they clear every open dispatch
      and free every team, whoever reports them (a team given its next job while on scene is
      dispatched to it at once).

    Args:
        at: when it happened (aware UTC); ``now`` bounds it.
        team_id: the reporting team, None for a report on the incident's behalf.

    Raises:
        NotFoundError: no such incident.
        IllegalTransitionError: the lifecycle does not allow the step, ``team_id`` holds no
            open dispatch to the incident, or its dispatch has already taken the step.
        InvalidInputError: ``at`` lies in the future.
    """
    check_not_future(at, now, "at")
    incident = incidents.require_incident(session, incident_id, for_update=True)
    dispatches = repository.active_for_incident(session, incident.id)
    if team_id is not None and target in TEAM_STEPS[1:]:
        dispatches = [_team_dispatch(incident, dispatches, team_id, target)]
        if _first_team_there(incident, target):
            incidents.move_incident(session, incident, target, at, note=note)
    else:
        incidents.move_incident(session, incident, target, at, note=note)
    for dispatch in dispatches:
        _stamp(session, dispatch, incident, target, at)
    return incident


def _team_dispatch(
    incident: Incident, dispatches: Sequence[Dispatch], team_id: int, target: IncidentStatus
) -> Dispatch:
    """The team's open dispatch among ``dispatches``, if it has not taken ``target`` yet.

    Raises:
        IllegalTransitionError: no open dispatch of the team, or it is at ``target`` or past.
    """
    own = next((d for d in dispatches if d.team_id == team_id), None)
    if own is None:
        raise IllegalTransitionError(
            f"team {team_id} holds no open dispatch to incident {incident.id} "
            f"(the incident is {incident.status})",
            current=str(incident.status),
            target=str(target),
        )
    if own.on_scene_at is not None:
        reached = IncidentStatus.on_scene
    elif own.en_route_at is not None and target == IncidentStatus.en_route:
        reached = IncidentStatus.en_route
    else:
        return own
    raise IllegalTransitionError(
        f"team {team_id} is already {reached} at incident {incident.id}",
        current=str(reached),
        target=str(target),
    )


def _first_team_there(incident: Incident, target: IncidentStatus) -> bool:
    """Whether a team's step moves the incident too: not when another team is already there
    or further (a closed incident moves, so that the lifecycle refuses it)."""
    return not (
        incident.status in TEAM_STEPS
        and TEAM_STEPS.index(incident.status) >= TEAM_STEPS.index(target)
    )


def _stamp(
    session: Session, dispatch: Dispatch, incident: Incident, target: IncidentStatus, at: datetime
) -> None:
    """Stamp ``target`` on one dispatch and move its team's status to match."""
    team = teams.require_team(session, dispatch.team_id)
    if target == IncidentStatus.en_route:
        dispatch.en_route_at = at
        dispatch.acknowledged_at = dispatch.acknowledged_at or at
        teams.set_team_status(session, team, TeamStatus.en_route, at)
    elif target == IncidentStatus.on_scene:
        dispatch.on_scene_at = at
        teams.set_team_status(
            session, team, TeamStatus.on_scene, at, position=(incident.lat, incident.lon)
        )
    elif target in CLOSED:
        dispatch.cleared_at = at
        dispatch.outcome = target.value
        teams.set_team_status(
            session, team, _status_after_clearing(repository.active_for_team(session, team.id)), at
        )


def _status_after_clearing(still_open: Sequence[Dispatch]) -> TeamStatus:
    """A team's status once one of its dispatches clears: available with none left; else the
    furthest stage it reached on one still open (a team that went on to its next job before
    closing this one is already there), or dispatched, leaving for its next job now."""
    if not still_open:
        return TeamStatus.available
    if any(d.on_scene_at is not None for d in still_open):
        return TeamStatus.on_scene
    if any(d.en_route_at is not None for d in still_open):
        return TeamStatus.en_route
    return TeamStatus.dispatched


def dispatches_for(session: Session, incident_id: int) -> Sequence[Dispatch]:
    """All dispatches of an incident, oldest first.

    Raises:
        NotFoundError: no such incident.
    """
    incidents.require_incident(session, incident_id)
    return repository.for_incident(session, incident_id)


def current_dispatches(session: Session, team_id: int) -> Sequence[Dispatch]:
    """The team's dispatches that have not cleared (its current assignments), oldest first.

    Raises:
        NotFoundError: no such team.
    """
    teams.require_team(session, team_id)
    return repository.active_for_team(session, team_id)


def dispatch_figures(
    session: Session, region_path: str, start: datetime, end: datetime
) -> tuple[int, int, int]:
    """(dispatches, staff deployed, vehicle dispatches) assigned in a subtree and [start, end)."""
    return repository.figures(session, region_path, start, end)
