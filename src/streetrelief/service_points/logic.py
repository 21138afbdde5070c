"""Pure rules of service points: is a point open, does it take this person.

No database: the nearest index and the holds evaluate these over plain values.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from streetrelief.service_points.hours import is_open_at
from streetrelief.service_points.models import POPULATIONS, Attribute


def is_open(
    *,
    is_active: bool,
    standby_level: int | None,
    hours: str,
    at: datetime,
    timezone: str,
    level: int,
) -> bool:
    """Whether a point is open at ``at``.

    An active point is open within its hours. A standby point (not active) is open within its
    hours once its region's response level (``level``, a ``ResponseLevel`` value) reaches its
    ``standby_level``; without one it stays shut until staff make it active.

    Args:
        hours: OpenStreetMap opening_hours expression in the region's local time.
        at: aware moment.
        timezone: the IANA zone of the point's region.
    """
    if not is_active and (standby_level is None or level < standby_level):
        return False
    return is_open_at(hours, at, timezone)


def takes(
    *,
    attributes: Collection[str],
    languages: Collection[str],
    requires_id: bool,
    needs: Collection[Attribute],
    has_id: bool,
    language: str | None,
) -> bool:
    """Whether a point takes a person with these needs.

    The person's population needs (men, women, families, youth) are met by a point naming
    that population, or naming none (it takes anyone); pets and wheelchair access must be
    named. A point asking for ID does not take someone without one; a language asked for must
    be spoken (its primary subtag: ``zh`` matches ``zh-Hans``).
    """
    named = set(attributes)
    populations = named & POPULATIONS
    for need in needs:
        if need in POPULATIONS:
            if populations and need not in populations:
                return False
        elif need not in named:
            return False
    if requires_id and not has_id:
        return False
    if language is not None:
        wanted = language.split("-")[0].lower()
        if wanted not in {tag.split("-")[0].lower() for tag in languages}:
            return False
    return True
