"""Queries on persons and encounters."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import Session, selectinload

from streetrelief.people.models import Encounter, EncounterItem, EncounterOutcome, Person
from streetrelief.regions.repository import in_any_subtree, in_subtree


def get_person(session: Session, person_id: int) -> Person | None:
    """The person with ``person_id``, or None."""
    return session.get(Person, person_id)


def for_incident(session: Session, incident_id: int) -> Sequence[Encounter]:
    """Encounters at an incident, with their items, oldest first."""
    stmt = (
        select(Encounter)
        .where(Encounter.incident_id == incident_id)
        .options(selectinload(Encounter.items), selectinload(Encounter.person))
        .order_by(Encounter.id)
    )
    return session.scalars(stmt).all()


def figures(
    session: Session, region_path: str, start: datetime, end: datetime
) -> tuple[int, int, int]:
    """(encounters, person-times assisted, items given) in a subtree and [start, end).

    A person-time counts an encounter that ended in anything but a refusal, or a refusal in
    which supplies were still handed over.
    """
    in_range = (
        in_subtree(Encounter.region_code, region_path),
        Encounter.met_at >= start,
        Encounter.met_at < end,
    )
    has_items = exists().where(EncounterItem.encounter_id == Encounter.id)
    encounters = session.scalar(select(func.count()).select_from(Encounter).where(*in_range)) or 0
    assisted = (
        session.scalar(
            select(func.count())
            .select_from(Encounter)
            .where(*in_range, or_(Encounter.outcome != EncounterOutcome.refused, has_items))
        )
        or 0
    )
    items = (
        session.scalar(
            select(func.coalesce(func.sum(EncounterItem.quantity), 0))
            .join(Encounter, EncounterItem.encounter_id == Encounter.id)
            .where(*in_range)
        )
        or 0
    )
    return int(encounters), int(assisted), int(items)


def by_idempotency_key(session: Session, key: str) -> Encounter | None:
    """The encounter recorded with the stored ``key``, with its person and items, or None."""
    stmt = (
        select(Encounter)
        .where(Encounter.idempotency_key == key)
        .options(selectinload(Encounter.person), selectinload(Encounter.items))
    )
    return session.scalars(stmt).first()


def get_encounter(session: Session, encounter_id: int) -> Encounter | None:
    """The encounter with ``encounter_id``, or None."""
    return session.get(Encounter, encounter_id)


def persons(
    session: Session, *, scope: tuple[str, ...] | None, limit: int, offset: int
) -> Sequence[Person]:
    """Persons whose region is in ``scope`` (None: all), most recently met first."""
    stmt = select(Person)
    if scope is not None:
        stmt = stmt.where(in_any_subtree(Person.region_code, scope))
    stmt = stmt.order_by(Person.last_met_at.desc(), Person.id.desc()).limit(limit).offset(offset)
    return session.scalars(stmt).all()


def for_export(
    session: Session, *, scope: tuple[str, ...] | None, start: datetime, end: datetime
) -> Sequence[Encounter]:
    """Encounters in [start, end) in ``scope`` whose person may leave this store, oldest first."""
    stmt = (
        select(Encounter)
        .join(Person, Encounter.person_id == Person.id)
        .where(Encounter.met_at >= start, Encounter.met_at < end, Person.keep_local.is_(False))
        .options(selectinload(Encounter.items), selectinload(Encounter.person))
        .order_by(Encounter.met_at, Encounter.id)
    )
    if scope is not None:
        stmt = stmt.where(in_any_subtree(Encounter.region_code, scope))
    return session.scalars(stmt).all()
