"""Queries on dispatches."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from streetrelief.dispatch.models import Dispatch
from streetrelief.regions.repository import in_subtree


def active_for_incident(session: Session, incident_id: int) -> Sequence[Dispatch]:
    """Dispatches of an incident that have not cleared."""
    stmt = (
        select(Dispatch)
        .where(Dispatch.incident_id == incident_id, Dispatch.cleared_at.is_(None))
        .order_by(Dispatch.id)
    )
    return session.scalars(stmt).all()


def unacknowledged_before(session: Session, cutoff: datetime) -> Sequence[Dispatch]:
    """Uncleared dispatches assigned before ``cutoff`` that nobody acknowledged or set off on."""
    stmt = (
        select(Dispatch)
        .where(
            Dispatch.cleared_at.is_(None),
            Dispatch.acknowledged_at.is_(None),
            Dispatch.en_route_at.is_(None),
            Dispatch.assigned_at < cutoff,
        )
        .order_by(Dispatch.id)
    )
    return session.scalars(stmt).all()


def active_for_team(session: Session, team_id: int) -> Sequence[Dispatch]:
    """Dispatches of a team that have not cleared, oldest first."""
    stmt = (
        select(Dispatch)
        .where(Dispatch.team_id == team_id, Dispatch.cleared_at.is_(None))
        .order_by(Dispatch.id)
    )
    return session.scalars(stmt).all()


def teams_with_queued_job(session: Session, team_ids: Collection[int]) -> set[int]:
    """Teams among ``team_ids`` holding a next job: an uncleared dispatch not yet on scene
    while another of theirs is on scene."""
    if not team_ids:
        return set()
    on_scene = (
        select(Dispatch.team_id)
        .where(
            Dispatch.team_id.in_(list(team_ids)),
            Dispatch.cleared_at.is_(None),
            Dispatch.on_scene_at.is_not(None),
        )
        .scalar_subquery()
    )
    stmt = select(Dispatch.team_id).where(
        Dispatch.team_id.in_(on_scene),
        Dispatch.cleared_at.is_(None),
        Dispatch.on_scene_at.is_(None),
    )
    return {int(t) for t in session.scalars(stmt)}


def for_incident(session: Session, incident_id: int) -> Sequence[Dispatch]:
    """All dispatches of an incident."""
    stmt = select(Dispatch).where(Dispatch.incident_id == incident_id).order_by(Dispatch.id)
    return session.scalars(stmt).all()


def counts_since(session: Session, since: datetime) -> dict[int, int]:
    """Number of dispatches per team assigned at or after ``since`` (teams without one left
    out).

    Read for every team by the ``assigned_at`` index rather than for a list of team ids: with
    hundreds of candidates, binding the list costs more than the few extra rows.
    """
    stmt = (
        select(Dispatch.team_id, func.count())
        .where(Dispatch.assigned_at >= since)
        .group_by(Dispatch.team_id)
    )
    return {int(t): int(n) for t, n in session.execute(stmt)}


def figures(
    session: Session, region_path: str, start: datetime, end: datetime
) -> tuple[int, int, int]:
    """(dispatches, staff deployed, dispatches with a vehicle) assigned in a subtree and range."""
    stmt = select(
        func.count(),
        func.coalesce(func.sum(Dispatch.staff_count), 0),
        func.coalesce(func.sum(case((Dispatch.has_vehicle.is_(True), 1), else_=0)), 0),
    ).where(
        in_subtree(Dispatch.region_code, region_path),
        Dispatch.assigned_at >= start,
        Dispatch.assigned_at < end,
    )
    n, staff, vehicles = session.execute(stmt).one()
    return int(n), int(staff), int(vehicles)
