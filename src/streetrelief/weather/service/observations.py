"""Use cases of stored weather readings: import observation files, list readings, and the latest
conditions of a region.

Owns storing each hourly reading once per (region, hour, observed or forecast, station) and the
wind chill stored beside it. An import emits no domain event: readings change nothing by
themselves; a response reassessment reads them and logs what they triggered. Reading
the file formats is left to ``weather.observations``, the wind chill formula to
``weather.windchill``, and what a reading means for the response level to the response policy.
Regions are read through the regions service only.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime, timedelta, tzinfo
from pathlib import Path

from sqlalchemy.orm import Session

from streetrelief.core.clock import ensure_utc
from streetrelief.core.errors import ImportFileError, InvalidInputError
from streetrelief.db.outbox import serialize_writers
from streetrelief.regions.service import require_region
from streetrelief.weather import repository
from streetrelief.weather.models import WeatherObservation
from streetrelief.weather.observations import (
    NIGHT_END_HOUR,
    Observation,
    ObservationFormat,
    ReadCounts,
    nightly_minimums,
    read_observations,
)
from streetrelief.weather.schemas import (
    MAX_OBSERVATIONS_PAGE,
    ObservationRead,
    ObservationsImported,
)
from streetrelief.weather.windchill import wind_chill_c

IMPORT_BATCH_ROWS = 2000
"""Readings inserted per statement: few round trips, and a batch's duplicate check stays one
small range query."""

STATION_MAX_CHARS = 64
SOURCE_MAX_CHARS = 255

ProgressCallback = Callable[[int], None]
"""Called after each batch with the data rows handled so far (stored, repeated or skipped)."""


def import_observations(
    session: Session,
    path: Path | str,
    *,
    region_code: str,
    fmt: ObservationFormat | str | None = None,
    station: str | None = None,
    issued_at: datetime | None = None,
    on_progress: ProgressCallback | None = None,
) -> ObservationsImported:
    """Store the hourly readings of an observation file for a region; stored ones are kept.

    Each reading is stored with its wind chill (2001 JAG/TI, ``weather.windchill``), None
    outside the index's validity range or when the file has no wind speed. A reading whose
    (region, hour, station) is stored already, or repeats within the file, is counted and left
    alone, so importing the same file again stores nothing.

    Args:
        path: an hourly CSV file (``.csv`` or ``.csv.gz``) in a format of
            ``weather.observations``.
        region_code: the region the readings are for.
        fmt: the file format; recognised from the header line when None.
        station: station name for formats without a station column (default: the file name).
        issued_at: when given, the readings are a forecast issued then (aware); otherwise they
            are observations.
        on_progress: told the rows handled after each batch (for a progress bar).

    Returns:
        Rows read and skipped (as the reader counts them) and readings stored and repeated.

    Raises:
        UnknownRegionError: no such region.
        ImportFileError: the file is unreadable or malformed (names the line), or a station
            name is longer than 64 characters. Batches already inserted are in the caller's
            transaction, which must roll back (the CLI and API do).
        InvalidInputError: ``issued_at`` is naive.
    """
    path = Path(path)
    require_region(session, region_code)
    if issued_at is not None:
        if issued_at.utcoffset() is None:
            raise InvalidInputError("issued_at needs a UTC offset", field="issued_at")
        issued_at = ensure_utc(issued_at)
    serialize_writers(session)
    counts = ReadCounts()
    is_forecast = issued_at is not None
    source = path.name[:SOURCE_MAX_CHARS]
    stored = repeated = 0
    for batch in _batches(read_observations(path, fmt=fmt, station=station, counts=counts)):
        known = repository.stored_reading_keys(
            session,
            region_code,
            is_forecast=is_forecast,
            start=min(o.observed_at for o in batch),
            end=max(o.observed_at for o in batch),
        )
        rows: list[dict[str, object]] = []
        for obs in batch:
            key = (obs.observed_at, _station(obs, path))
            if key in known:
                repeated += 1
                continue
            known.add(key)
            rows.append(_row(obs, region_code, is_forecast, issued_at, source))
        repository.add_readings(session, rows)
        stored += len(rows)
        if on_progress is not None:
            on_progress(counts.read + counts.skipped)
    return ObservationsImported(
        source=str(path),
        region_code=region_code,
        read=counts.read,
        stored=stored,
        already_stored=repeated,
        skipped=counts.skipped,
    )


def latest_conditions(
    session: Session, region_code: str, *, at: datetime, max_age: timedelta | None = None
) -> ObservationRead | None:
    """The latest observation at or before ``at`` of the region or its nearest ancestor.

    The region's own readings win; failing those, its parent's, and so on up to the root.

    Args:
        region_code: the region.
        at: the instant (aware).
        max_age: when given, a reading older than this before ``at`` does not count.

    Returns:
        The reading, or None when neither the region nor an ancestor has one in the window.

    Raises:
        UnknownRegionError: no such region.
        InvalidInputError: ``at`` is naive.
    """
    if at.utcoffset() is None:
        raise InvalidInputError("at needs a UTC offset", field="at")
    at = ensure_utc(at)
    since = at - max_age if max_age is not None else None
    region = require_region(session, region_code)
    for code in reversed([c for c in region.path.strip("/").split("/") if c]):
        row = repository.latest_reading(session, code, at=at, since=since)
        if row is not None:
            return ObservationRead.model_validate(row)
    return None


def list_observations(
    session: Session,
    *,
    region_code: str,
    start: datetime | None = None,
    end: datetime | None = None,
    is_forecast: bool = False,
    limit: int = 500,
    offset: int = 0,
) -> Sequence[WeatherObservation]:
    """A region's own readings from ``start`` (inclusive) to ``end`` (exclusive), oldest first.

    Args:
        start, end: aware instants; open-ended when None.
        is_forecast: forecasts instead of observations.
        limit: at most this many (capped at ``MAX_OBSERVATIONS_PAGE``); ``offset`` pages on.

    Raises:
        UnknownRegionError: no such region.
        InvalidInputError: a naive time, or ``limit`` outside 1 to ``MAX_OBSERVATIONS_PAGE``.
    """
    require_region(session, region_code)
    for name, value in (("start", start), ("end", end)):
        if value is not None and value.utcoffset() is None:
            raise InvalidInputError(f"{name} needs a UTC offset", field=name)
    if not 1 <= limit <= MAX_OBSERVATIONS_PAGE:
        raise InvalidInputError(f"limit must be 1 to {MAX_OBSERVATIONS_PAGE}", field="limit")
    return repository.readings(
        session,
        region_code,
        is_forecast=is_forecast,
        start=ensure_utc(start) if start is not None else None,
        end=ensure_utc(end) if end is not None else None,
        limit=limit,
        offset=offset,
    )


def _batches(observations: Iterable[Observation]) -> Iterator[list[Observation]]:
    iterator = iter(observations)
    while batch := list(itertools.islice(iterator, IMPORT_BATCH_ROWS)):
        yield batch


def _station(obs: Observation, path: Path) -> str:
    if len(obs.station) > STATION_MAX_CHARS:
        raise ImportFileError(
            f"station name longer than {STATION_MAX_CHARS} characters: {obs.station[:80]!r}",
            path=str(path),
        )
    return obs.station


def _row(
    obs: Observation,
    region_code: str,
    is_forecast: bool,
    issued_at: datetime | None,
    source: str,
) -> dict[str, object]:
    chill = (
        wind_chill_c(obs.temperature_c, obs.wind_speed_kmh)
        if obs.wind_speed_kmh is not None
        else None
    )
    return {
        "region_code": region_code,
        "observed_at": obs.observed_at,
        "is_forecast": is_forecast,
        "issued_at": issued_at,
        "station": obs.station,
        "temperature_c": obs.temperature_c,
        "wind_speed_kmh": obs.wind_speed_kmh,
        "wind_chill_c": chill,
        "source": source,
    }


def earlier_night_minimums(
    session: Session, region_code: str, *, at: datetime, zone: tzinfo, nights: int
) -> tuple[float, ...]:
    """Minimum air temperature, °C, of each of the nights just before the one ``at`` belongs
    to, oldest first: at most ``nights`` of them, back to the first night without readings.

    Nights run 18:00-08:00 local time (``weather.observations.nightly_minimums``); during the
    day the night just ended counts as an earlier one. Readings are the region's own, else its
    nearest ancestor's, as for :func:`latest_conditions`. Rules over several days (e.g. a
    province's "low temperature on three days running") read these.

    Raises:
        UnknownRegionError: no such region.
    """
    at = ensure_utc(at)
    local = at.astimezone(zone)
    current = local.date() - timedelta(days=1) if local.hour < NIGHT_END_HOUR else local.date()
    start = at - timedelta(days=nights + 2)
    region = require_region(session, region_code)
    rows: Sequence[WeatherObservation] = ()
    for code in reversed([c for c in region.path.strip("/").split("/") if c]):
        rows = repository.readings_between(session, code, start=start, end=at)
        if rows:
            break
    observations = [
        Observation(r.observed_at, r.temperature_c, r.wind_speed_kmh, r.station) for r in rows
    ]
    by_night = {n.night_on: n.min_temperature_c for n in nightly_minimums(observations, zone=zone)}
    earlier: list[float] = []
    night = current - timedelta(days=1)
    while night in by_night and len(earlier) < nights:
        earlier.append(by_night[night])
        night -= timedelta(days=1)
    return tuple(reversed(earlier))
