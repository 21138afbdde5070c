"""Person records: read (audited, masked by role), identify, photo, notice; exports.

Every read of a person record and every export is written to the audit log in the same
transaction as the answer; the routes say so in the API docs (``x-audited-read``).
"""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Body, Depends, Header, Query, Request, Response
from pydantic import AwareDatetime

from streetrelief.access.principal import Principal
from streetrelief.access.roles import Permission
from streetrelief.api.deps import AUDITED_READ, ClockDep, IdPath, SessionDep
from streetrelief.api.security import origin, require
from streetrelief.audit import service as audit
from streetrelief.core.errors import InvalidInputError, PermissionDeniedError
from streetrelief.people import service as people
from streetrelief.people.schemas import EncounterRead, NoticeCreate, PersonRead, PersonUpdate
from streetrelief.privacy.service import can_see_details, person_view

router = APIRouter(tags=["persons"])

ReadPersons = Annotated[Principal, Depends(require(Permission.persons_read))]
UpdatePersons = Annotated[Principal, Depends(require(Permission.persons_update))]
RecordEncounters = Annotated[Principal, Depends(require(Permission.encounters_create))]
Exporter = Annotated[Principal, Depends(require(Permission.persons_export))]

MAX_EXPORT_SPAN = timedelta(days=366)
EXPORT_COLUMNS = (
    "encounter_id",
    "met_at",
    "region_code",
    "person_temp_id",
    "categories",
    "measures",
    "items",
    "outcome",
    "legal_basis",
)
"""Columns of the encounter export: what statistics and partners need, no identity or place."""


@router.get("/persons", response_model=list[PersonRead], openapi_extra=AUDITED_READ)
def get_persons(
    request: Request,
    principal: ReadPersons,
    session: SessionDep,
    clock: ClockDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[PersonRead]:
    """Persons met in the caller's regions, most recent first; sensitive fields are masked in
    lists for every role (open one record to see them)."""
    rows = people.list_persons(session, by=principal, limit=limit, offset=offset)
    audit.record(
        session,
        principal,
        action="read",
        resource="persons",
        region_code=principal.region_code,
        at=clock.now(),
        origin=origin(request),
        detail={"count": len(rows), "offset": offset},
    )
    return [person_view(p, principal, detailed=False) for p in rows]


@router.get("/persons/{person_id}", response_model=PersonRead, openapi_extra=AUDITED_READ)
def get_person(
    person_id: IdPath,
    request: Request,
    principal: ReadPersons,
    session: SessionDep,
    clock: ClockDep,
) -> PersonRead:
    """One person record; sensitive fields only for roles that need them (fewer for minors)."""
    person = people.require_person(session, person_id, by=principal)
    view = person_view(person, principal)
    audit.record(
        session,
        principal,
        action="read",
        resource="persons",
        resource_id=person.id,
        region_code=person.region_code,
        at=clock.now(),
        origin=origin(request),
        detail={"masked": bool(view.masked), "minor": person.is_minor},
    )
    return view


@router.patch("/persons/{person_id}", response_model=PersonRead)
def patch_person(
    person_id: IdPath, data: PersonUpdate, principal: UpdatePersons, session: SessionDep
) -> PersonRead:
    """Record what was learnt about a person (identification); the change is audited."""
    person = people.require_person(session, person_id, by=principal)
    if not can_see_details(person, principal):
        raise PermissionDeniedError("your role may not change this person's details")
    person, _changed = people.update_person(session, person_id, data, by=principal)
    return person_view(person, principal)


@router.put("/persons/{person_id}/photo", status_code=204)
def put_photo(
    person_id: IdPath,
    principal: UpdatePersons,
    session: SessionDep,
    photo: Annotated[bytes, Body(media_type="image/jpeg")],
    content_type: Annotated[str, Header()] = "",
) -> None:
    """Keep a photo of the person (JPEG, PNG or WebP, up to 2 MiB), encrypted at rest."""
    person = people.require_person(session, person_id, by=principal)
    if not can_see_details(person, principal):
        raise PermissionDeniedError("your role may not change this person's details")
    people.set_photo(session, person_id, photo, content_type.split(";")[0].strip(), by=principal)


@router.get("/persons/{person_id}/photo", openapi_extra=AUDITED_READ)
def get_photo(
    person_id: IdPath,
    request: Request,
    principal: ReadPersons,
    session: SessionDep,
    clock: ClockDep,
) -> Response:
    """The person's photo, for roles that may see sensitive details."""
    person = people.require_person(session, person_id, by=principal)
    if not can_see_details(person, principal):
        raise PermissionDeniedError("your role may not see this person's photo")
    if person.photo is None or person.photo_type is None:
        raise InvalidInputError(f"person {person_id} has no photo")
    audit.record(
        session,
        principal,
        action="read",
        resource="persons",
        resource_id=person.id,
        region_code=person.region_code,
        at=clock.now(),
        origin=origin(request),
        detail={"photo": True},
    )
    return Response(
        person.photo, media_type=person.photo_type, headers={"Cache-Control": "no-store"}
    )


@router.post("/encounters/{encounter_id}/notice", response_model=EncounterRead)
def post_notice(
    encounter_id: IdPath,
    data: NoticeCreate,
    principal: RecordEncounters,
    session: SessionDep,
    clock: ClockDep,
) -> EncounterRead:
    """Record that the person was told, after the emergency, how their data is used."""
    now = clock.now()
    encounter = people.record_notice(
        session, encounter_id, at=data.given_at or now, now=now, by=principal
    )
    session.refresh(encounter, ["person", "items"])
    return EncounterRead.from_encounter(encounter)


@router.get("/exports/encounters.csv", openapi_extra=AUDITED_READ)
def export_encounters(
    request: Request,
    principal: Exporter,
    session: SessionDep,
    clock: ClockDep,
    start: Annotated[AwareDatetime, Query(description="From (inclusive).")],
    end: Annotated[AwareDatetime, Query(description="Until (exclusive).")],
) -> Response:
    """Encounters of the caller's regions as CSV, for statistics and partners: temporary ids,
    categories, measures, items and outcomes; no names, contacts, health or places, and no
    record marked to stay local."""
    if end <= start or end - start > MAX_EXPORT_SPAN:
        raise InvalidInputError("give start < end, at most 366 days apart", field="end")
    rows = people.encounters_for_export(session, by=principal, start=start, end=end)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(EXPORT_COLUMNS)
    for e in rows:
        writer.writerow(
            (
                e.id,
                _iso(e.met_at),
                e.region_code,
                e.person.temp_id,
                ";".join(e.categories),
                ";".join(e.measures),
                ";".join(f"{i.item}:{i.quantity}" for i in e.items),
                e.outcome,
                e.legal_basis,
            )
        )
    audit.record(
        session,
        principal,
        action="export",
        resource="encounters",
        region_code=principal.region_code,
        at=clock.now(),
        origin=origin(request),
        detail={"rows": len(rows), "start": _iso(start), "end": _iso(end)},
    )
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8")


def _iso(at: datetime) -> str:
    return at.isoformat().replace("+00:00", "Z")
