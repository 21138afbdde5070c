"""Masking of personal data by role, retention policies and the purge that enforces them.

Masking: a person's name, ID number, contact, health notes and photo are shown only to roles
with ``persons.read_sensitive``; for a minor, only to roles that also hold
``persons.read_minor`` (PIPL art. 28, 31). Lists, exports, statistics and event streams never
carry them.

Retention: a person's identifying data is removed once their last contact is older than the
region's retention period (PIPL art. 19 and 47: the shortest period needed, then delete or
anonymise; HUD HMIS privacy standard, 2004, §4.2.5). The purge de-identifies rather than
deletes, so encounters, items and outcomes — and every statistic built on them — stay as they
were: names, ID numbers, contacts, health notes, photos, descriptions and encounter and revisit
notes go; encounter and revisit places are coarsened to the centre of their H3 resolution-7
cell (about 5 km², so a sleeping place can no longer be found); reporters' contacts on old
reports go too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import h3
from sqlalchemy import Table, select, update
from sqlalchemy.orm import Session

from streetrelief.access.principal import Principal
from streetrelief.access.roles import Permission
from streetrelief.db.base import Base
from streetrelief.intake.models import Report
from streetrelief.people.models import Encounter, Person
from streetrelief.people.schemas import SENSITIVE_FIELDS, PersonRead
from streetrelief.privacy.models import RetentionPolicy
from streetrelief.regions.models import Region
from streetrelief.regions.service import require_region
from streetrelief.revisits import repository as revisits
from streetrelief.revisits.models import Revisit

COARSE_H3_RESOLUTION = 7
"""H3 resolution that de-identified encounter places are snapped to (mean cell 5.16 km²,
Uber H3 resolution table)."""


def can_see_details(person: Person, principal: Principal) -> bool:
    """Whether ``principal`` may see ``person``'s sensitive details."""
    if not principal.can(Permission.persons_read_sensitive):
        return False
    return not person.is_minor or principal.can(Permission.persons_read_minor)


def person_view(person: Person, principal: Principal, *, detailed: bool = True) -> PersonRead:
    """``person`` as ``principal`` may see it: sensitive fields nulled and named when masked.

    ``detailed=False`` (lists) masks them for every role.
    """
    shown = detailed and can_see_details(person, principal)
    masked = [] if shown else [*SENSITIVE_FIELDS, "photo"]
    return PersonRead(
        id=person.id,
        temp_id=person.temp_id,
        region_code=person.region_code,
        is_identified=person.is_identified,
        name=person.name if shown else None,
        id_number=person.id_number if shown else None,
        phone=person.phone if shown else None,
        health_notes=person.health_notes if shown else None,
        has_photo=person.photo_type is not None,
        description=person.description,
        sex=person.sex,
        approx_age=person.approx_age,
        is_minor=person.is_minor,
        keep_local=person.keep_local,
        first_met_at=person.first_met_at,
        last_met_at=person.last_met_at,
        deidentified_at=person.deidentified_at,
        masked=masked,
    )


# ---- retention -----------------------------------------------------------------------------


def set_retention(
    session: Session, region_code: str, days: int, *, by: Principal, now: datetime
) -> RetentionPolicy:
    """Set how many days ``region_code``'s subtree keeps identifying data after last contact.

    Raises:
        UnknownRegionError: unknown region.
        OutOfJurisdictionError: a region outside the caller's.
    """
    by.require_covers(require_region(session, region_code), f"region {region_code!r}")
    policy = session.get(RetentionPolicy, region_code)
    if policy is None:
        policy = RetentionPolicy(
            region_code=region_code, retention_days=days, set_by=by.name, set_at=now
        )
        session.add(policy)
    else:
        policy.retention_days, policy.set_by, policy.set_at = days, by.name, now
    session.flush()
    return policy


def retention_days_for(session: Session, codes: Sequence[str], default_days: int) -> dict[str, int]:
    """Each region's retention period, days: the nearest policy up its tree, else the default."""
    policies = {p.region_code: p.retention_days for p in session.scalars(select(RetentionPolicy))}
    rows = session.execute(select(Region.code, Region.path).where(Region.code.in_(codes)))
    paths = dict(rows.all())
    days: dict[str, int] = {}
    for code in codes:
        chain = [c for c in paths.get(code, f"{code}/").split("/") if c]
        days[code] = next((policies[c] for c in reversed(chain) if c in policies), default_days)
    return days


