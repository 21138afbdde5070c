"""Queries on the region tree."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import NamedTuple

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    String,
    and_,
    any_,
    bindparam,
    false,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.orm import InstrumentedAttribute, Session

from streetrelief.regions.models import Region, RegionBoundary


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
    return in_any_subtree(column, [root_path])


def with_centre_near(session: Session, lat: float, lon: float, span_deg: float) -> Sequence[Region]:
    """Regions whose centre lies in a box of ±``span_deg`` degrees around the point."""
    stmt = select(Region).where(
        and_(
            Region.lat.between(lat - span_deg, lat + span_deg),
            Region.lon.between(lon - span_deg, lon + span_deg),
        )
    )
    return session.scalars(stmt).all()


def with_centre_in_box(
    session: Session, south: float, west: float, north: float, east: float
) -> Sequence[Region]:
    """Regions whose centre lies in the box (WGS-84 degrees, edges included), by path."""
    stmt = select(Region).where(
        and_(Region.lat.between(south, north), Region.lon.between(west, east))
    )
    return session.scalars(stmt.order_by(Region.path)).all()


def has_located_descendant(session: Session, path: str) -> bool:
    """Whether a region below ``path`` has a centre."""
    stmt = select(Region.code).where(
        Region.path.startswith(path, autoescape=True), Region.path != path, Region.lat.is_not(None)
    )
    return session.scalars(stmt.limit(1)).first() is not None


def count_by_level(session: Session, root_path: str | None = None) -> dict[str, int]:
    """Number of regions per level, in the subtree at ``root_path`` or everywhere."""
    stmt = select(Region.level, func.count()).group_by(Region.level)
    if root_path is not None:
        stmt = stmt.where(Region.path.startswith(root_path, autoescape=True))
    return {str(level): int(n) for level, n in session.execute(stmt)}


class StoredRegion(NamedTuple):
    """The columns of a stored region that a bulk import compares and places rows by."""

    code: str
    name: str
    level: str
    parent_code: str | None
    path: str
    lat: float | None
    lon: float | None
    country_code: str
    timezone: str


def stored_by_code(session: Session, codes: Collection[str]) -> dict[str, StoredRegion]:
    """The regions among ``codes`` that the tree has, by code, in one query.

    Callers keep ``codes`` to a few thousand: SQLite binds each one as a parameter.
    """
    if not codes:
        return {}
    stmt = select(
        Region.code,
        Region.name,
        Region.level,
        Region.parent_code,
        Region.path,
        Region.lat,
        Region.lon,
        Region.country_code,
        Region.timezone,
    ).where(_code_in(session, codes))
    return {r.code: StoredRegion(*r) for r in session.execute(stmt)}


def by_codes(session: Session, codes: Collection[str]) -> dict[str, Region]:
    """The regions among ``codes`` (a handful: a region's ancestors), by code, in one query."""
    return {r.code: r for r in session.scalars(select(Region).where(Region.code.in_(codes)))}


def insert_many(session: Session, rows: Sequence[Mapping[str, object]]) -> None:
    """Insert regions given as column values, in one bulk statement."""
    session.execute(insert(Region), rows)


def update_many(session: Session, rows: Sequence[Mapping[str, object]]) -> None:
    """Update regions by ``code`` with the other column values each row gives, in bulk."""
    session.execute(update(Region), rows)


def _code_in(session: Session, codes: Collection[str]) -> ColumnElement[bool]:
    # PostgreSQL takes the codes as one array parameter: thousands of IN parameters cost
    # more to send and plan than the lookup itself.
    if session.get_bind().dialect.name == "postgresql":
        return Region.code == any_(bindparam("codes", list(codes), type_=ARRAY(String)))
    return Region.code.in_(codes)


def in_any_subtree(
    column: InstrumentedAttribute[str] | InstrumentedAttribute[str | None],
    root_paths: Collection[str],
) -> ColumnElement[bool]:
    """A condition: the region code in ``column`` lies in one of the subtrees at ``root_paths``.

    No paths means no region at all (the condition is false).
    """
    if not root_paths:
        return false()
    sub = select(Region.code).where(
        or_(*(Region.path.startswith(p, autoescape=True) for p in root_paths))
    )
    return column.in_(sub.scalar_subquery())


def boundaries_covering_box(session: Session, lat: float, lon: float) -> Sequence[RegionBoundary]:
    """Boundaries whose bounding box holds the point, finest level first (deepest path)."""
    stmt = (
        select(RegionBoundary)
        .join(Region, Region.code == RegionBoundary.region_code)
        .where(
            RegionBoundary.min_lat <= lat,
            RegionBoundary.max_lat >= lat,
            RegionBoundary.min_lon <= lon,
            RegionBoundary.max_lon >= lon,
        )
        .order_by(func.length(Region.path).desc(), Region.code)
    )
    return session.scalars(stmt).all()


def boundaries_in_subtree(
    session: Session, root_path: str | None, scope: Collection[str] | None
) -> Sequence[tuple[RegionBoundary, Region]]:
    """Boundaries of the regions in the subtree at ``root_path`` (everywhere when None) and
    inside the subtrees at ``scope`` (no limit when None), by path."""
    stmt = select(RegionBoundary, Region).join(Region, Region.code == RegionBoundary.region_code)
    if root_path is not None:
        stmt = stmt.where(Region.path.startswith(root_path, autoescape=True))
    if scope is not None:
        stmt = stmt.where(in_any_subtree(Region.code, scope))
    return [(b, r) for b, r in session.execute(stmt.order_by(Region.path))]


def save_boundary(session: Session, boundary: RegionBoundary) -> None:
    """Insert or replace the boundary of its region."""
    session.merge(boundary)
