"""Queries on the region tree."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from streetrelief.regions.models import Region


def get(session: Session, code: str) -> Region | None:
    """The region with ``code``, or None."""
    return session.get(Region, code)


def children(session: Session, code: str | None) -> Sequence[Region]:
    """Direct children of ``code`` (roots when None), by code."""
    stmt = select(Region).where(
        Region.parent_code.is_(None) if code is None else Region.parent_code == code
    )
    return session.scalars(stmt.order_by(Region.code)).all()


def subtree(session: Session, root: Region, *, limit: int | None = None) -> Sequence[Region]:
    """``root`` and all its descendants, by path."""
    stmt = (
        select(Region)
        .where(Region.path.startswith(root.path, autoescape=True))
        .order_by(Region.path)
    )
    if limit is not None:
        stmt = stmt.limit(limit)
    return session.scalars(stmt).all()


def in_subtree(
    column: InstrumentedAttribute[str] | InstrumentedAttribute[str | None], root_path: str
) -> ColumnElement[bool]:
    """A condition: the region code in ``column`` lies in the subtree at ``root_path``.

    Used by other domains' repositories to filter their records by region subtree.
    """
    sub = select(Region.code).where(Region.path.startswith(root_path, autoescape=True))
    return column.in_(sub.scalar_subquery())


def with_centre_near(session: Session, lat: float, lon: float, span_deg: float) -> Sequence[Region]:
    """Regions whose centre lies in a box of ±``span_deg`` degrees around the point."""
    stmt = select(Region).where(
        and_(
            Region.lat.between(lat - span_deg, lat + span_deg),
            Region.lon.between(lon - span_deg, lon + span_deg),
        )
    )
    return session.scalars(stmt).all()


def count_by_level(session: Session, root_path: str | None = None) -> dict[str, int]:
    """Number of regions per level, in the subtree at ``root_path`` or everywhere."""
    stmt = select(Region.level, func.count()).group_by(Region.level)
    if root_path is not None:
        stmt = stmt.where(Region.path.startswith(root_path, autoescape=True))
    return {str(level): int(n) for level, n in session.execute(stmt)}
