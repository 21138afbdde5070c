"""Recording encounters: who was met at an incident, what they got, how it ended."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from streetrelief.access.principal import Principal, require_in_jurisdiction
from streetrelief.config import get_settings
from streetrelief.core.clock import check_not_future
from streetrelief.core.errors import (
    IdempotencyKeyReusedError,
    IllegalTransitionError,
    InvalidInputError,
    NotFoundError,
)
from streetrelief.core.idempotency import request_hash
from streetrelief.db.outbox import emit, serialize_writers
from streetrelief.dispatch.service import dispatches_for
from streetrelief.incidents import service as incidents
from streetrelief.incidents.models import IncidentStatus
from streetrelief.people import repository
from streetrelief.people.models import (
    Encounter,
    EncounterItem,
    EncounterOutcome,
    Person,
    PersonCategory,
)
from streetrelief.people.schemas import EncounterCreate, PersonUpdate
from streetrelief.revisits.service import on_encounter
from streetrelief.service_points.holds import admit, admit_hold, hold_point_id
from streetrelief.service_points.schemas import AdmitRequest
from streetrelief.service_points.service import require_service_point
from streetrelief.supplies.catalogue import require_item
from streetrelief.supplies.service import issue_at_encounter
from streetrelief.triage.policy import TriagePolicy

RECORDABLE = frozenset({IncidentStatus.on_scene, IncidentStatus.resolved})
"""Incident statuses in which encounters can be recorded (on scene, or entered afterwards)."""


def new_temp_id() -> str:
    """A temporary ID for a person not yet identified, e.g. ``T-9F3A61C02B``."""
    return f"T-{secrets.token_hex(5).upper()}"


def earlier_encounter(
    session: Session, idempotency_key: str, data: EncounterCreate
) -> Encounter | None:
    """The encounter already recorded with ``idempotency_key`` (loaded with its person and
    items), or None; call before :func:`record_encounter` with the same key.

    Raises:
        IdempotencyKeyReusedError: the key was used before with another body.
    """
    serialize_writers(session)  # two replays of one key must not both record
    earlier = repository.by_idempotency_key(session, idempotency_key)
    if earlier is not None and earlier.request_hash != request_hash(data):
        raise IdempotencyKeyReusedError(
            "this Idempotency-Key was used before with a different body", encounter_id=earlier.id
        )
    return earlier


def _require_known_codes(data: EncounterCreate, policy: TriagePolicy) -> None:
    """Measures must be the triage policy's and items the supplies catalogue's (the ledger and
    the statistics count them by code)."""
    unknown = set(data.measures) - set(policy.measures)
    if unknown:
        raise InvalidInputError(f"unknown measure codes {sorted(unknown)}", field="measures")
    for given in data.items:
        require_item(given.item)


def record_encounter(
    session: Session,
    incident_id: int,
    data: EncounterCreate,
    *,
    policy: TriagePolicy,
    now: datetime,
    idempotency_key: str | None = None,
) -> Encounter:
    """Record meeting one person at an incident.

    The items given come out of the team's stock through the supplies ledger (one ``issue``
    movement each, linked to the encounter) once the team's stock is kept there. An admission
    to a station fills a place at the destination: the person's hold (``hold_id``) if one was
    kept, else a free place. The encounter completes the revisits it makes, and a refusal
    starts a new one (``revisits.service``).

    Args:
        idempotency_key: the caller's stored key (see :func:`earlier_encounter`), kept with
            a digest of ``data``.

    Raises:
        NotFoundError: no such incident, person, service point or hold.
        IllegalTransitionError: no team is on scene (or done) at the incident.
        InvalidInputError: unknown measure codes, a team never sent to the incident, a meeting
            time in the future, a hold of another point, or an item not in the catalogue.
        InsufficientStockError: the team carries fewer items than given.
        NoFreePlaceError: the destination has no free place (and no hold).
        HoldClosedError: the hold expired or was used.
    """
    incident = incidents.require_incident(session, incident_id)
    if incident.status not in RECORDABLE:
        raise IllegalTransitionError(
            f"incident {incident.id} is {incident.status}: encounters are recorded on scene",
            current=str(incident.status),
        )
    _require_known_codes(data, policy)
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
        if person.deidentified_at is not None:
            raise InvalidInputError(
                f"person {person.id}'s record was de-identified; record them as met first time",
                field="person_id",
            )
        person.last_met_at = max(person.last_met_at, met_at)
    elif data.person is not None:
        given = data.person
        person = Person(
            temp_id=new_temp_id(),
            region_code=incident.region_code,
            is_identified=given.name is not None or given.id_number is not None,
            name=given.name,
            id_number=given.id_number,
            phone=given.phone,
            health_notes=given.health_notes,
            description=given.description,
            sex=given.sex,
            approx_age=given.approx_age,
            is_minor=False,
            keep_local=given.keep_local,
            first_met_at=met_at,
            last_met_at=met_at,
        )
        session.add(person)
        session.flush()
    else:
        raise InvalidInputError("give person_id or person", field="person")
    if PersonCategory.minor in data.categories or (
        person.approx_age is not None and person.approx_age < get_settings().minor_age
    ):
        person.is_minor = True
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
        legal_basis=data.legal_basis,
        consent_given=data.consent_given,
        items=[EncounterItem(item=i.item, quantity=i.quantity) for i in data.items],
        idempotency_key=idempotency_key,
        request_hash=request_hash(data) if idempotency_key is not None else None,
    )
    session.add(encounter)
    session.flush()
    if data.team_id is not None and data.items:
        issue_at_encounter(
            session,
            data.team_id,
            encounter.id,
            [(i.item, i.quantity) for i in data.items],
            now=now,
        )
    if (
        data.outcome == EncounterOutcome.admitted_to_station
        and data.destination_service_point_id is not None
    ):
        _admit(session, data, data.destination_service_point_id, now=now)
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
    on_encounter(session, encounter, person, now=now)
    return encounter


def _admit(session: Session, data: EncounterCreate, point_id: int, *, now: datetime) -> None:
    if data.hold_id is None:
        admit(session, point_id, AdmitRequest(places=1), by="encounter", now=now)
        return
    if hold_point_id(session, data.hold_id) != point_id:
        raise InvalidInputError(
            f"hold {data.hold_id} was not kept at service point {point_id}", field="hold_id"
        )
    admit_hold(session, data.hold_id, now=now)


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


PHOTO_TYPES = frozenset({"image/jpeg", "image/png", "image/webp"})
MAX_PHOTO_BYTES = 2 * 1024 * 1024
"""Largest photo kept, bytes: enough to recognise someone, small enough to keep encrypted."""


def require_person(session: Session, person_id: int, *, by: Principal) -> Person:
    """A person in the caller's regions.

    Raises:
        NotFoundError: no such person, or (audited) one outside the caller's regions.
    """
    person = repository.get_person(session, person_id)
    if person is None:
        raise NotFoundError(f"person {person_id} not found")
    require_in_jurisdiction(session, by, person.region_code, f"person {person_id}")
    return person


def list_persons(
    session: Session, *, by: Principal, limit: int = 100, offset: int = 0
) -> Sequence[Person]:
    """Persons in the caller's regions, most recently met first."""
    return repository.persons(session, scope=by.scope, limit=limit, offset=offset)


