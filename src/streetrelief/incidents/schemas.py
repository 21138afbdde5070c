"""API shapes of incidents."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from streetrelief.incidents.models import IncidentStatus, Priority

MAX_OFFSET = 2**63 - 1
"""Largest paging offset: SQLite and PostgreSQL take OFFSET as a signed 64-bit integer."""


class IncidentRead(BaseModel):
    """An incident with its triage outcome and lifecycle timestamps (UTC)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    region_code: str
    lat: float
    lon: float
    status: IncidentStatus
    is_open: bool
    first_channel: str
    conditions: list[str]
    people_count: int
    report_count: int
    first_reported_at: datetime
    last_reported_at: datetime
    priority: Priority | None
    measures: list[str]
    destination: str | None
    response_target_s: int | None
    triage_rules: list[str]
    triage_policy_version: str | None
    created_at: datetime
    triaged_at: datetime | None
    dispatched_at: datetime | None
    en_route_at: datetime | None
    on_scene_at: datetime | None
    resolved_at: datetime | None
    not_found_at: datetime | None
    cancelled_at: datetime | None
    closing_note: str | None


MAP_LIMIT = 20_000
"""Most incidents on one map answer: far above a city's open incidents on a cold night."""


class PointGeometry(BaseModel):
    """A GeoJSON point (RFC 7946): ``coordinates`` are [lon, lat], WGS-84 degrees."""

    type: Literal["Point"] = "Point"
    coordinates: tuple[float, float]


class IncidentMapProperties(BaseModel):
    """What a map marker and a queue row show of an incident."""

    id: int
    region_code: str
    status: IncidentStatus
    is_open: bool
    priority: Priority | None
    people_count: int
    report_count: int
    first_reported_at: datetime
    response_target_s: int | None = Field(description="Time allowed to reach it, seconds.")


class IncidentFeature(BaseModel):
    """One incident as a GeoJSON feature."""

    type: Literal["Feature"] = "Feature"
    id: int
    geometry: PointGeometry
    properties: IncidentMapProperties


class IncidentFeatureCollection(BaseModel):
    """Incidents as a GeoJSON FeatureCollection (RFC 7946)."""

    type: Literal["FeatureCollection"] = "FeatureCollection"
    features: list[IncidentFeature]


QUEUE_ROWS = 300
"""Queue rows given by default, what the console shows (it showed as many when it sorted every
open incident itself); the map shows every open incident."""
QUEUE_MAX_ROWS = 1000
"""Most queue rows one answer gives."""


class IncidentQueue(BaseModel):
    """The most urgent open incidents, by priority (critical first, untriaged last), then
    waiting longest first; ``total`` counts every open incident of the region."""

    total: int
    items: list[IncidentMapProperties]


class IncidentQueueFilter(BaseModel):
    """Query of ``GET /api/v1/incidents/queue``."""

    model_config = ConfigDict(extra="forbid")

    region_code: str | None = Field(None, max_length=32)
    limit: int = Field(QUEUE_ROWS, ge=1, le=QUEUE_MAX_ROWS, description="Rows to return.")


POINT_DECIMALS = 5
"""Decimals of a degree kept in map points: 1e-5° is 1.1 m of latitude (and less of longitude),
finer than any marker on a city map."""


class IncidentPoints(BaseModel):
    """Open incidents as compact map points: each ``[id, lon, lat, priority, status]``, lon and
    lat in WGS-84 degrees rounded to ``POINT_DECIMALS`` decimals, priority null when not
    triaged."""

    points: list[tuple[int, float, float, Priority | None, IncidentStatus]]


class IncidentPointsFilter(BaseModel):
    """Query of ``GET /api/v1/incidents/points``."""

    model_config = ConfigDict(extra="forbid")

    region_code: str | None = Field(None, max_length=32)


class IncidentMapFilter(BaseModel):
    """Query of ``GET /api/v1/incidents.geojson``."""

    model_config = ConfigDict(extra="forbid")

    region_code: str | None = Field(None, max_length=32)
    is_open: bool | None = Field(True, description="Open incidents only (the default).")


class TransitionTarget(StrEnum):
    """Statuses a client may move an incident to (triage and dispatch have their own calls)."""

    en_route = "en_route"
    on_scene = "on_scene"
    resolved = "resolved"
    not_found = "not_found"
    cancelled = "cancelled"


class TransitionRequest(BaseModel):
    """A status change requested by a dispatcher or the team."""

    model_config = ConfigDict(extra="forbid")

    to: TransitionTarget
    at: AwareDatetime | None = Field(None, description="When it happened; now when omitted.")
    note: str | None = Field(None, max_length=1000)


class IncidentFilter(BaseModel):
    """Query parameters of the incident list."""

    model_config = ConfigDict(extra="forbid")

    region_code: str | None = None
    status: IncidentStatus | None = None
    is_open: bool | None = None
    limit: int = Field(100, ge=1, le=1000)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)
