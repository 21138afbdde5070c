"""The parsed shape of a CAP 1.2 alert message, as frozen plain data.

Field names are the CAP 1.2 element names in snake_case (OASIS CAP 1.2, 2010, §3.2); lists of
repeated elements are tuples so that an alert can be hashed and shared safely. This module only
describes the data; `streetrelief.weather.cap.parse` builds it and enforces the rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

CAP_1_2 = "1.2"

ValuePair = tuple[str, str]
"""A CAP ``valueName``/``value`` pair (OASIS CAP 1.2, 2010, §3.2.2 eventCode, parameter;
§3.2.4 geocode)."""

LatLon = tuple[float, float]
"""A WGS-84 point as (lat, lon) in degrees; CAP writes it as ``lat,lon`` (CAP 1.2, §3.2.4)."""


class CapReference(NamedTuple):
    """One earlier message named in ``<references>`` as ``sender,identifier,sent``.

    Source: OASIS CAP 1.2 (2010), §3.2.1 ``references``.
    """

    sender: str
    identifier: str
    sent: datetime


class CapCircle(NamedTuple):
    """A circular area: centre (lat, lon) in WGS-84 degrees and a radius in km (0 is a point).

    Source: OASIS CAP 1.2 (2010), §3.2.4 ``circle``.
    """

    lat: float
    lon: float
    radius_km: float


@dataclass(frozen=True, slots=True)
class CapArea:
    """One ``<area>`` of an info block (OASIS CAP 1.2, 2010, §3.2.4).

    ``polygons`` are closed rings of (lat, lon) pairs (first pair == last pair); ``altitude``
    and ``ceiling`` are in feet above mean sea level, as CAP gives them.
    """

    area_desc: str
    polygons: tuple[tuple[LatLon, ...], ...] = ()
    circles: tuple[CapCircle, ...] = ()
    geocodes: tuple[ValuePair, ...] = ()
    altitude: float | None = None
    ceiling: float | None = None


@dataclass(frozen=True, slots=True)
class CapInfo:
    """One ``<info>`` block: the event in one language (OASIS CAP 1.2, 2010, §3.2.2).

    Every datetime is timezone-aware UTC.
    """

    language: str
    categories: tuple[str, ...]
    event: str
    urgency: str
    severity: str
    certainty: str
    response_types: tuple[str, ...] = ()
    audience: str | None = None
    event_codes: tuple[ValuePair, ...] = ()
    effective: datetime | None = None
    onset: datetime | None = None
    expires: datetime | None = None
    sender_name: str | None = None
    headline: str | None = None
    description: str | None = None
    instruction: str | None = None
    web: str | None = None
    contact: str | None = None
    parameters: tuple[ValuePair, ...] = ()
    areas: tuple[CapArea, ...] = ()


@dataclass(frozen=True, slots=True)
class CapAlert:
    """One CAP ``<alert>`` message (OASIS CAP 1.2, 2010, §3.2.1).

    ``sent`` is timezone-aware UTC. ``raw`` holds the bytes of the document the alert came
    from exactly as received (for an ``<alerts>`` collection, the whole collection), and
    ``source`` says where they came from (a path or a URL).
    """

    identifier: str
    sender: str
    sent: datetime
    status: str
    msg_type: str
    scope: str
    source: str
    raw: bytes = field(repr=False)
    cap_version: str = CAP_1_2
    restriction: str | None = None
    addresses: str | None = None
    codes: tuple[str, ...] = ()
    note: str | None = None
    references: tuple[CapReference, ...] = ()
    incidents: str | None = None
    infos: tuple[CapInfo, ...] = ()


class AtomEntry(NamedTuple):
    """A CAP alert an Atom index links to: its URL and, when the entry gives them, the alert's
    ``cap:identifier`` and ``cap:sent`` (aware UTC), as MeteoAlarm's feeds do.

    Source: RFC 4287 (Atom, 2005), §4.1.2 entry, §4.2.7 link; OASIS CAP 1.2 (2010), §3.2.1.
    """

    url: str
    identifier: str | None = None
    sent: datetime | None = None