def update_person(
    session: Session, person_id: int, data: PersonUpdate, *, by: Principal
) -> tuple[Person, list[str]]:
    """Change a person's details; returns the person and the names of the fields changed.

    Raises:
        NotFoundError: no such person in the caller's regions.
        InvalidInputError: the record was de-identified (its identity cannot come back).
    """
    person = require_person(session, person_id, by=by)
    if person.deidentified_at is not None:
        raise InvalidInputError(f"person {person_id}'s record was de-identified")
    changes = data.model_dump(exclude_unset=True)
    for field, value in changes.items():
        setattr(person, field, value)
    if person.name is not None or person.id_number is not None:
        person.is_identified = True
    if person.approx_age is not None and person.approx_age < get_settings().minor_age:
        person.is_minor = True
    session.flush()
    return person, sorted(changes)


def set_photo(
    session: Session, person_id: int, photo: bytes, content_type: str, *, by: Principal
) -> Person:
    """Keep a photo of the person (encrypted at rest).

    Raises:
        NotFoundError: no such person in the caller's regions.
        InvalidInputError: not a JPEG, PNG or WebP image, empty, or over 2 MiB.
    """
    person = require_person(session, person_id, by=by)
    if content_type not in PHOTO_TYPES:
        raise InvalidInputError(
            f"a photo must be one of {sorted(PHOTO_TYPES)}, not {content_type!r}",
            field="content-type",
        )
    if not photo or len(photo) > MAX_PHOTO_BYTES:
        raise InvalidInputError(f"a photo must hold 1 to {MAX_PHOTO_BYTES} bytes", field="body")
    person.photo = photo
    person.photo_type = content_type
    session.flush()
    return person


def record_notice(
    session: Session, encounter_id: int, *, at: datetime, now: datetime, by: Principal
) -> Encounter:
    """Record that the person was told, after the emergency, how their data is used.

    Raises:
        NotFoundError: no such encounter in the caller's regions.
        InvalidInputError: a time in the future or before the encounter.
    """
    encounter = repository.get_encounter(session, encounter_id)
    if encounter is None:
        raise NotFoundError(f"encounter {encounter_id} not found")
    require_in_jurisdiction(session, by, encounter.region_code, f"encounter {encounter_id}")
    check_not_future(at, now, "given_at")
    if at < encounter.met_at:
        raise InvalidInputError("notice cannot come before the encounter", field="given_at")
    encounter.notice_given_at = at
    session.flush()
    return encounter


def encounters_for_export(
    session: Session, *, by: Principal, start: datetime, end: datetime
) -> Sequence[Encounter]:
    """Encounters met in [start, end) in the caller's regions, without records kept local."""
    return repository.for_export(session, scope=by.scope, start=start, end=end)
