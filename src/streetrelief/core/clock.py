"""Clocks: every service reads the time from one of these, never from ``datetime.now``.

``SystemClock`` runs live, ``FixedClock`` is moved by hand in tests, and ``SimClock`` follows a
SimPy environment during replays, so the same code runs in all three.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol

import simpy

from streetrelief.core.errors import InvalidInputError


class Clock(Protocol):
    """Something that tells the current time as an aware UTC datetime."""

    def now(self) -> datetime:
        """Return the current instant, timezone-aware, in UTC."""
        ...


class SystemClock:
    """The wall clock."""

    def now(self) -> datetime:
        """Return the current wall-clock instant in UTC."""
        return datetime.now(UTC)


class FixedClock:
    """A clock that stands still until a test moves it."""

    def __init__(self, at: datetime) -> None:
        self._at = ensure_utc(at)

    def now(self) -> datetime:
        """Return the set instant."""
        return self._at

    def set(self, at: datetime) -> None:
        """Jump to ``at`` (aware datetime)."""
        self._at = ensure_utc(at)

    def advance(self, delta: timedelta) -> None:
        """Move forward by ``delta``."""
        self._at += delta


class SimClock:
    """Simulated time: ``start`` plus the SimPy environment's ``now`` in seconds."""

    def __init__(self, env: simpy.Environment, start: datetime) -> None:
        self.env = env
        self.start = ensure_utc(start)

    def now(self) -> datetime:
        """Return the simulated instant."""
        return self.start + timedelta(seconds=float(self.env.now))


MAX_CLOCK_SKEW = timedelta(minutes=5)
"""How far in the future a reported time may lie: field devices' clocks drift."""


def check_not_future(at: datetime, now: datetime, field: str) -> None:
    """Refuse a time reported from the field that lies ahead of ``now``.

    Raises:
        InvalidInputError: ``at`` is more than ``MAX_CLOCK_SKEW`` after ``now``.
    """
    if at - now > MAX_CLOCK_SKEW:
        raise InvalidInputError(f"{field} lies in the future", field=field)


def ensure_utc(at: datetime) -> datetime:
    """Return ``at`` converted to UTC.

    Raises:
        ValueError: ``at`` is naive (has no UTC offset), so its instant is unknown.
    """
    if at.tzinfo is None or at.utcoffset() is None:
        msg = "datetime without a UTC offset"
        raise ValueError(msg)
    return at.astimezone(UTC)
