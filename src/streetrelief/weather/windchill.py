"""Wind chill and feels-like temperature: the 2001 JAG/TI wind chill index, inside its range.

Owns the formula, its validity range and the wind speed unit conversion. Deciding what a wind
chill means for the response (levels, thresholds) is left to the response policy, and reading
observations to ``weather.observations``.
"""

from __future__ import annotations

import math

from streetrelief.core.errors import InvalidInputError

KMH_PER_MS = 3.6
"""Kilometres per hour in one metre per second (3600 s/h ÷ 1000 m/km)."""

WIND_CHILL_MAX_TEMPERATURE_C = 10.0
"""The index is defined for air at or below this temperature.

Source: NWS wind chill chart ("Wind chill temperature is only defined for temperatures at or
below 50 °F and wind speeds above 3 mph"); ECCC, Wind chill index (air ≤ 10 °C)."""

WIND_CHILL_MIN_WIND_SPEED_KMH = 4.8
"""The index is defined for wind speeds strictly above this, at 10 m (3 mph = 4.8 km/h).

Source: as ``WIND_CHILL_MAX_TEMPERATURE_C``."""


def ms_to_kmh(speed_ms: float) -> float:
    """Convert a speed from metres per second to kilometres per hour.

    Args:
        speed_ms: speed in m/s.

    Returns:
        The same speed in km/h.
    """
    return speed_ms * KMH_PER_MS


def _check(temperature_c: float, wind_speed_kmh: float) -> None:
    if not math.isfinite(temperature_c):
        raise InvalidInputError(f"air temperature must be a finite number, got {temperature_c}")
    if not math.isfinite(wind_speed_kmh):
        raise InvalidInputError(f"wind speed must be a finite number, got {wind_speed_kmh}")
    if wind_speed_kmh < 0:
        raise InvalidInputError(f"wind speed cannot be negative, got {wind_speed_kmh} km/h")


def is_wind_chill_defined(temperature_c: float, wind_speed_kmh: float) -> bool:
    """Whether the wind chill index is defined for these conditions.

    Args:
        temperature_c: air temperature, °C.
        wind_speed_kmh: wind speed at 10 m, km/h.

    Returns:
        True when the air is at or below 10 °C and the wind is above 4.8 km/h.

    Raises:
        InvalidInputError: a value is NaN or infinite, or the wind speed is negative.

    Source:
        NWS and ECCC wind chill pages (validity range of the 2001 JAG/TI index).
    """
    _check(temperature_c, wind_speed_kmh)
    return (
        temperature_c <= WIND_CHILL_MAX_TEMPERATURE_C
        and wind_speed_kmh > WIND_CHILL_MIN_WIND_SPEED_KMH
    )


def wind_chill_c(temperature_c: float, wind_speed_kmh: float) -> float | None:
    """The wind chill index, WCI = 13.12 + 0.6215 T - 11.37 V^0.16 + 0.3965 T V^0.16.

    Outside the validity range (air above 10 °C, or wind at or below 4.8 km/h) the index is
    undefined: the regression behind it was fitted only to cold, windy conditions, and at low
    wind it gives values above the air temperature. There the function returns None, and
    callers use the air temperature (see ``feels_like_c``). Inside the range the formula never
    exceeds the air temperature mathematically; the result is still clipped to the air
    temperature, so rounding can never make the wind feel warming.

    Args:
        temperature_c: air temperature T, °C.
        wind_speed_kmh: wind speed V at 10 m above ground, km/h (convert m/s with
            ``ms_to_kmh``).

    Returns:
        The wind chill index in °C (a temperature-like number, unrounded), or None when the
        index is undefined for these conditions.

    Raises:
        InvalidInputError: a value is NaN or infinite, or the wind speed is negative.

    Source:
        Osczevski, R. and Bluestein, M. (2005), "The new wind chill equivalent temperature
        chart", Bulletin of the American Meteorological Society 86(10), 1453-1458 — the 2001
        Joint Action Group for Temperature Indices (JAG/TI) index; US NWS "Wind Chill
        Temperature Index" page and chart; Environment and Climate Change Canada "Wind chill
        index" page and table.
    """
    if not is_wind_chill_defined(temperature_c, wind_speed_kmh):
        return None
    v016 = math.pow(wind_speed_kmh, 0.16)
    index = 13.12 + 0.6215 * temperature_c - 11.37 * v016 + 0.3965 * temperature_c * v016
    return min(index, temperature_c)


def feels_like_c(temperature_c: float, wind_speed_kmh: float) -> float:
    """The temperature the cold feels like: the wind chill where defined, else the air.

    Args:
        temperature_c: air temperature, °C.
        wind_speed_kmh: wind speed at 10 m, km/h.

    Returns:
        ``wind_chill_c`` inside its validity range, the air temperature outside it; °C.
        Never above the air temperature.

    Raises:
        InvalidInputError: a value is NaN or infinite, or the wind speed is negative.

    Source:
        As ``wind_chill_c``; ECCC and NWS both report no wind chill outside the range.
    """
    chill = wind_chill_c(temperature_c, wind_speed_kmh)
    return temperature_c if chill is None else chill
