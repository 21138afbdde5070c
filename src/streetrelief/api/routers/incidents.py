"""Incidents: list, read, recommend teams, dispatch, move on, record encounters."""

from __future__ import annotations

from typing import Annotated

from anyio import to_thread
from fastapi import APIRouter, Depends, Query, Response, status

from streetrelief.access.principal import (
    Principal,
    require_in_jurisdiction,
    require_region_in_jurisdiction,
)
from streetrelief.access.roles import Permission, Role
from streetrelief.api.deps import ClockDep, IdPath, SessionDep, TravelDep, TriagePolicyDep
from streetrelief.api.security import IdempotencyKeyHeader, caller_key, require
from streetrelief.core.errors import NotFoundError, PermissionDeniedError
from streetrelief.dispatch.schemas import DispatchCreate, DispatchRead, RecommendationRead
from streetrelief.dispatch.service import (
    assign_team,
    dispatches_for,
    recommend_teams,
    report_progress,
    require_incident_for,
)
from streetrelief.dispatch.timers import acknowledge_dispatch
from streetrelief.incidents.models import IncidentStatus
from streetrelief.incidents.schemas import (
    MAP_LIMIT,
    IncidentFeatureCollection,
    IncidentFilter,
    IncidentMapFilter,
    IncidentPoints,
    IncidentPointsFilter,
    IncidentQueue,
    IncidentQueueFilter,
    IncidentRead,
    TransitionRequest,
)
from streetrelief.incidents.service import (
    incident_map,
    incident_points,
    incident_queue,
    list_incidents,
    overdue_incidents,
)
from streetrelief.people.schemas import EncounterCreate, EncounterRead
from streetrelief.people.service import (
    earlier_encounter,
    encounters_for,
    record_encounter,
    require_person,
)
from streetrelief.teams.service import require_team

router = APIRouter(prefix="/incidents", tags=["incidents"])
map_router = APIRouter(tags=["incidents"])


class GeoJSONResponse(Response):
    """A GeoJSON document (RFC 7946 media type)."""

    media_type = "application/geo+json"


ReadIncidents = Annotated[Principal, Depends(require(Permission.incidents_read))]
Dispatcher = Annotated[Principal, Depends(require(Permission.dispatch_create))]
UpdateIncidents = Annotated[Principal, Depends(require(Permission.incidents_update))]
ReadEncounters = Annotated[Principal, Depends(require(Permission.encounters_read))]
RecordEncounters = Annotated[Principal, Depends(require(Permission.encounters_create))]


@router.get("", response_model=list[IncidentRead])
def get_incidents(
    principal: ReadIncidents, session: SessionDep, query: Annotated[IncidentFilter, Query()]
) -> list[IncidentRead]:
    """Incidents in a region subtree of the caller's regions, newest first."""
    if query.region_code is not None:
        require_region_in_jurisdiction(session, principal, query.region_code)
    rows = list_incidents(
        session,
        region_code=query.region_code,
        status=query.status,
        is_open=query.is_open,
        limit=query.limit,
        offset=query.offset,
        scope=principal.scope,
    )
    return [IncidentRead.model_validate(i) for i in rows]


@router.get("/overdue", response_model=list[IncidentRead])
def get_overdue(
    principal: ReadIncidents, session: SessionDep, clock: ClockDep
) -> list[IncidentRead]:
    """Open incidents in the caller's regions past their response target that no team has
    reached yet, oldest first."""
    rows = overdue_incidents(session, now=clock.now(), scope=principal.scope)
    return [IncidentRead.model_validate(i) for i in rows]


@router.get("/queue", response_model=IncidentQueue)
def get_queue(
    principal: ReadIncidents, session: SessionDep, query: Annotated[IncidentQueueFilter, Query()]
) -> IncidentQueue:
    """The most urgent open incidents of a region subtree of the caller's regions (by priority,
    untriaged last, then waiting longest first), at most ``limit``, and how many are open: the
    console's queue."""
    if query.region_code is not None:
        require_region_in_jurisdiction(session, principal, query.region_code)
    return incident_queue(
        session, region_code=query.region_code, limit=query.limit, scope=principal.scope
    )


