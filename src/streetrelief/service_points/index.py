"""The in-process spatial index of service points for nearest-place queries.

Points are placed on the unit sphere (x, y, z) and kept in a KD-tree (``scipy.spatial.cKDTree``):
the straight chord between two points on a sphere grows with the great-circle distance, so the
k nearest by chord are the k nearest by great circle, with no trouble at the antimeridian or
the poles. It was chosen over H3 rings on ``bench/nearest.py`` (both fast enough; the tree
needs no ring-growing loop). The index holds what changes rarely (position, hours, attributes,
region, standby level, whether active); the live figures (capacity, occupancy, held) are read from
the database for the few candidates of each query. ``PointIndex.key`` is the number of points
and the sum of their ``revision`` (a random number drawn anew on every change of a point's
details): when either moves, the index is rebuilt (``bench/nearest.py`` times a build).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.spatial import cKDTree

EARTH_RADIUS_M = 6_371_008.8
"""Mean Earth radius (IUGG), metres: the same sphere as ``core.geo.haversine_m``."""


@dataclass(frozen=True, slots=True)
class IndexedPoint:
    """What the index keeps of one service point."""

    id: int
    lat: float
    lon: float
    region_code: str
    region_path: str
    timezone: str
    hours: str
    is_active: bool
    standby_level: int | None
    attributes: tuple[str, ...]
    languages: tuple[str, ...]
    requires_id: bool
    is_warehouse: bool


def _unit_vectors(lats: Sequence[float], lons: Sequence[float]) -> np.ndarray:
    lat = np.radians(np.asarray(lats, dtype=float))
    lon = np.radians(np.asarray(lons, dtype=float))
    return np.column_stack((np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)))


def chord_to_m(chord: float) -> float:
    """Great-circle distance, metres, of a chord of the unit sphere."""
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, chord / 2))


class PointIndex:
    """A KD-tree over service points, walked outwards from a location."""

    def __init__(self, points: Sequence[IndexedPoint], key: tuple[int, int]) -> None:
        self.points = list(points)
        self.key = key
        self._tree = (
            cKDTree(_unit_vectors([p.lat for p in points], [p.lon for p in points]))
            if points
            else None
        )

    def nearest(
        self, lat: float, lon: float, accept: Callable[[IndexedPoint], bool], *, first: int = 64
    ) -> Iterator[tuple[IndexedPoint, float]]:
        """Points that ``accept`` takes, nearest first, with their great-circle distance (m).

        Asks the tree for the ``first`` nearest, then twice as many, and so on, so a caller
        that stops after a few accepted points touches only a few dozen. ``first`` is 64: a
        query wants 20 that pass filters which, in ``bench/nearest.py``, pass about a third.
        """
        if self._tree is None:
            return
        phi, lam = math.radians(lat), math.radians(lon)
        origin = (math.cos(phi) * math.cos(lam), math.cos(phi) * math.sin(lam), math.sin(phi))
        seen = 0
        k = first
        while seen < len(self.points):
            k = min(k, len(self.points))
            chords, rows = self._tree.query(origin, k=k)
            # Plain lists: iterating numpy scalars one by one costs more than the tree walk.
            chord_list = np.atleast_1d(chords)[seen:].tolist()
            row_list = np.atleast_1d(rows)[seen:].tolist()
            for chord, row in zip(chord_list, row_list, strict=True):
                point = self.points[row]
                if accept(point):
                    yield point, chord_to_m(chord)
            seen = k
            k *= 2
