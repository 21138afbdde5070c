"""Queries on service points."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from streetrelief.regions.repository import in_subtree
from streetrelief.regions.service import Scope, scope_clause
from streetrelief.service_points.models import ServicePoint, ServicePointKind


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
    """Active service points in a subtree that existed at ``at``."""
    stmt = (
        select(func.count())
        .select_from(ServicePoint)
        .where(
            in_subtree(ServicePoint.region_code, region_path),
            ServicePoint.is_active.is_(True),
            ServicePoint.created_at < at,
        )
    )
    return int(session.scalar(stmt) or 0)
