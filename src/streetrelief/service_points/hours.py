"""Opening hours of service points: OpenStreetMap ``opening_hours`` expressions.

One expression holds the hours per weekday and the exceptions (``Mo-Fr 18:00-08:00; Sa,Su
00:00-24:00; 2026 Jan 28 off``), per the OpenStreetMap specification
(https://wiki.openstreetmap.org/wiki/Key:opening_hours/specification). Parsing and evaluation
are the ``opening-hours-py`` library's; this module only parses once per expression and
evaluates at a point's local time.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

# The library's stubs leave out the ParserError it raises (opening-hours-py 2.1).
from opening_hours import OpeningHours, ParserError  # type: ignore[attr-defined]


@lru_cache(maxsize=4096)
def _parsed(hours: str) -> OpeningHours:
    return OpeningHours(hours)


def check_hours(hours: str) -> str:
    """``hours`` if it is a valid expression.

    Raises:
        ValueError: not an OpenStreetMap opening_hours expression (the parser's message).
    """
    try:
        _parsed(hours)
    except ParserError as exc:
        lines = [line for line in str(exc).splitlines() if line.strip().startswith("= ")]
        why = lines[0].strip()[2:] if lines else "unreadable"
        msg = f"hours {hours!r} are not OpenStreetMap opening_hours syntax: {why}"
        raise ValueError(msg) from exc
    return hours


def is_open_at(hours: str, at: datetime, timezone: str) -> bool:
    """Whether a point with these hours is open at ``at``.

    Args:
        hours: a valid expression (see :func:`check_hours`).
        at: aware moment.
        timezone: the IANA zone of the point's region; the expression is in its local time.
    """
    local = at.astimezone(ZoneInfo(timezone)).replace(tzinfo=None)
    return bool(_parsed(hours).is_open(local))
