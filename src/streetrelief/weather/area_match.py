"""Which regions a CAP alert's areas cover: by geocode table, by polygon and by circle.

Geocodes go through the geocode tables (data, see `weather.geocode_tables`); a geocode system
without a table is logged and skipped. Polygons and circles are tested against region centres
(WGS-84): a region is covered when its centre lies inside the polygon, or within the circle's
radius by great-circle distance. A shape that holds no region centre at all (a small polygon,
or a circle of radius 0, which CAP defines as a point) covers the finest region located at its
representative point, so that a valley or a single point still reaches the region it lies in.
Region boundaries are not loaded yet; when they are, this is where they will refine the match.
Regions are read through the regions service only.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from streetrelief.core.geo import EARTH_RADIUS_M, haversine_m, shape_point, shape_polygon
from streetrelief.regions.service import (
    existing_region_codes,
    locate_region,
    regions_with_centre_in_box,
)
from streetrelief.weather.cap import CapAlert, CapArea, CapCircle
from streetrelief.weather.geocode_tables import GeocodeTables
from streetrelief.weather.models import AreaMatch

log = logging.getLogger(__name__)

M_PER_KM = 1000.0
MATCH_ORDER = (AreaMatch.geocode, AreaMatch.polygon, AreaMatch.circle)
"""When several kinds match one region, the first of these is recorded: a geocode is what the
issuer meant; a shape is our reading of it."""


@dataclass(slots=True)
class RegionMatches:
    """The regions an alert covers (code → how) and the geocode systems that had no table."""

    by_code: dict[str, AreaMatch] = field(default_factory=dict)
    skipped_systems: set[str] = field(default_factory=set)

    def add(self, codes: Iterable[str], how: AreaMatch) -> None:
        """Record ``codes`` as matched by ``how`` unless a preferred kind matched them."""
        for code in codes:
            known = self.by_code.get(code)
            if known is None or MATCH_ORDER.index(how) < MATCH_ORDER.index(known):
                self.by_code[code] = how


def match_alert_regions(session: Session, alert: CapAlert, tables: GeocodeTables) -> RegionMatches:
    """The regions that the areas of every info block of ``alert`` cover.

    Args:
        alert: a parsed CAP alert; areas repeated across languages count once.
        tables: the geocode tables in force.

    Returns:
        Region codes with how each matched, and the geocode systems skipped for want of a
        table (each logged once per alert).
    """
    matches = RegionMatches()
    areas = {area for info in alert.infos for area in info.areas}
    geocoded: set[str] = set()
    for area in areas:
        geocoded |= _geocode_codes(area, tables, matches.skipped_systems)
    matches.add(existing_region_codes(session, geocoded) if geocoded else (), AreaMatch.geocode)
    for area in areas:
        for ring in area.polygons:
            matches.add(_polygon_codes(session, ring), AreaMatch.polygon)
        for circle in area.circles:
            matches.add(_circle_codes(session, circle), AreaMatch.circle)
    for system in sorted(matches.skipped_systems):
        log.info(
            "CAP alert %s from %s: no geocode table for system %r; its geocodes were skipped",
            alert.identifier,
            alert.sender,
            system,
        )
    return matches


def _geocode_codes(area: CapArea, tables: GeocodeTables, skipped: set[str]) -> set[str]:
    codes = set()
    for system, value in area.geocodes:
        if not tables.knows(system):
            skipped.add(system.strip())
            continue
        code = tables.region_code(system, value)
        if code is not None:
            codes.add(code)
    return codes


def _polygon_codes(session: Session, ring: tuple[tuple[float, float], ...]) -> set[str]:
    lats = [lat for lat, _ in ring]
    lons = [lon for _, lon in ring]
    shape = shape_polygon(ring)
    candidates = regions_with_centre_in_box(session, min(lats), min(lons), max(lats), max(lons))
    inside = {
        r.code
        for r in candidates
        if r.lat is not None and r.lon is not None and shape.covers(shape_point(r.lat, r.lon))
    }
    if inside:
        return inside
    point = shape.representative_point() if shape.is_valid else shape.centroid
    return _located(session, point.y, point.x)


def _circle_codes(session: Session, circle: CapCircle) -> set[str]:
    radius_m = circle.radius_km * M_PER_KM
    # A box that holds the disc: degrees of latitude are ~constant, longitude shrinks with cos.
    dlat = math.degrees(radius_m / EARTH_RADIUS_M)
    cos_lat = max(math.cos(math.radians(circle.lat)), 1e-6)
    dlon = min(180.0, dlat / cos_lat)
    candidates = regions_with_centre_in_box(
        session, circle.lat - dlat, circle.lon - dlon, circle.lat + dlat, circle.lon + dlon
    )
    inside = {
        r.code
        for r in candidates
        if r.lat is not None
        and r.lon is not None
        and haversine_m(circle.lat, circle.lon, r.lat, r.lon) <= radius_m
    }
    return inside or _located(session, circle.lat, circle.lon)


def _located(session: Session, lat: float, lon: float) -> set[str]:
    region = locate_region(session, lat, lon)
    return {region.code} if region is not None else set()
