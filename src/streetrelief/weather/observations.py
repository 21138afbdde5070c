"""Hourly weather observations: reading the known CSV formats, and per-night minimums.

Owns the file formats of hourly observation files (named, and recognised from their header
line), the conversion of each file's local clock to aware UTC, the skipping and counting of
rows with missing values, and the per-night summary of temperature and feels-like. Wind chill
itself comes from ``weather.windchill``; storing observations and deciding response levels are
left to the weather service and the response policy.

Formats (see ``shared/data/weather/PROVENANCE.md`` for the files):

* ``prsa_multisite`` — UCI "Beijing Multi-Site Air Quality" (Zhang et al. 2017), e.g. Dongsi.
  ``year,month,day,hour`` in Beijing local time (Asia/Shanghai, UTC+8, no DST since 1991);
  ``TEMP`` °C; ``WSPM`` instantaneous wind speed, m/s; ``station``; ``NA`` marks missing.
* ``prsa_us_embassy`` — UCI "Beijing PM2.5 Data" (Liang et al. 2015). Same clock; ``TEMP`` °C.
  Its ``Iws`` is a *cumulated* wind speed (a sum since the wind direction last changed), not a
  speed, so this format yields no wind (``wind_speed_kmh`` is None).
* ``eccc_hourly`` — Environment and Climate Change Canada hourly data as in the pandas-cookbook
  copy (Montréal 2012): ``Date/Time`` ``YYYY-MM-DD HH:MM:SS``, ``Temp (C)``, ``Wind Spd (km/h)``.
  ECCC gives hourly times in Local Standard Time all year; for Montréal that is UTC-5 (EST)
  without daylight saving. The 2012 file confirms it: it has all 8,784 hours of the leap year,
  including 2012-03-11 02:00, an hour that does not exist on the daylight-saving clock.
"""

from __future__ import annotations

import csv
import gzip
import math
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from enum import StrEnum
from pathlib import Path
from typing import IO
from zoneinfo import ZoneInfo

from streetrelief.core.errors import ImportFileError, InvalidInputError
from streetrelief.weather.windchill import feels_like_c, ms_to_kmh

BEIJING = ZoneInfo("Asia/Shanghai")
MONTREAL_LST = timezone(timedelta(hours=-5), "EST")
"""Montréal Local Standard Time; ECCC hourly data never switch to daylight saving time.

Source: ECCC Historical Climate Data, glossary "Local Standard Time (LST)"."""

MIN_PLAUSIBLE_TEMPERATURE_C = -90.0
MAX_PLAUSIBLE_TEMPERATURE_C = 60.0
"""Readings outside these are malformed, not weather.

Source: WMO World Weather and Climate Extremes Archive: −89.2 °C (Vostok, 1983) and
56.7 °C (Death Valley, 1913)."""

_MISSING = frozenset({"", "NA", "NaN", "nan", "M"})
_ENCODING = "utf-8-sig"  # spreadsheets often save CSV with a byte-order mark


class ObservationFormat(StrEnum):
    """The hourly observation file formats we read."""

    prsa_multisite = "prsa_multisite"
    prsa_us_embassy = "prsa_us_embassy"
    eccc_hourly = "eccc_hourly"


@dataclass(frozen=True, slots=True)
class Observation:
    """One hourly observation at a station.

    ``wind_speed_kmh`` is at 10 m; None when the source has no usable wind speed.
    """

    observed_at: datetime
    temperature_c: float
    wind_speed_kmh: float | None
    station: str

    def __post_init__(self) -> None:
        offset = self.observed_at.utcoffset()
        if offset is None or offset != timedelta(0):
            raise InvalidInputError(f"observed_at must be aware UTC, got {self.observed_at!r}")

    @property
    def feels_like_c(self) -> float:
        """Wind chill where defined, else the air temperature; °C (air if wind is unknown)."""
        if self.wind_speed_kmh is None:
            return self.temperature_c
        return feels_like_c(self.temperature_c, self.wind_speed_kmh)


@dataclass(slots=True)
class ReadCounts:
    """What reading a file did: data rows yielded, and rows skipped for missing values."""

    read: int = 0
    skipped: int = 0
    skipped_lines: list[int] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class NightSummary:
    """The coldest moments of one local night, named by the date of its evening."""

    night_on: date
    hours: int
    min_temperature_c: float
    min_temperature_at: datetime
    min_feels_like_c: float
    min_feels_like_at: datetime
    hours_without_wind: int


@dataclass(frozen=True, slots=True)
class _Layout:
    columns: frozenset[str]
    parse: Callable[[Mapping[str, str], str], tuple[datetime, float, float | None, str] | None]


