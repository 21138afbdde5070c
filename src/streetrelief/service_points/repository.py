"""Queries on service points."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from streetrelief.regions.repository import in_subtree
from streetrelief.regions.service import Scope, scope_clause
from streetrelief.service_points.models import (
    CapacityOverflow,
    HoldStatus,
    ReferralHold,
    ServicePoint,
    ServicePointKind,
)


def get(session: Session, point_id: int) -> ServicePoint | None:
    """The service point with ``point_id``, or None."""
    return session.get(ServicePoint, point_id)


def by_code(session: Session, code: str) -> ServicePoint | None:
    """The service point with ``code``, or None."""
    return session.scalars(select(ServicePoint).where(ServicePoint.code == code)).first()


def by_ids(session: Session, point_ids: Collection[int]) -> Sequence[ServicePoint]:
    """The service points with ``point_ids``, by id."""
    if not point_ids:
        return []
    stmt = select(ServicePoint).where(ServicePoint.id.in_(point_ids))
    return session.scalars(stmt.order_by(ServicePoint.id)).all()


def in_region(
    session: Session,
    region_path: str | None,
    *,
    kind: ServicePointKind | None = None,
    scope: Scope = None,
) -> Sequence[ServicePoint]:
    """Service points in a subtree (all when None) and a jurisdiction, by code."""
    stmt = select(ServicePoint).where(scope_clause(ServicePoint.region_code, scope))
    if region_path is not None:
        stmt = stmt.where(in_subtree(ServicePoint.region_code, region_path))
    if kind is not None:
        stmt = stmt.where(ServicePoint.kind == kind)
    return session.scalars(stmt.order_by(ServicePoint.code)).all()


def count_active_by(session: Session, region_path: str, at: datetime) -> int:
    """Active service points (warehouses left out) in a subtree that existed at ``at``."""
    stmt = (
        select(func.count())
        .select_from(ServicePoint)
        .where(
            in_subtree(ServicePoint.region_code, region_path),
            ServicePoint.is_active.is_(True),
            ServicePoint.kind != ServicePointKind.warehouse,
            ServicePoint.created_at < at,
        )
    )
    return int(session.scalar(stmt) or 0)


def overflow_places(session: Session, point_id: int) -> int:
    """Places of a point's overflows not yet cleared."""
    stmt = select(func.coalesce(func.sum(CapacityOverflow.places), 0)).where(
        CapacityOverflow.service_point_id == point_id, CapacityOverflow.cleared_at.is_(None)
    )
    return int(session.scalar(stmt) or 0)


def clear_overflows(session: Session, point_id: int, *, now: datetime) -> None:
    """Mark a point's open overflows cleared (it is back within capacity)."""
    session.execute(
        update(CapacityOverflow)
        .where(CapacityOverflow.service_point_id == point_id, CapacityOverflow.cleared_at.is_(None))
        .values(cleared_at=now)
    )


def take_places(
    session: Session, point_id: int, *, hold: int = 0, admit: int = 0, within_capacity: bool
) -> bool:
    """Add ``hold`` held places and ``admit`` occupied ones to a point in one conditional
    UPDATE; with ``within_capacity`` only if occupancy + held stays within capacity.

    Returns:
        Whether the row changed (False: no room). The database decides, so two transactions
        racing for the last place cannot both win (PostgreSQL re-checks the condition on the
        locked row; SQLite writers are serialised by BEGIN IMMEDIATE).
    """
    stmt = update(ServicePoint).where(ServicePoint.id == point_id)
    if within_capacity:
        stmt = stmt.where(
            ServicePoint.occupancy + ServicePoint.held + hold + admit <= ServicePoint.capacity
        )
    result = session.execute(
        stmt.values(
            held=ServicePoint.held + hold, occupancy=ServicePoint.occupancy + admit
        ).execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def move_held_places(session: Session, point_id: int, places: int, *, admit: bool) -> None:
    """Give back ``places`` held places, into occupancy when ``admit``."""
    session.execute(
        update(ServicePoint)
        .where(ServicePoint.id == point_id)
        .values(
            held=ServicePoint.held - places,
            occupancy=ServicePoint.occupancy + (places if admit else 0),
        )
        .execution_options(synchronize_session=False)
    )


def close_hold(
    session: Session, hold_id: int, status: HoldStatus, *, now: datetime, unexpired: bool
) -> bool:
    """Move a hold from ``held`` to ``status`` in one conditional UPDATE; with ``unexpired``
    only if it has not expired by ``now``. Returns whether this call closed it."""
    stmt = update(ReferralHold).where(
        ReferralHold.id == hold_id, ReferralHold.status == HoldStatus.held
    )
    if unexpired:
        stmt = stmt.where(ReferralHold.expires_at > now)
    result = session.execute(
        stmt.values(status=status, closed_at=now).execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def due_holds(
    session: Session, now: datetime, point_id: int | None = None
) -> Sequence[ReferralHold]:
    """Holds still ``held`` whose time is up, of one point or all."""
    stmt = select(ReferralHold).where(
        ReferralHold.status == HoldStatus.held, ReferralHold.expires_at <= now
    )
    if point_id is not None:
        stmt = stmt.where(ReferralHold.service_point_id == point_id)
    return session.scalars(stmt.order_by(ReferralHold.id)).all()


def get_hold(session: Session, hold_id: int) -> ReferralHold | None:
    """The hold with ``hold_id``, or None."""
    return session.get(ReferralHold, hold_id)


def holds_of(session: Session, point_id: int) -> Sequence[ReferralHold]:
    """A point's holds, newest first."""
    stmt = select(ReferralHold).where(ReferralHold.service_point_id == point_id)
    return session.scalars(stmt.order_by(ReferralHold.id.desc())).all()


def index_key(session: Session) -> tuple[int, int]:
    """(number of points, sum of their ``revision``): what the nearest index is rebuilt on."""
    count, total = session.execute(
        select(func.count(ServicePoint.id), func.sum(ServicePoint.revision))
    ).one()
    return int(count), int(total or 0)


def all_points(session: Session) -> Sequence[ServicePoint]:
    """Every service point, by id."""
    return session.scalars(select(ServicePoint).order_by(ServicePoint.id)).all()


def live_figures(
    session: Session, point_ids: Collection[int], at: datetime
) -> dict[int, tuple[int, int, int]]:
    """Per point id: (capacity, occupancy, places held by holds still in force at ``at``)."""
    if not point_ids:
        return {}
    held = (
        select(ReferralHold.service_point_id, func.sum(ReferralHold.places).label("places"))
        .where(ReferralHold.status == HoldStatus.held, ReferralHold.expires_at > at)
        .group_by(ReferralHold.service_point_id)
        .subquery()
    )
    rows = session.execute(
        select(ServicePoint.id, ServicePoint.capacity, ServicePoint.occupancy, held.c.places)
        .outerjoin(held, held.c.service_point_id == ServicePoint.id)
        .where(ServicePoint.id.in_(point_ids))
    ).all()
    return {r[0]: (r[1], r[2], int(r[3] or 0)) for r in rows}
