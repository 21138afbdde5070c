"""Geography on WGS-84: validation, great-circle distance and H3 cells.

Everything inside streetrelief is WGS-84 latitude/longitude in degrees; other datums are
converted at the edge by the adapters that receive them.
"""

from __future__ import annotations

import math

import h3

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
