"""Use cases of the region tree: add regions, resolve codes, find a point's region."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlalchemy import ColumnElement, true
from sqlalchemy.orm import InstrumentedAttribute, Session

from streetrelief.core.errors import (
    ConflictError,
    InvalidInputError,
    NotFoundError,
    UnknownRegionError,
)
from streetrelief.core.geo import haversine_m
from streetrelief.regions import repository
from streetrelief.regions.boundaries import region_by_boundary
from streetrelief.regions.models import LEVEL_DEPTH, Region, RegionLevel
from streetrelief.regions.repository import StoredRegion
from streetrelief.regions.schemas import RegionCreate

LOCATE_SEARCH_DEG = (0.05, 0.25, 1.0)
"""Half-widths of the boxes searched for region centres around a point, degrees (about 5, 28
and 110 km): the smallest box that settles the question is used, so a dense tree of township
centres costs no more than a sparse one."""


def create_region(session: Session, data: RegionCreate) -> Region:
    """Add a region under its parent.

    Raises:
        ConflictError: the code exists already.
        UnknownRegionError: the parent does not exist.
        InvalidInputError: the level is not below the parent's level.
    """
    if repository.get(session, data.code) is not None:
        raise ConflictError(f"region {data.code} exists already", field="code")
    path = f"/{data.code}/"
    if data.parent_code is not None:
        parent = require_region(session, data.parent_code)
        if LEVEL_DEPTH[data.level] <= LEVEL_DEPTH[parent.level]:
            raise InvalidInputError(
                f"a {data.level} cannot sit under the {parent.level} {parent.code}", field="level"
            )
        path = f"{parent.path}{data.code}/"
    region = Region(path=path, **data.model_dump())
    session.add(region)
    session.flush()
    return region


def require_region(session: Session, code: str) -> Region:
    """The region with ``code``.

    Raises:
        UnknownRegionError: no region has that code.
    """
    region = repository.get(session, code)
    if region is None:
        raise UnknownRegionError(f"unknown region code {code!r}", field="region_code")
    return region


def locate_region(session: Session, lat: float, lon: float) -> Region | None:
    """The finest region whose stored boundary holds the point; else the finest region whose
    centre is nearest to it.

    Looks at region centres in a box around the point (widening through
    ``LOCATE_SEARCH_DEG``), leaves out every region that has a descendant among them, and takes
    the nearest of the rest (the deeper one on equal distance). When that region has located
    descendants outside the box, the box widens. This is a centre-based estimate, used only
    where no loaded boundary holds the point. Returns None when no region centre is near.
    """
    inside = region_by_boundary(session, lat, lon)
    if inside is not None:
        return inside
    for span in LOCATE_SEARCH_DEG:
        near = repository.with_centre_near(session, lat, lon, span)
        # A region whose descendants are near too is represented by them: a province's centre
        # must not win over the district the point lies in.
        paths = [r.path for r in near]
        candidates = [
            r for r in near if not any(p != r.path and p.startswith(r.path) for p in paths)
        ]
        if not candidates:
            continue
        best = min(
            candidates,
            key=lambda c: (
                haversine_m(lat, lon, c.lat or 0.0, c.lon or 0.0),
                -LEVEL_DEPTH[c.level],
            ),
        )
        if span == LOCATE_SEARCH_DEG[-1] or not repository.has_located_descendant(
            session, best.path
        ):
            return best
    return None


def regions_with_centre_in_box(
    session: Session, south: float, west: float, north: float, east: float
) -> Sequence[Region]:
    """Regions whose centre lies in a lat/lon box, WGS-84 degrees (edges included).

    Other domains narrow a shape down to candidates with this before testing each centre.
    """
    return repository.with_centre_in_box(session, south, west, north, east)


def existing_region_codes(session: Session, codes: Collection[str]) -> set[str]:
    """The codes among ``codes`` that name a region of the tree (a few thousand at most)."""
    return set(repository.stored_by_code(session, codes))


def regions_by_code(session: Session, codes: Collection[str]) -> dict[str, StoredRegion]:
    """The regions among ``codes`` that the tree has (name, path...), by code; a few thousand
    codes at most."""
    return repository.stored_by_code(session, codes)


def find_region(session: Session, code: str) -> Region:
    """The region that a path names.

    Raises:
        NotFoundError: no region has that code.
    """
    region = repository.get(session, code)
    if region is None:
        raise NotFoundError(f"region {code!r} not found", region_code=code)
    return region


def list_regions(session: Session, parent_code: str | None) -> Sequence[Region]:
    """Children of ``parent_code`` (roots when None).

    Raises:
        UnknownRegionError: ``parent_code`` is not a region.
    """
    if parent_code is not None:
        require_region(session, parent_code)
    return repository.children(session, parent_code)


def dispatch_area(session: Session, code: str) -> Region:
    """The region whose teams serve a place in ``code``: its prefecture-level ancestor.

    A city's teams cover the whole city; a region above prefecture level is its own area.
    Cross-area help goes through explicit grants.

    Raises:
        UnknownRegionError: ``code`` is not a region.
    """
    region = require_region(session, code)
    limit = LEVEL_DEPTH[RegionLevel.prefecture]
    if LEVEL_DEPTH[region.level] <= limit:
        return region
    codes = [c for c in region.path.strip("/").split("/") if c][:-1]
    # One read for all the ancestors (not one per level); each is there, since a region's
    # parent_code references its parent.
    ancestors = repository.by_codes(session, codes)
    for ancestor_code in reversed(codes):
        ancestor = ancestors[ancestor_code]
        if LEVEL_DEPTH[ancestor.level] <= limit:
            return ancestor
    return region


Scope = tuple[str, ...] | None
"""A jurisdiction: the region paths whose subtrees it covers; None covers every region."""


def scope_clause(
    column: InstrumentedAttribute[str] | InstrumentedAttribute[str | None], scope: Scope
) -> ColumnElement[bool]:
    """A condition on ``column`` (a region code) that keeps records inside ``scope``."""
    if scope is None:
        return true()
    return repository.in_any_subtree(column, scope)


def in_scope(region: Region, scope: Scope) -> bool:
    """Whether ``region`` lies inside ``scope``."""
    return scope is None or any(region.path.startswith(p) for p in scope)
