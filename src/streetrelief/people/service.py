"""Recording encounters: who was met at an incident, what they got, how it ended."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from streetrelief.core.clock import check_not_future
from streetrelief.core.errors import IllegalTransitionError, InvalidInputError, NotFoundError
from streetrelief.db.outbox import emit
from streetrelief.dispatch.service import dispatches_for
from streetrelief.incidents import service as incidents
from streetrelief.incidents.models import IncidentStatus
from streetrelief.people import repository
from streetrelief.people.models import Encounter, EncounterItem, Person
from streetrelief.people.schemas import EncounterCreate
from streetrelief.service_points.service import require_service_point
from streetrelief.triage.policy import TriagePolicy

RECORDABLE = frozenset({IncidentStatus.on_scene, IncidentStatus.resolved})
"""Incident statuses in which encounters can be recorded (on scene, or entered afterwards)."""


def new_temp_id() -> str:
    """A temporary ID for a person not yet identified, e.g. ``T-9F3A61C02B``."""
    return f"T-{secrets.token_hex(5).upper()}"


def record_encounter(
    session: Session,
    incident_id: int,
    data: EncounterCreate,
    *,
    policy: TriagePolicy,
    now: datetime,
) -> Encounter:
    """Record meeting one person at an incident.

    Raises:
        NotFoundError: no such incident, person or service point.
        IllegalTransitionError: no team is on scene (or done) at the incident.
        InvalidInputError: unknown measure codes, a team never sent to the incident, or a
            meeting time in the future.
    """
    incident = incidents.require_incident(session, incident_id)
    if incident.status not in RECORDABLE:
        raise IllegalTransitionError(
            f"incident {incident.id} is {incident.status}: encounters are recorded on scene",
            current=str(incident.status),
        )
    unknown = set(data.measures) - set(policy.measures)
    if unknown:
        raise InvalidInputError(f"unknown measure codes {sorted(unknown)}", field="measures")
    met_at = data.met_at or now
    check_not_future(met_at, now, "met_at")
    if data.team_id is not None and data.team_id not in {
        d.team_id for d in dispatches_for(session, incident.id)
    }:
        raise InvalidInputError(
            f"team {data.team_id} was not sent to incident {incident.id}", field="team_id"
        )
    if data.destination_service_point_id is not None:
        require_service_point(session, data.destination_service_point_id)
    if data.person_id is not None:
        person = repository.get_person(session, data.person_id)
        if person is None:
            raise NotFoundError(f"person {data.person_id} not found", person_id=data.person_id)
        person.last_met_at = max(person.last_met_at, met_at)
    elif data.person is not None:
        given = data.person
        person = Person(
            temp_id=new_temp_id(),
            region_code=incident.region_code,
            is_identified=given.name is not None,
            name=given.name,
            description=given.description,
            sex=given.sex,
            approx_age=given.approx_age,
            first_met_at=met_at,
            last_met_at=met_at,
        )
        session.add(person)
        session.flush()
    else:
        raise InvalidInputError("give person_id or person", field="person")
    encounter = Encounter(
        person=person,
        incident_id=incident.id,
        team_id=data.team_id,
        region_code=incident.region_code,
        met_at=met_at,
        lat=data.lat if data.lat is not None else incident.lat,
        lon=data.lon if data.lon is not None else incident.lon,
        categories=[str(c) for c in data.categories],
        measures=list(data.measures),
        outcome=data.outcome,
        destination_service_point_id=data.destination_service_point_id,
        notes=data.notes,
        items=[EncounterItem(item=i.item, quantity=i.quantity) for i in data.items],
    )
    session.add(encounter)
    session.flush()
    emit(
        session,
        type_="encounter.recorded",
        subject="incident",
        subject_id=incident.id,
        at=now,
        region_code=incident.region_code,
        payload={
            "encounter_id": encounter.id,
            "person_temp_id": person.temp_id,
            "outcome": data.outcome,
            "items": sum(i.quantity for i in data.items),
        },
    )
    return encounter


def encounters_for(session: Session, incident_id: int) -> Sequence[Encounter]:
    """Encounters recorded at an incident.

    Raises:
        NotFoundError: no such incident.
    """
    incidents.require_incident(session, incident_id)
    return repository.for_incident(session, incident_id)


def encounter_figures(
    session: Session, region_path: str, start: datetime, end: datetime
) -> tuple[int, int, int]:
    """(encounters, person-times assisted, items distributed) in a subtree and [start, end)."""
    return repository.figures(session, region_path, start, end)
