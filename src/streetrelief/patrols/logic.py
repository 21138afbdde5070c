"""Pure rules of patrolling: active hours, effective visit intervals, visits due, coverage.

No database here: the service hands in hotspots, check-in times and the factors in force.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from streetrelief.core.errors import InvalidInputError, PolicyError
from streetrelief.core.yamlfile import YAMLFileError, load_yaml

RECENT_FINDINGS_WINDOW = timedelta(days=7)
"""People found at a hotspot within this long make it a hotspot of recent findings."""
RECENT_FINDINGS_FACTOR = 1.5
"""How much more often a hotspot of recent findings is visited (×). Project default: people
who sheltered somewhere tend to come back on the following cold nights (Ministry of Civil
Affairs winter relief notices ask for repeat visits where people were found); set per region."""
MIN_INTERVAL_S = 900
"""No hotspot is due more often than every 15 minutes, whatever the factors."""
NIGHT_START = time(12, 0)
"""A "night" runs from local noon to the next local noon, so that one night's patrols (evening
and early morning) fall in one figure."""

_HOURS = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-4]):([0-5]\d)$")


def parse_active_hours(text: str | None) -> tuple[time, time] | None:
    """``"HH:MM-HH:MM"`` in local time (may wrap midnight, e.g. ``"18:00-08:00"``); None: all day.

    Raises:
        InvalidInputError: not in that form, or a span of zero length.
    """
    if text is None or not text.strip():
        return None
    m = _HOURS.match(text.strip())
    if m is None:
        raise InvalidInputError(
            f"active hours {text!r} are not HH:MM-HH:MM (local time)", field="active_hours"
        )
    h1, m1, h2, m2 = (int(g) for g in m.groups())
    if (h1, m1) == (h2, m2):
        raise InvalidInputError(f"active hours {text!r} span no time", field="active_hours")
    return time(h1, m1), (time(0, 0) if h2 == 24 else time(h2, m2))


def active_spans(
    hours: tuple[time, time] | None, start: datetime, end: datetime, tz: ZoneInfo
) -> list[tuple[datetime, datetime]]:
    """The parts of [start, end) inside the local active hours, as aware datetimes, in order."""
    if hours is None:
        return [(start, end)] if end > start else []
    spans: list[tuple[datetime, datetime]] = []
    day = start.astimezone(tz).date() - timedelta(days=1)
    while datetime.combine(day, time(0), tz) < end:
        opens = datetime.combine(day, hours[0], tz)
        closes = datetime.combine(day, hours[1], tz)
        if closes <= opens:
            closes = datetime.combine(day + timedelta(days=1), hours[1], tz)
        lo, hi = max(opens, start), min(closes, end)
        if hi > lo:
            spans.append((lo, hi))
        day += timedelta(days=1)
    return spans


class HolidayPeriod(BaseModel):
    """Days (inclusive, local dates) on which hotspots are visited more often."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=100)
    start_on: date
    end_on: date
    patrol_factor: float = Field(ge=1.0, le=4.0, description="Visit frequency multiplier (×).")

    @model_validator(mode="after")
    def _ordered(self) -> HolidayPeriod:
        if self.end_on < self.start_on:
            msg = f"{self.name}: end_on is before start_on"
            raise ValueError(msg)
        return self


class HolidayCalendar(BaseModel):
    """A holiday calendar as data: where the dates come from, and the periods."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    source: str = Field(min_length=1)
    periods: tuple[HolidayPeriod, ...]

    def factor_on(self, day: date) -> tuple[float, str | None]:
        """The strongest factor of the periods covering ``day`` and that period's name."""
        best: tuple[float, str | None] = (1.0, None)
        for period in self.periods:
            if period.start_on <= day <= period.end_on and period.patrol_factor > best[0]:
                best = (period.patrol_factor, period.name)
        return best


DEFAULT_CALENDAR = Path(__file__).with_name("holidays_china_2026_27.yaml")


def load_calendar(path: Path | None = None) -> HolidayCalendar:
    """Read a holiday calendar (the shipped China 2026/27 calendar when ``path`` is None).

    Raises:
        PolicyError: the file is not valid YAML or not a calendar.
        OSError: the file cannot be read.
    """
    path = path or DEFAULT_CALENDAR
    try:
        return HolidayCalendar.model_validate(load_yaml(path.read_text(encoding="utf-8")))
    except (YAMLFileError, ValidationError) as exc:
        raise PolicyError(f"{path}: not a holiday calendar: {exc}") from exc


def effective_interval_s(
    interval_s: int, *, level_multiplier: float, holiday_factor: float, has_recent_findings: bool
) -> int:
    """A hotspot's visit interval scaled by the factors in force, in seconds.

    ``interval / (level multiplier * holiday factor * findings factor)``, never below
    :data:`MIN_INTERVAL_S`. Sources: the response level's playbook (``patrol_multiplier``),
    the holiday calendar, and :data:`RECENT_FINDINGS_FACTOR`.
    """
    factor = level_multiplier * holiday_factor
    if has_recent_findings:
        factor *= RECENT_FINDINGS_FACTOR
    return max(MIN_INTERVAL_S, math.floor(interval_s / factor))


@dataclass(frozen=True)
class DueVisit:
    """One visit a hotspot needs: arrive within [earliest_at, latest_at] (aware UTC)."""

    hotspot_id: int
    earliest_at: datetime
    latest_at: datetime
    service_s: int


def visits_due(
    hotspot_id: int,
    *,
    spans: Sequence[tuple[datetime, datetime]],
    interval_s: int,
    service_s: int,
) -> list[DueVisit]:
    """The visits a hotspot needs during its active spans: one per interval-long slot.

    Each span is cut into consecutive slots of ``interval_s`` (the last may be shorter); a
    visit must start inside its slot. A slot shorter than the time on site still asks for a
    visit (the planner reports it as impossible rather than dropping it).
    """
    out: list[DueVisit] = []
    step = timedelta(seconds=interval_s)
    for lo, hi in spans:
        at = lo
        while at < hi:
            out.append(DueVisit(hotspot_id, at, min(at + step, hi), service_s))
            at += step
    return out


@dataclass(frozen=True)
class Coverage:
    """How well one hotspot was covered in a night."""

    hotspot_id: int
    visits: int
    last_visited_at: datetime | None
    longest_gap_s: float
    is_visited: bool
    is_overdue: bool


def coverage(
    hotspot_id: int,
    visit_times: Iterable[datetime],
    *,
    start: datetime,
    end: datetime,
    interval_s: int,
) -> Coverage:
    """Coverage of one hotspot over [start, end).

    The gaps are the times between consecutive moments of: the last visit before ``start``
    (or ``start`` itself when there was none), each visit in the night, and ``end``. The
    hotspot is overdue (a blind spot) when any gap exceeds ``interval_s``.
    """
    times = sorted(visit_times)
    before = [t for t in times if t < start]
    inside = [t for t in times if start <= t < end]
    moments = [before[-1] if before else start, *inside, end]
    longest = max((b - a).total_seconds() for a, b in itertools.pairwise(moments))
    last = inside[-1] if inside else (before[-1] if before else None)
    return Coverage(
        hotspot_id=hotspot_id,
        visits=len(inside),
        last_visited_at=last,
        longest_gap_s=longest,
        is_visited=bool(inside),
        is_overdue=longest > interval_s,
    )


def night_bounds(night: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The night of ``night``: local noon that day to local noon the next, as aware datetimes."""
    return (
        datetime.combine(night, NIGHT_START, tz),
        datetime.combine(night + timedelta(days=1), NIGHT_START, tz),
    )
