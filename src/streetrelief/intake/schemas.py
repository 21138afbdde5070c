"""API shapes of reports."""

from __future__ import annotations

from datetime import datetime

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from streetrelief.core.datum import CoordinateSystem
from streetrelief.core.text import Text
from streetrelief.intake.models import Channel


class ReportCreate(BaseModel):
    """A report as a channel hands it in. Coordinates are WGS-84 degrees."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, str_strip_whitespace=True)

    channel: Channel = Field(description="Where the report came from.")
    reported_at: AwareDatetime = Field(
        description="When the reporter saw the situation, ISO 8601 with a UTC offset."
    )
    lat: float = Field(ge=-90, le=90, description="Latitude, degrees in ``coordinate_system``.")
    lon: float = Field(ge=-180, le=180, description="Longitude, degrees in ``coordinate_system``.")
    coordinate_system: CoordinateSystem = Field(
        CoordinateSystem.wgs84,
        description="Datum of lat/lon: wgs84 (GPS), gcj02 (AMap, Tencent) or bd09 (Baidu); "
        "stored as WGS-84.",
    )
    description: Text = Field("", max_length=2000, description="What the reporter saw.")
    conditions: list[str] = Field(
        default_factory=list,
        max_length=20,
        description="Observed condition codes from the triage policy (e.g. 'elderly').",
    )
    people_count: int = Field(1, ge=1, le=500, description="How many people need help.")
    source_id: Text | None = Field(
        None, max_length=128, description="The channel's own id for this report."
    )
    reporter_contact: Text | None = Field(
        None, max_length=200, description="How to reach the reporter (private)."
    )
    region_code: Text | None = Field(
        None, max_length=32, description="Region code; found from the location when omitted."
    )
    address: Text | None = Field(None, max_length=400, description="Address as given.")
    service_code: Text | None = Field(
        None, max_length=64, description="Open311 service code the report was filed under."
    )
    media_url: Text | None = Field(
        None, max_length=2000, pattern=r"^https?://", description="Link to a photo (http/https)."
    )


class ReportAccepted(BaseModel):
    """The answer to an accepted report."""

    report_id: int
    incident_id: int
    is_merged: bool = Field(description="True when the report joined an open incident.")
    merge_reason: str | None
    region_code: str
    location_note: str | None = Field(
        description="A doubt about the place for the dispatcher (address and coordinates "
        "disagree, or the location is a region centre)."
    )
    needs_confirmation: bool = Field(
        description="From a machine source: not dispatched until a person confirms it."
    )
    incident_status: str
    priority: str | None
    dispatch_id: int | None = Field(description="Automatic dispatch made for it, if any.")
    tracking_code: str | None = Field(description="Lets the reporter follow the report.")


class ReportReceipt(BaseModel):
    """What the public is told when their report is accepted."""

    tracking_code: str
    received_at: datetime
    status: str = Field(description="received, help_on_the_way, helped or closed.")


class ReportRead(BaseModel):
    """A stored report (reporter contact omitted)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    channel: Channel
    reported_at: datetime
    received_at: datetime
    lat: float
    lon: float
    region_code: str
    description: str
    conditions: list[str]
    people_count: int
    source_id: str | None
    incident_id: int
    is_merged: bool
    merge_reason: str | None
    source_crs: str
    location_note: str | None
    needs_confirmation: bool
    is_confirmed: bool | None
