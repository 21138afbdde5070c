"""The travel-time provider the settings ask for.

Kept apart from ``routing.provider`` so that the API and every CLI command import scipy and
pyrosm (seconds of start-up) only when a road network is configured.
"""

from __future__ import annotations

from collections.abc import Callable

from streetrelief.config import Settings
from streetrelief.dispatch.travel import StraightLineTravel, TravelTimeProvider


def travel_from_settings(
    settings: Settings, *, progress: Callable[[str], None] | None = None
) -> TravelTimeProvider:
    """The travel-time provider that ``settings.travel_provider`` names.

    Raises:
        RoadNetworkError: road_network with a file that is missing, not OSM PBF, or roadless.
    """
    if settings.travel_provider == "straight_line" or settings.road_network_file is None:
        return StraightLineTravel(
            detour_factor=settings.detour_factor,
            vehicle_speed_kmh=settings.vehicle_speed_kmh,
            walking_speed_kmh=settings.walking_speed_kmh,
        )
    from streetrelief.routing.provider import RoadNetworkTravel  # noqa: PLC0415 - see module

    return RoadNetworkTravel.from_osm(
        settings.road_network_file,
        cache_dir=settings.road_network_cache_dir,
        walking_speed_kmh=settings.walking_speed_kmh,
        vehicle_speed_kmh=settings.vehicle_speed_kmh,
        detour_factor=settings.detour_factor,
        max_snap_m=settings.road_snap_max_m,
        progress=progress,
    )