def _number(row: Mapping[str, str], column: str) -> float | None:
    """The column as a float, None if missing; ValueError if not a number."""
    text = row[column].strip()
    if text in _MISSING:
        return None
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{column} is not a finite number: {text!r}")
    return value


def _temperature(row: Mapping[str, str], column: str) -> float | None:
    value = _number(row, column)
    if value is not None and not (
        MIN_PLAUSIBLE_TEMPERATURE_C <= value <= MAX_PLAUSIBLE_TEMPERATURE_C
    ):
        raise ValueError(f"{column} {value} °C is outside any recorded temperature")
    return value


def _wind(value: float | None, column: str) -> float | None:
    if value is not None and value < 0:
        raise ValueError(f"{column} cannot be negative: {value}")
    return value


def _prsa_time(row: Mapping[str, str]) -> datetime:
    local = datetime(  # noqa: DTZ001 - the zone is attached on the next line
        int(row["year"]), int(row["month"]), int(row["day"]), int(row["hour"])
    )
    return local.replace(tzinfo=BEIJING).astimezone(UTC)


def _parse_multisite(
    row: Mapping[str, str], station: str
) -> tuple[datetime, float, float | None, str] | None:
    at = _prsa_time(row)
    temperature = _temperature(row, "TEMP")
    wind_ms = _wind(_number(row, "WSPM"), "WSPM")
    if temperature is None or wind_ms is None:
        return None
    return at, temperature, ms_to_kmh(wind_ms), row["station"].strip() or station


def _parse_us_embassy(
    row: Mapping[str, str], station: str
) -> tuple[datetime, float, float | None, str] | None:
    at = _prsa_time(row)
    temperature = _temperature(row, "TEMP")
    if temperature is None:
        return None
    return at, temperature, None, station


def _parse_eccc(
    row: Mapping[str, str], station: str
) -> tuple[datetime, float, float | None, str] | None:
    local = datetime.strptime(row["Date/Time"].strip(), "%Y-%m-%d %H:%M:%S")  # noqa: DTZ007 - LST attached next
    at = local.replace(tzinfo=MONTREAL_LST).astimezone(UTC)
    temperature = _temperature(row, "Temp (C)")
    wind = _wind(_number(row, "Wind Spd (km/h)"), "Wind Spd (km/h)")
    if temperature is None or wind is None:
        return None
    return at, temperature, wind, station


_LAYOUTS: dict[ObservationFormat, _Layout] = {
    ObservationFormat.prsa_multisite: _Layout(
        frozenset({"year", "month", "day", "hour", "TEMP", "WSPM", "station"}), _parse_multisite
    ),
    ObservationFormat.prsa_us_embassy: _Layout(
        frozenset({"year", "month", "day", "hour", "TEMP", "Iws", "cbwd"}), _parse_us_embassy
    ),
    ObservationFormat.eccc_hourly: _Layout(
        frozenset({"Date/Time", "Temp (C)", "Wind Spd (km/h)"}), _parse_eccc
    ),
}


def detect_format(header: Iterable[str]) -> ObservationFormat | None:
    """The format whose columns the header carries, or None if no format fits.

    Args:
        header: the column names of the file's first line.

    Returns:
        The matching format, or None.
    """
    names = {name.strip() for name in header}
    for fmt, layout in _LAYOUTS.items():
        if layout.columns <= names:
            return fmt
    return None


def _open(path: Path) -> IO[str]:
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding=_ENCODING, newline="")
    return path.open(encoding=_ENCODING, newline="")


def read_observations(
    path: Path | str,
    *,
    fmt: ObservationFormat | str | None = None,
    station: str | None = None,
    counts: ReadCounts | None = None,
) -> Iterator[Observation]:
    """Read hourly observations from a CSV file (``.csv`` or ``.csv.gz``), in file order.

    Rows missing the temperature, or the wind speed in a format that carries one, are skipped
    and counted: a row without wind would understate how cold it feels.

    Args:
        path: the file; gzip-compressed when its name ends in ``.gz``.
        fmt: the format; recognised from the header line when None.
        station: station name for formats without a station column (default: the file name
            without its suffixes); ignored when the row names its station.
        counts: if given, filled in with the rows read and skipped while iterating.

    Returns:
        An iterator of observations, times in aware UTC, temperatures in °C, wind in km/h.

    Raises:
        ImportFileError: (while iterating) the file is missing or unreadable, its header
            fits no (or not the named) format, or a row has a bad number, date or column
            count; names the line (the header is line 1).
    """
    path = Path(path)
    counts = counts if counts is not None else ReadCounts()
    name = station or path.name.split(".")[0]
    try:
        wanted = ObservationFormat(fmt) if fmt is not None else None
    except ValueError as exc:
        raise ImportFileError(f"unknown observation format {fmt!r}", path=str(path)) from exc
    try:
        with _open(path) as handle:
            yield from _read_rows(handle, path, wanted, name, counts)
    except (OSError, EOFError, zlib.error, UnicodeDecodeError) as exc:
        raise ImportFileError(f"cannot read the file: {exc}", path=str(path)) from exc


