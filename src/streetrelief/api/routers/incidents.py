"""Incidents: list, read, recommend teams, dispatch, move on, record encounters."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from streetrelief.api.deps import ClockDep, IdPath, SessionDep, TravelDep, TriagePolicyDep
from streetrelief.dispatch.schemas import DispatchCreate, DispatchRead, RecommendationRead
from streetrelief.dispatch.service import (
    assign_team,
    dispatches_for,
    recommend_teams,
    report_progress,
)
from streetrelief.incidents.models import IncidentStatus
from streetrelief.incidents.schemas import IncidentFilter, IncidentRead, TransitionRequest
from streetrelief.incidents.service import list_incidents, require_incident
from streetrelief.people.schemas import EncounterCreate, EncounterRead
from streetrelief.people.service import encounters_for, record_encounter

router = APIRouter(prefix="/incidents", tags=["incidents"])


@router.get("", response_model=list[IncidentRead])
def get_incidents(
    session: SessionDep, query: Annotated[IncidentFilter, Query()]
) -> list[IncidentRead]:
    """Incidents in a region subtree, newest first."""
    rows = list_incidents(
        session,
        region_code=query.region_code,
        status=query.status,
        is_open=query.is_open,
        limit=query.limit,
        offset=query.offset,
    )
    return [IncidentRead.model_validate(i) for i in rows]


@router.get("/{incident_id}", response_model=IncidentRead)
def get_incident(incident_id: IdPath, session: SessionDep) -> IncidentRead:
    """One incident with its triage outcome and timestamps."""
    return IncidentRead.model_validate(require_incident(session, incident_id))


@router.get("/{incident_id}/recommendations", response_model=list[RecommendationRead])
def get_recommendations(
    incident_id: IdPath,
    session: SessionDep,
    clock: ClockDep,
    policy: TriagePolicyDep,
    travel: TravelDep,
) -> list[RecommendationRead]:
    """Assignable teams ranked by capability match and time to reach, with reasons."""
    incident = require_incident(session, incident_id)
    ranked = recommend_teams(session, incident, policy=policy, travel=travel, now=clock.now())
    return [RecommendationRead.model_validate(r) for r in ranked]


@router.get("/{incident_id}/dispatches", response_model=list[DispatchRead])
def get_dispatches(incident_id: IdPath, session: SessionDep) -> list[DispatchRead]:
    """Dispatches of an incident."""
    return [DispatchRead.model_validate(d) for d in dispatches_for(session, incident_id)]


@router.post(
    "/{incident_id}/dispatches", status_code=status.HTTP_201_CREATED, response_model=DispatchRead
)
def post_dispatch(
    incident_id: IdPath,
    data: DispatchCreate,
    session: SessionDep,
    clock: ClockDep,
    policy: TriagePolicyDep,
    travel: TravelDep,
) -> DispatchRead:
    """Confirm a team for an incident."""
    dispatch = assign_team(
        session,
        incident_id,
        data.team_id,
        policy=policy,
        travel=travel,
        now=clock.now(),
        assigned_by=data.assigned_by,
    )
    return DispatchRead.model_validate(dispatch)


@router.post("/{incident_id}/transitions", response_model=IncidentRead)
def post_transition(
    incident_id: IdPath, data: TransitionRequest, session: SessionDep, clock: ClockDep
) -> IncidentRead:
    """Move an incident on: en_route, on_scene, resolved, not_found or cancelled."""
    now = clock.now()
    incident = report_progress(
        session,
        incident_id,
        IncidentStatus(data.to.value),
        at=data.at or now,
        now=now,
        note=data.note,
    )
    return IncidentRead.model_validate(incident)


@router.get("/{incident_id}/encounters", response_model=list[EncounterRead])
def get_encounters(incident_id: IdPath, session: SessionDep) -> list[EncounterRead]:
    """Encounters recorded at an incident."""
    return [EncounterRead.from_encounter(e) for e in encounters_for(session, incident_id)]


@router.post(
    "/{incident_id}/encounters", status_code=status.HTTP_201_CREATED, response_model=EncounterRead
)
def post_encounter(
    incident_id: IdPath,
    data: EncounterCreate,
    session: SessionDep,
    clock: ClockDep,
    policy: TriagePolicyDep,
) -> EncounterRead:
    """Record one person met at the incident, what they got and how it ended."""
    encounter = record_encounter(session, incident_id, data, policy=policy, now=clock.now())
    return EncounterRead.from_encounter(encounter)
