"""Queries on persons and encounters."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import Session, selectinload

from streetrelief.people.models import Encounter, EncounterItem, EncounterOutcome, Person
from streetrelief.regions.repository import in_subtree


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