def _read_rows(
    handle: IO[str],
    path: Path,
    wanted: ObservationFormat | None,
    station: str,
    counts: ReadCounts,
) -> Iterator[Observation]:
    reader = csv.reader(handle)
    header = next(reader, None)
    if header is None:
        raise ImportFileError("empty file, expected a header line", line=1, path=str(path))
    header = [column.strip() for column in header]
    found = detect_format(header)
    fmt = wanted or found
    if fmt is None:
        raise ImportFileError(
            f"header fits no observation format ({', '.join(ObservationFormat)}): "
            f"{','.join(header)}",
            line=1,
            path=str(path),
        )
    layout = _LAYOUTS[fmt]
    missing = layout.columns - set(header)
    if missing:
        raise ImportFileError(
            f"header lacks the {fmt} columns {', '.join(sorted(missing))}", line=1, path=str(path)
        )
    for values in reader:
        line = reader.line_num
        if not values:
            continue
        if len(values) != len(header):
            raise ImportFileError(
                f"expected {len(header)} fields, found {len(values)}", line=line, path=str(path)
            )
        row = dict(zip(header, values, strict=True))
        try:
            parsed = layout.parse(row, station)
        except (ValueError, InvalidInputError) as exc:
            raise ImportFileError(str(exc), line=line, path=str(path)) from exc
        if parsed is None:
            counts.skipped += 1
            counts.skipped_lines.append(line)
            continue
        at, temperature, wind, row_station = parsed
        counts.read += 1
        yield Observation(at, temperature, wind, row_station)


def _night_of(local: datetime, night_start: int, night_end: int) -> date | None:
    hour = local.hour
    if night_start > night_end:  # the night spans midnight
        if hour >= night_start:
            return local.date()
        if hour < night_end:
            return local.date() - timedelta(days=1)
        return None
    return local.date() if night_start <= hour < night_end else None


NIGHT_START_HOUR = 18
NIGHT_END_HOUR = 8
"""A night for cold-weather rules: 18:00 up to 08:00 local time (the hours outreach works)."""


def nightly_minimums(
    observations: Iterable[Observation],
    *,
    zone: tzinfo,
    night_start: int = NIGHT_START_HOUR,
    night_end: int = NIGHT_END_HOUR,
) -> list[NightSummary]:
    """Per local night, the minimum air temperature and the minimum feels-like.

    A night runs from ``night_start`` o'clock up to, not including, ``night_end`` o'clock
    local time, and is named by the date of its evening. Feels-like is the wind chill where
    defined, else the air temperature; an hour without a wind speed counts with its air
    temperature and is counted in ``hours_without_wind``. On ties the earliest hour wins.

    Args:
        observations: hourly observations in any order, aware UTC.
        zone: the local time zone that defines the nights.
        night_start: local hour (0-23) the night starts.
        night_end: local hour (0-23) the night ends, exclusive; below ``night_start`` when
            the night spans midnight.

    Returns:
        One summary per night that has observations, ordered by date.

    Raises:
        InvalidInputError: the hours are outside 0-23 or equal.
    """
    for hour in (night_start, night_end):
        if not 0 <= hour <= 23:
            raise InvalidInputError(f"night hours must be 0-23, got {hour}")
    if night_start == night_end:
        raise InvalidInputError("night_start and night_end must differ")
    nights: dict[date, list[Observation]] = {}
    for obs in observations:
        night = _night_of(obs.observed_at.astimezone(zone), night_start, night_end)
        if night is not None:
            nights.setdefault(night, []).append(obs)
    summaries = []
    for night_on in sorted(nights):
        hours = sorted(nights[night_on], key=lambda o: o.observed_at)
        coldest = min(hours, key=lambda o: o.temperature_c)
        coldest_felt = min(hours, key=lambda o: o.feels_like_c)
        summaries.append(
            NightSummary(
                night_on=night_on,
                hours=len(hours),
                min_temperature_c=coldest.temperature_c,
                min_temperature_at=coldest.observed_at,
                min_feels_like_c=coldest_felt.feels_like_c,
                min_feels_like_at=coldest_felt.observed_at,
                hours_without_wind=sum(o.wind_speed_kmh is None for o in hours),
            )
        )
    return summaries
