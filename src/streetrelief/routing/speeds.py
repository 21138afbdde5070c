"""Driving speeds per road: the ``maxspeed`` tag where it reads as a number, else a default per
``highway`` class.

The defaults are the free-flow speeds of the car profile of the Open Source Routing Machine
(Project OSRM, ``profiles/car.lua``, table ``speeds.highway``), a widely used open router whose
values were tuned against observed travel on OpenStreetMap data.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import numpy as np
import numpy.typing as npt

DEFAULT_SPEED_KMH: dict[str, float] = {
    "motorway": 90.0,
    "motorway_link": 45.0,
    "trunk": 85.0,
    "trunk_link": 40.0,
    "primary": 65.0,
    "primary_link": 30.0,
    "secondary": 55.0,
    "secondary_link": 25.0,
    "tertiary": 40.0,
    "tertiary_link": 20.0,
    "unclassified": 25.0,
    "residential": 25.0,
    "living_street": 10.0,
    "service": 15.0,
}
"""Speed per ``highway`` value where no usable ``maxspeed`` is tagged, km/h (OSRM car profile)."""

OTHER_ROAD_SPEED_KMH = 15.0
"""Speed on a drivable way whose ``highway`` class is not in the table (e.g. ``road``,
``track``), km/h; the OSRM car profile's service-road speed, the slowest general one."""

KMH_PER_MPH = 1.609344
"""Kilometres per mile (international mile, exact by definition)."""

_MAXSPEED = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(mph|km/h|kmh|kph)?\s*$", re.IGNORECASE)


def parse_maxspeed_kmh(value: object) -> float | None:
    """The speed a ``maxspeed`` tag gives, km/h, or None when it is not a plain number.

    Reads "50", "50 km/h" and "30 mph" (OSM wiki, Key:maxspeed); zone codes such as "FI:urban",
    "walk", "none", several values ("40;30"), zero and no tag ("" or None) give None, so the
    highway default applies.
    """
    if not isinstance(value, str):
        return None
    match = _MAXSPEED.match(value)
    if match is None:
        return None
    speed = float(match.group(1))
    if match.group(2) is not None and match.group(2).lower() == "mph":
        speed *= KMH_PER_MPH
    return speed if speed > 0 else None


def road_speeds_kmh(
    highway: Iterable[object], maxspeed: Iterable[object]
) -> npt.NDArray[np.float64]:
    """Driving speed of each way, km/h: its ``maxspeed`` when usable, else the class default.

    Args:
        highway: the ``highway`` tag of each way.
        maxspeed: the ``maxspeed`` tag of each way ("", None or NaN when untagged), same length.
    """
    speeds = []
    for road_class, limit in zip(highway, maxspeed, strict=True):
        tagged = parse_maxspeed_kmh(limit)
        if tagged is None:
            key = road_class if isinstance(road_class, str) else ""
            tagged = DEFAULT_SPEED_KMH.get(key, OTHER_ROAD_SPEED_KMH)
        speeds.append(tagged)
    return np.asarray(speeds, dtype=np.float64)
