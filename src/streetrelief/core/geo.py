"""Geography on WGS-84: validation, great-circle distance, H3 cells and the GCJ-02 inverse.

Everything inside streetrelief is WGS-84 latitude/longitude in degrees; other datums are
converted at the edge, by the adapters and importers that receive them, with the conversions
kept here (GCJ-02, the datum of AMap and most Chinese data sets, to WGS-84).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import h3
import numpy as np
import numpy.typing as npt
from shapely.geometry import Point, Polygon

from streetrelief.core.errors import InvalidInputError

EARTH_RADIUS_M = 6_371_008.8
"""Mean Earth radius, metres. Source: IUGG mean radius R1 of GRS 80 (Moritz 2000)."""

H3_RESOLUTION = 9
"""H3 resolution of stored location cells (average edge about 200 m).

Source: H3 resolution table."""


def check_lat_lon(lat: float, lon: float) -> None:
    """Refuse coordinates that are not finite WGS-84 degrees.

    Raises:
        InvalidInputError: NaN or infinite values, latitude outside [-90, 90] or
            longitude outside [-180, 180].
    """
    if not (math.isfinite(lat) and math.isfinite(lon)):
        raise InvalidInputError("coordinates must be finite numbers", field="lat/lon")
    if not -90.0 <= lat <= 90.0:
        raise InvalidInputError(f"latitude {lat} outside [-90, 90]", field="lat")
    if not -180.0 <= lon <= 180.0:
        raise InvalidInputError(f"longitude {lon} outside [-180, 180]", field="lon")


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance between two WGS-84 points, metres.

    Source: haversine formula on a sphere of radius ``EARTH_RADIUS_M`` (Sinnott 1984);
    error under 0.5 % against the ellipsoid, enough for dispatch estimates.
    """
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp = p2 - p1
    dl = math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def haversine_many_m(
    lat: float, lon: float, lats: npt.NDArray[np.float64], lons: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]:
    """Great-circle distances from one point to many (arrays of WGS-84 degrees), metres.

    Source: the same haversine formula and radius as ``haversine_m``, vectorised.
    """
    p1, p2 = np.radians(lat), np.radians(lats)
    dl = np.radians(lons - lon)
    a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    out: npt.NDArray[np.float64] = 2 * EARTH_RADIUS_M * np.arcsin(np.minimum(1.0, np.sqrt(a)))
    return out


