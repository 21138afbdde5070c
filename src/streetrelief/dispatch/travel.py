"""Travel time: the interface dispatch uses, and the default straight-line provider.

Other providers (a road network from an OpenStreetMap extract) implement the same Protocol
and are chosen in settings.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

from streetrelief.core.geo import haversine_many_m
from streetrelief.teams.models import TravelMode


@dataclass(frozen=True)
class TravelEstimate:
    """A travel estimate: ``is_fallback`` marks a straight-line guess by a road provider."""

    distance_m: float
    travel_time_s: float
    is_fallback: bool = False


class TravelTimeProvider(Protocol):
    """Estimates travel from one point to many, from many to one, and between many."""

    def one_to_many(
        self, origin: tuple[float, float], targets: list[tuple[float, float]], mode: TravelMode
    ) -> list[TravelEstimate]:
        """Estimates from ``origin`` (lat, lon) to each target (lat, lon), WGS-84 degrees."""
        ...

    def many_to_one(
        self, origins: list[tuple[float, float]], target: tuple[float, float], mode: TravelMode
    ) -> list[TravelEstimate]:
        """Estimates from each origin (lat, lon) to ``target`` (lat, lon), WGS-84 degrees.

        Dispatch asks this ("which team reaches the incident first"); on a road network with
        one-way streets it differs from ``one_to_many`` from the target.
        """
        ...

    def many_to_many(
        self,
        origins: list[tuple[float, float]],
        targets: list[tuple[float, float]],
        mode: TravelMode,
    ) -> list[list[TravelEstimate]]:
        """A matrix: row ``i`` holds the estimates from ``origins[i]`` to each target."""
        ...


class StraightLineTravel:
    """Great-circle distance times a detour factor, at a constant speed per mode.

    Source: urban road circuity (network over straight-line distance) averages 1.2-1.6
    (Boeing 2019, "Urban spatial order: street network orientation, configuration, and
    entropy"; Ballou, Rahardja & Sakai 2002); the default factor 1.4 is in settings.
    """

    def __init__(
        self, *, detour_factor: float, vehicle_speed_kmh: float, walking_speed_kmh: float
    ) -> None:
        self.detour_factor = detour_factor
        self.speed_ms = {
            TravelMode.vehicle: vehicle_speed_kmh / 3.6,
            TravelMode.walking: walking_speed_kmh / 3.6,
        }

    def distances_m(
        self,
        origin: tuple[float, float],
        lats: npt.NDArray[np.float64],
        lons: npt.NDArray[np.float64],
    ) -> npt.NDArray[np.float64]:
        """Estimated road distances from ``origin`` to points given as arrays of latitudes
        and longitudes (WGS-84 degrees), metres."""
        return haversine_many_m(origin[0], origin[1], lats, lons) * self.detour_factor

    def one_to_many(
        self, origin: tuple[float, float], targets: list[tuple[float, float]], mode: TravelMode
    ) -> list[TravelEstimate]:
        """Estimates from ``origin`` to each target; distances in metres, times in seconds."""
        if not targets:
            return []
        speed = self.speed_ms[mode]
        points = np.asarray(targets, dtype=np.float64)
        return [
            TravelEstimate(distance_m=d, travel_time_s=d / speed)
            for d in self.distances_m(origin, points[:, 0], points[:, 1]).tolist()
        ]

    def many_to_one(
        self, origins: list[tuple[float, float]], target: tuple[float, float], mode: TravelMode
    ) -> list[TravelEstimate]:
        """Estimates from each origin to ``target``; metres, seconds.

        Great-circle distance is symmetric, so this is one vectorised pass from the target.
        """
        return self.one_to_many(target, origins, mode)

    def many_to_many(
        self,
        origins: list[tuple[float, float]],
        targets: list[tuple[float, float]],
        mode: TravelMode,
    ) -> list[list[TravelEstimate]]:
        """Row ``i``: estimates from ``origins[i]`` to each target (metres, seconds)."""
        return [self.one_to_many(origin, targets, mode) for origin in origins]

    def travel(
        self, origin: tuple[float, float], target: tuple[float, float], mode: TravelMode
    ) -> TravelEstimate:
        """Estimate from one point to one other."""
        return self.one_to_many(origin, [target], mode)[0]


def travel_columns(
    travel: TravelTimeProvider,
    origins: list[tuple[float, float]],
    is_vehicle: npt.NDArray[np.bool_],
    target: tuple[float, float],
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.bool_]]:
    """(distance m, travel time s, is a fallback) from each origin (lat, lon) to ``target``,
    by vehicle where ``is_vehicle`` else walking: one ``many_to_one`` call per travel mode, in
    the direction travelled. Arrays in the order of ``origins``."""
    n = len(origins)
    distance_m, travel_s = np.empty(n), np.empty(n)
    is_fallback = np.zeros(n, dtype=np.bool_)
    for mode in TravelMode:
        group = np.flatnonzero(is_vehicle == (mode == TravelMode.vehicle))
        if not group.size:
            continue
        estimates = travel.many_to_one([origins[i] for i in group.tolist()], target, mode)
        distance_m[group] = [e.distance_m for e in estimates]
        travel_s[group] = [e.travel_time_s for e in estimates]
        is_fallback[group] = [e.is_fallback for e in estimates]
    return distance_m, travel_s, is_fallback