@router.get("/points", response_model=IncidentPoints)
def get_points(
    principal: ReadIncidents, session: SessionDep, query: Annotated[IncidentPointsFilter, Query()]
) -> Response:
    """Open incidents of a region subtree of the caller's regions as compact points
    ``[id, lon, lat, priority, status]``, newest first (at most 20,000): what the console's map
    draws."""
    if query.region_code is not None:
        require_region_in_jurisdiction(session, principal, query.region_code)
    body = incident_points(
        session, region_code=query.region_code, limit=MAP_LIMIT, scope=principal.scope
    )
    return Response(body, media_type="application/json")


@map_router.get(
    "/incidents.geojson",
    response_model=IncidentFeatureCollection,
    response_class=GeoJSONResponse,
)
def get_incidents_geojson(
    principal: ReadIncidents, session: SessionDep, query: Annotated[IncidentMapFilter, Query()]
) -> GeoJSONResponse:
    """Incidents of a region subtree of the caller's regions as GeoJSON points, open ones by
    default, newest first (at most 20,000), with what a map marker and a queue row show: for
    GIS tools and other clients (the console reads the lighter ``/incidents/queue`` and
    ``/incidents/points``)."""
    if query.region_code is not None:
        require_region_in_jurisdiction(session, principal, query.region_code)
    return GeoJSONResponse(
        incident_map(
            session,
            region_code=query.region_code,
            is_open=query.is_open,
            limit=MAP_LIMIT,
            scope=principal.scope,
        )
    )


@router.get("/{incident_id}", response_model=IncidentRead)
def get_incident(
    incident_id: IdPath, principal: ReadIncidents, session: SessionDep
) -> IncidentRead:
    """One incident with its triage outcome and timestamps."""
    return IncidentRead.model_validate(require_incident_for(session, incident_id, by=principal))


@router.get("/{incident_id}/recommendations", response_model=list[RecommendationRead])
async def get_recommendations(
    incident_id: IdPath,
    principal: Dispatcher,
    session: SessionDep,
    clock: ClockDep,
    policy: TriagePolicyDep,
    travel: TravelDep,
    limit: Annotated[int, Query(ge=1, le=500, description="How many teams to return.")] = 10,
) -> list[RecommendationRead]:
    """Assignable teams the caller may send (its regions and grants), ranked by capability
    match, shift, position freshness and time to reach (a team finishing a job nearby counts
    from when it will be free), with reasons; the best ``limit``."""

    # The reads run in the thread pool as a sync route's would; the route itself is async so
    # that FastAPI checks the answer on the event loop instead of with one more hop there.
    def recommend() -> list[RecommendationRead]:
        incident = require_incident_for(session, incident_id, by=principal)
        ranked = recommend_teams(
            session,
            incident,
            policy=policy,
            travel=travel,
            now=clock.now(),
            scope=principal.scope,
            limit=limit,
        )
        return [RecommendationRead.model_validate(r) for r in ranked]

    return await to_thread.run_sync(recommend)


@router.get("/{incident_id}/dispatches", response_model=list[DispatchRead])
def get_dispatches(
    incident_id: IdPath, principal: ReadIncidents, session: SessionDep
) -> list[DispatchRead]:
    """Dispatches of an incident."""
    require_incident_for(session, incident_id, by=principal)
    return [DispatchRead.model_validate(d) for d in dispatches_for(session, incident_id)]