def sphere_xyz_m(lat: npt.ArrayLike, lon: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Earth-centred Cartesian coordinates of WGS-84 points on the sphere of radius
    ``EARTH_RADIUS_M``, metres, shape (n, 3).

    The straight (chord) distance between two such points is the great-circle distance to
    within 1 mm up to 10 km apart, anywhere on Earth, so a KD-tree over them finds nearest
    neighbours without choosing a map projection.
    """
    phi, lam = np.radians(lat), np.radians(lon)
    cos_phi = np.cos(phi)
    return EARTH_RADIUS_M * np.column_stack(
        [cos_phi * np.cos(lam), cos_phi * np.sin(lam), np.sin(phi)]
    )


def shape_polygon(ring: Sequence[tuple[float, float]]) -> Polygon:
    """A shapely polygon from a ring of (lat, lon) pairs, WGS-84 degrees (CAP order).

    This is the one place where (lat, lon) becomes shapely's (x=lon, y=lat); the polygon is
    planar in degrees, which is what CAP polygons mean at warning scale.
    """
    return Polygon([(lon, lat) for lat, lon in ring])


def shape_point(lat: float, lon: float) -> Point:
    """A shapely point (x=lon, y=lat) for a WGS-84 (lat, lon), degrees."""
    return Point(lon, lat)


def h3_cell(lat: float, lon: float) -> str:
    """H3 cell id (hex string) at ``H3_RESOLUTION`` containing the point."""
    return str(h3.latlng_to_cell(lat, lon, H3_RESOLUTION))


def h3_cells_within(lat: float, lon: float, radius_m: float) -> list[str]:
    """H3 cells at ``H3_RESOLUTION`` that together cover a disc of ``radius_m`` metres.

    The ring count is chosen from the smallest edge length at the resolution, so every point
    within the radius lies in one of the returned cells.
    """
    centre = h3.latlng_to_cell(lat, lon, H3_RESOLUTION)
    # Neighbouring rings advance by at least sqrt(3) x the shortest edge (the inradius doubled).
    step_m = math.sqrt(3) * _min_edge_m()
    k = math.ceil(radius_m / step_m) + 1
    return [str(c) for c in h3.grid_disk(centre, k)]


def _min_edge_m() -> float:
    # Smallest edge at the resolution is about 0.6x the average (H3 docs, "Cell statistics").
    return 0.6 * float(h3.average_hexagon_edge_length(H3_RESOLUTION, unit="m"))


# GCJ-02 ("Mars coordinates") is the obfuscated datum that Chinese map providers such as AMap
# publish. Its forward formula (WGS-84 -> GCJ-02) was reverse-engineered and is public; the
# constants below are its published values. Source: the "China map deviation" formula as
# implemented in googollee/eviltransform (MIT, 2015) and Artoria2e5/PRCoords (public domain),
# described in Wikipedia, "Restrictions on geographic data in China", section GCJ-02.
GCJ_KRASOVSKY_A_M = 6_378_245.0
"""Semi-major axis of the Krasovsky 1940 ellipsoid that GCJ-02 uses, metres."""

GCJ_KRASOVSKY_EE = 0.00669342162296594323
"""First eccentricity squared of the Krasovsky 1940 ellipsoid (dimensionless)."""

GCJ_CHINA_BOX = (0.8293, 55.8271, 72.004, 137.8347)
"""(min lat, max lat, min lon, max lon) in degrees where the GCJ-02 offset applies.

Source: the bounding box used by eviltransform and PRCoords; outside it GCJ-02 equals WGS-84.
"""

GCJ_INVERSE_TOLERANCE_DEG = 1e-9
"""Stop the GCJ-02 inverse when a step moves less than this, degrees (about 0.1 mm)."""

GCJ_INVERSE_MAX_STEPS = 10
"""Upper bound on inverse iterations; the error shrinks about 1000-fold per step, so 3-4 do."""


def is_in_gcj_box(lat: float, lon: float) -> bool:
    """True when the point lies in the box where GCJ-02 differs from WGS-84."""
    min_lat, max_lat, min_lon, max_lon = GCJ_CHINA_BOX
    return min_lat <= lat <= max_lat and min_lon <= lon <= max_lon


def wgs84_to_gcj02(lat: float, lon: float) -> tuple[float, float]:
    """Obfuscate a WGS-84 point into GCJ-02, as Chinese map providers do.

    Args:
        lat: latitude, WGS-84 degrees.
        lon: longitude, WGS-84 degrees.

    Returns:
        (lat, lon) in GCJ-02 degrees; the point unchanged outside ``GCJ_CHINA_BOX``.

    Source: public GCJ-02 formula (see the constants above).
    """
    if not is_in_gcj_box(lat, lon):
        return lat, lon
    dlat, dlon = _gcj_offset_deg(lat, lon)
    return lat + dlat, lon + dlon


def gcj02_to_wgs84(lat: float, lon: float) -> tuple[float, float]:
    """Turn a GCJ-02 point (AMap, Tencent, Google China) back into WGS-84.

    GCJ-02 has no closed-form inverse. Starting from the GCJ-02 point, each step applies the
    forward formula to the current estimate and subtracts the miss; because the offset changes
    slowly with position (a few hundred metres over hundreds of kilometres), the miss shrinks
    about a thousandfold per step.

    Args:
        lat: latitude, GCJ-02 degrees.
        lon: longitude, GCJ-02 degrees.

    Returns:
        (lat, lon) in WGS-84 degrees, within ``GCJ_INVERSE_TOLERANCE_DEG`` of the exact inverse
        of :func:`wgs84_to_gcj02`; the point unchanged outside ``GCJ_CHINA_BOX``.

    Source: fixed-point inverse as in PRCoords ``gcj_wgs_bored`` and eviltransform
    ``gcj2wgs_exact``. Real GCJ-02 data also carries a few metres of deliberate noise, so the
    result is as good as the source, not better.
    """
    if not is_in_gcj_box(lat, lon):
        return lat, lon
    wgs_lat, wgs_lon = lat, lon
    for _ in range(GCJ_INVERSE_MAX_STEPS):
        gcj_lat, gcj_lon = wgs84_to_gcj02(wgs_lat, wgs_lon)
        miss_lat, miss_lon = gcj_lat - lat, gcj_lon - lon
        wgs_lat -= miss_lat
        wgs_lon -= miss_lon
        if max(abs(miss_lat), abs(miss_lon)) < GCJ_INVERSE_TOLERANCE_DEG:
            break
    return wgs_lat, wgs_lon


def _gcj_offset_deg(lat: float, lon: float) -> tuple[float, float]:
    # The published polynomial-plus-sines in a frame centred on (35 N, 105 E), scaled from
    # metres on the Krasovsky ellipsoid to degrees.
    x, y = lon - 105.0, lat - 35.0
    waves = (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    dlat += waves
    dlat += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    dlat += (
        (160.0 * math.sin(y / 12.0 * math.pi) + 320.0 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    )
    dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    dlon += waves
    dlon += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    dlon += (
        (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    )
    rad_lat = math.radians(lat)
    magic = 1.0 - GCJ_KRASOVSKY_EE * math.sin(rad_lat) ** 2
    sqrt_magic = math.sqrt(magic)
    a = GCJ_KRASOVSKY_A_M
    dlat = (dlat * 180.0) / ((a * (1.0 - GCJ_KRASOVSKY_EE)) / (magic * sqrt_magic) * math.pi)
    dlon = (dlon * 180.0) / (a / sqrt_magic * math.cos(rad_lat) * math.pi)
    return dlat, dlon