@dataclass
class PurgeReport:
    """What a purge removed (or, in a dry run, would remove)."""

    cutoff_days: dict[str, int] = field(default_factory=dict)
    persons: list[tuple[int, str, str, datetime]] = field(default_factory=list)
    """(id, temp id, region code, last contact) of each person de-identified."""
    encounters: int = 0
    reports: int = 0
    dry_run: bool = True


def purge(session: Session, *, now: datetime, default_days: int, dry_run: bool) -> PurgeReport:
    """De-identify persons whose last contact is older than their region's retention period.

    Safe to run twice: a de-identified person is never touched again.
    """
    report = PurgeReport(dry_run=dry_run)
    # Only persons older than the shortest period in force can go: the rest are not read (nor
    # their fields decrypted).
    shortest = min([default_days, *session.scalars(select(RetentionPolicy.retention_days))])
    candidates = session.scalars(
        select(Person)
        .where(
            Person.deidentified_at.is_(None),
            Person.last_met_at < now - timedelta(days=shortest),
        )
        .order_by(Person.id)
    ).all()
    days = retention_days_for(session, sorted({p.region_code for p in candidates}), default_days)
    report.cutoff_days = days
    old = [p for p in candidates if p.last_met_at < now - timedelta(days=days[p.region_code])]
    report.persons = [(p.id, p.temp_id, p.region_code, p.last_met_at) for p in old]
    old_ids = [p.id for p in old]
    encounters = (
        session.scalars(
            select(Encounter).where(Encounter.person_id.in_(old_ids)).order_by(Encounter.id)
        ).all()
        if old_ids
        else []
    )
    report.encounters = len(encounters)
    places = revisits.of_persons(session, old_ids) if old_ids else []
    contacts = list(
        session.execute(
            select(Report.id, Report.region_code, Report.received_at).where(
                Report.reporter_contact.is_not(None)
            )
        )
    )
    report_days = retention_days_for(session, sorted({c[1] for c in contacts}), default_days)
    stale_reports = [
        report_id
        for report_id, code, received_at in contacts
        if received_at < now - timedelta(days=report_days[code])
    ]
    report.reports = len(stale_reports)
    if dry_run:
        return report
    for person in old:
        for name in (*SENSITIVE_FIELDS, "photo", "photo_type"):
            setattr(person, name, None)
        person.description = ""
        person.is_identified = False
        person.deidentified_at = now
    for encounter in encounters:
        encounter.notes = None
        encounter.lat, encounter.lon = _coarse(encounter.lat, encounter.lon)
    for revisit in places:
        revisit.note = None
        revisit.lat, revisit.lon = _coarse(revisit.lat, revisit.lon)
    if stale_reports:
        session.execute(
            update(Report).where(Report.id.in_(stale_reports)).values(reporter_contact=None)
        )
    session.flush()
    return report


def _coarse(lat: float, lon: float) -> tuple[float, float]:
    """The centre of the H3 cell at ``COARSE_H3_RESOLUTION`` holding (lat, lon), WGS-84."""
    centre: tuple[float, float] = h3.cell_to_latlng(
        h3.latlng_to_cell(lat, lon, COARSE_H3_RESOLUTION)
    )
    return centre


def sa_table(model: type[Base]) -> Table:
    """The table of an ORM model."""
    table = model.__table__
    assert isinstance(table, Table)  # noqa: S101 - declarative models map tables
    return table


def rotate_keys(session: Session) -> int:
    """Re-encrypt every encrypted value with the first data key; returns values rewritten.

    Run after putting a new key first in the key setting; the old key can be removed once
    this has finished.
    """
    from streetrelief.access.models import Partner  # noqa: PLC0415 - access imports privacy

    count = 0
    targets = (
        (Person, ("name", "id_number", "phone", "health_notes", "photo")),
        (Encounter, ("notes",)),
        (Revisit, ("note",)),
        (Report, ("reporter_contact",)),
        (Partner, ("signing_secret",)),
    )
    for model, columns in targets:
        table = sa_table(model)
        for column in columns:
            col = table.c[column]
            rows = session.execute(select(table.c.id, col).where(col.is_not(None)))
            # Read through the column type (decrypts with any key), written back through it
            # (encrypts with the first key).
            for row_id, clear in list(rows):
                session.execute(table.update().where(table.c.id == row_id).values({column: clear}))
                count += 1
    session.flush()
    return count
