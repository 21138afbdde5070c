"""Queries on incidents."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, Row, RowMapping, case, func, select
from sqlalchemy.orm import Session

from streetrelief.incidents.models import PRIORITY_RANK, Incident, IncidentStatus
from streetrelief.regions.repository import in_subtree
from streetrelief.regions.service import Scope, scope_clause


def get(session: Session, incident_id: int, *, for_update: bool = False) -> Incident | None:
    """The incident with ``incident_id``, or None."""
    return session.get(Incident, incident_id, with_for_update=for_update)


def open_in_cells(
    session: Session, cells: Sequence[str], earliest: datetime, latest: datetime
) -> Sequence[Incident]:
    """Open incidents located in ``cells`` whose reports span touches [earliest, latest]."""
    stmt = select(Incident).where(
        Incident.is_open.is_(True),
        Incident.h3_cell.in_(cells),
        Incident.last_reported_at >= earliest,
        Incident.first_reported_at <= latest,
    )
    return session.scalars(stmt).all()


def search(
    session: Session,
    *,
    region_path: str | None,
    status: IncidentStatus | None,
    is_open: bool | None,
    limit: int,
    offset: int,
    scope: Scope = None,
) -> Sequence[Incident]:
    """Incidents in a region subtree and a jurisdiction, newest first."""
    stmt = select(Incident).where(*_within(region_path, scope))
    if status is not None:
        stmt = stmt.where(Incident.status == status)
    if is_open is not None:
        stmt = stmt.where(Incident.is_open.is_(is_open))
    stmt = stmt.order_by(Incident.first_reported_at.desc(), Incident.id.desc())
    return session.scalars(stmt.limit(limit).offset(offset)).all()


MAP_COLUMNS = (
    Incident.id,
    Incident.lat,
    Incident.lon,
    Incident.region_code,
    Incident.status,
    Incident.is_open,
    Incident.priority,
    Incident.people_count,
    Incident.report_count,
    Incident.first_reported_at,
    Incident.response_target_s,
)
"""What a map marker and a queue row need: columns only, no ORM objects, so that thousands
of incidents load quickly."""


def _within(region_path: str | None, scope: Scope) -> list[ColumnElement[bool]]:
    """Conditions of incidents in a region subtree (everywhere when None) and a jurisdiction."""
    conditions = [scope_clause(Incident.region_code, scope)]
    if region_path is not None:
        conditions.append(in_subtree(Incident.region_code, region_path))
    return conditions


def map_rows(
    session: Session,
    *,
    region_path: str | None,
    is_open: bool | None,
    limit: int,
    scope: Scope = None,
) -> Sequence[RowMapping]:
    """:data:`MAP_COLUMNS` of incidents in a region subtree and a jurisdiction, newest first."""
    stmt = select(*MAP_COLUMNS).where(*_within(region_path, scope))
    if is_open is not None:
        stmt = stmt.where(Incident.is_open.is_(is_open))
    stmt = stmt.order_by(Incident.first_reported_at.desc(), Incident.id.desc())
    return session.execute(stmt.limit(limit)).mappings().all()


URGENCY = case(
    {str(priority): rank for priority, rank in PRIORITY_RANK.items()},
    value=Incident.priority,
    else_=len(PRIORITY_RANK),
)
"""Rank of an incident's priority as ``PRIORITY_RANK`` orders them, untriaged ones last."""


def queue_rows(
    session: Session, *, region_path: str | None, limit: int, scope: Scope = None
) -> Sequence[RowMapping]:
    """:data:`MAP_COLUMNS` of the ``limit`` most urgent open incidents of a region subtree and a
    jurisdiction: by priority, then waiting longest first."""
    stmt = (
        select(*MAP_COLUMNS)
        .where(Incident.is_open.is_(True), *_within(region_path, scope))
        .order_by(URGENCY, Incident.first_reported_at, Incident.id)
    )
    return session.execute(stmt.limit(limit)).mappings().all()


def open_count(session: Session, *, region_path: str | None, scope: Scope = None) -> int:
    """How many open incidents a region subtree and a jurisdiction hold."""
    stmt = select(func.count()).where(Incident.is_open.is_(True), *_within(region_path, scope))
    return session.execute(stmt).scalar_one()


def open_points(
    session: Session, *, region_path: str | None, limit: int, scope: Scope = None
) -> Sequence[Row[int, float, float, str | None, IncidentStatus]]:
    """(id, lon, lat, priority, status) of open incidents in a region subtree and a
    jurisdiction, newest first, at most ``limit``."""
    stmt = (
        select(Incident.id, Incident.lon, Incident.lat, Incident.priority, Incident.status)
        .where(Incident.is_open.is_(True), *_within(region_path, scope))
        .order_by(Incident.first_reported_at.desc(), Incident.id.desc())
    )
    return session.execute(stmt.limit(limit)).all()


def first_reported_in(
    session: Session, region_path: str, start: datetime, end: datetime
) -> Sequence[tuple[str, datetime, datetime | None, int | None, int]]:
    """(first channel, first reported, on scene, target s, reports) of incidents first
    reported in a subtree and [start, end), cancelled ones excluded."""
    stmt = select(
        Incident.first_channel,
        Incident.first_reported_at,
        Incident.on_scene_at,
        Incident.response_target_s,
        Incident.report_count,
    ).where(
        in_subtree(Incident.region_code, region_path),
        Incident.first_reported_at >= start,
        Incident.first_reported_at < end,
        Incident.status != IncidentStatus.cancelled,
    )
    return [tuple(row) for row in session.execute(stmt)]  # type: ignore[misc]


def open_unreached(session: Session, *, scope: Scope = None) -> Sequence[Incident]:
    """Open incidents with a response target that no team has reached yet, oldest first."""
    stmt = (
        select(Incident)
        .where(
            Incident.is_open.is_(True),
            Incident.on_scene_at.is_(None),
            Incident.response_target_s.is_not(None),
            scope_clause(Incident.region_code, scope),
        )
        .order_by(Incident.first_reported_at, Incident.id)
    )
    return session.scalars(stmt).all()