@router.post(
    "/{incident_id}/dispatches", status_code=status.HTTP_201_CREATED, response_model=DispatchRead
)
def post_dispatch(
    incident_id: IdPath,
    data: DispatchCreate,
    principal: Dispatcher,
    session: SessionDep,
    clock: ClockDep,
    policy: TriagePolicyDep,
    travel: TravelDep,
) -> DispatchRead:
    """Confirm a team for an incident (a team of the caller's regions or granted ones)."""
    require_incident_for(session, incident_id, by=principal)
    team = require_team(session, data.team_id)
    require_in_jurisdiction(session, principal, team.region_code, f"team {data.team_id}")
    dispatch = assign_team(
        session,
        incident_id,
        data.team_id,
        policy=policy,
        travel=travel,
        now=clock.now(),
        assigned_by=principal.name,
    )
    return DispatchRead.model_validate(dispatch)


@router.post("/{incident_id}/dispatches/{dispatch_id}/acknowledge", response_model=DispatchRead)
def post_acknowledge(
    incident_id: IdPath,
    dispatch_id: IdPath,
    principal: UpdateIncidents,
    session: SessionDep,
    clock: ClockDep,
) -> DispatchRead:
    """The team takes the assignment (before the policy's acknowledgement timeout)."""
    incident = require_incident_for(session, incident_id, by=principal, acting=True)
    dispatch = next((d for d in dispatches_for(session, incident.id) if d.id == dispatch_id), None)
    if dispatch is None:
        raise NotFoundError(f"no dispatch {dispatch_id} for incident {incident_id}")
    if principal.role is Role.patrol and principal.team_id != dispatch.team_id:
        raise PermissionDeniedError("this dispatch is another team's")
    return DispatchRead.model_validate(acknowledge_dispatch(session, dispatch.id, now=clock.now()))


@router.post("/{incident_id}/transitions", response_model=IncidentRead)
def post_transition(
    incident_id: IdPath,
    data: TransitionRequest,
    principal: UpdateIncidents,
    session: SessionDep,
    clock: ClockDep,
) -> IncidentRead:
    """Move an incident on: en_route, on_scene, resolved, not_found or cancelled."""
    require_incident_for(session, incident_id, by=principal, acting=True)
    now = clock.now()
    incident = report_progress(
        session,
        incident_id,
        IncidentStatus(data.to.value),
        at=data.at or now,
        now=now,
        note=data.note,
        team_id=principal.team_id if principal.role is Role.patrol else None,
    )
    return IncidentRead.model_validate(incident)


@router.get("/{incident_id}/encounters", response_model=list[EncounterRead])
def get_encounters(
    incident_id: IdPath, principal: ReadEncounters, session: SessionDep
) -> list[EncounterRead]:
    """Encounters recorded at an incident."""
    require_incident_for(session, incident_id, by=principal)
    return [EncounterRead.from_encounter(e) for e in encounters_for(session, incident_id)]


@router.post(
    "/{incident_id}/encounters", status_code=status.HTTP_201_CREATED, response_model=EncounterRead
)
def post_encounter(
    incident_id: IdPath,
    data: EncounterCreate,
    principal: RecordEncounters,
    session: SessionDep,
    clock: ClockDep,
    policy: TriagePolicyDep,
    response: Response,
    idempotency_key: IdempotencyKeyHeader = None,
) -> EncounterRead:
    """Record one person met at the incident, what they got and how it ended.

    A repeated ``Idempotency-Key`` with the same body (a phone replaying its offline queue)
    answers 200 with the encounter first recorded; with a different body, 422
    ``idempotency_key_reused``. Keys are the caller's own.
    """
    require_incident_for(session, incident_id, by=principal, acting=True)
    key = caller_key(principal, idempotency_key)
    if key is not None and (earlier := earlier_encounter(session, key, data)) is not None:
        response.status_code = status.HTTP_200_OK
        response.headers["Idempotent-Replayed"] = "true"
        return EncounterRead.from_encounter(earlier)
    if data.person_id is not None:
        require_person(session, data.person_id, by=principal)
    encounter = record_encounter(
        session, incident_id, data, policy=policy, now=clock.now(), idempotency_key=key
    )
    return EncounterRead.from_encounter(encounter)
