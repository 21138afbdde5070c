"""API and service shapes of hotspots, check-ins, patrol plans and coverage."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator, model_validator

from streetrelief.core.errors import InvalidInputError
from streetrelief.core.ids import MAX_RECORD_ID
from streetrelief.core.text import Text
from streetrelief.patrols.logic import parse_active_hours
from streetrelief.patrols.models import CheckInMethod, HotspotKind, HotspotStatus, PlanStatus

RecordId = Annotated[int, Field(ge=1, le=MAX_RECORD_ID)]
DEFAULT_INTERVAL_S = 4 * 3600
DEFAULT_SERVICE_S = 600
DEFAULT_RADIUS_M = 50.0


def _hours(value: str | None) -> str | None:
    try:
        parse_active_hours(value)
    except InvalidInputError as exc:
        raise ValueError(exc.detail) from exc
    return value.strip() if value else None


class HotspotCreate(BaseModel):
    """A new hotspot (WGS-84); imports and the API both use this shape."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, str_strip_whitespace=True)

    code: str = Field(min_length=1, max_length=64, pattern=r"^[0-9A-Za-z_.:/-]+$")
    name: Text = Field(min_length=1, max_length=200)
    kind: HotspotKind
    region_code: str = Field(max_length=32)
    lat: float = Field(ge=-90, le=90, description="Latitude of the point or area centre, WGS-84.")
    lon: float = Field(ge=-180, le=180, description="Longitude, WGS-84 degrees.")
    radius_m: float = Field(
        DEFAULT_RADIUS_M, gt=0, le=5000, description="Area radius; a check-in within it counts."
    )
    interval_s: int = Field(
        DEFAULT_INTERVAL_S, ge=900, le=14 * 86400, description="Base visit interval, seconds."
    )
    active_hours: str | None = Field(
        None, max_length=32, description="Local HH:MM-HH:MM when visits are due; none: all day."
    )
    service_s: int = Field(
        DEFAULT_SERVICE_S, ge=60, le=4 * 3600, description="Time on site per visit, seconds."
    )
    check_in_code: str | None = Field(
        None, min_length=4, max_length=32, description="Code posted at the place for check-ins."
    )
    notes: Text = Field("", max_length=2000)
    status: HotspotStatus = HotspotStatus.active
    source: str | None = Field(None, max_length=200, description="Where it came from (OSM tags).")

    _check_hours = field_validator("active_hours")(_hours)


class HotspotUpdate(BaseModel):
    """Fields to change; omitted ones stay. A dispatcher activates or retires candidates here."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, str_strip_whitespace=True)

    name: Text | None = Field(None, min_length=1, max_length=200)
    kind: HotspotKind | None = None
    status: HotspotStatus | None = None
    radius_m: float | None = Field(None, gt=0, le=5000)
    interval_s: int | None = Field(None, ge=900, le=14 * 86400)
    active_hours: str | None = Field(None, max_length=32)
    service_s: int | None = Field(None, ge=60, le=4 * 3600)
    check_in_code: str | None = Field(None, min_length=4, max_length=32)
    notes: Text | None = Field(None, max_length=2000)

    _check_hours = field_validator("active_hours")(_hours)


class HotspotRead(BaseModel):
    """A hotspot as the console shows it."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    name: str
    kind: HotspotKind
    lat: float
    lon: float
    region_code: str
    status: HotspotStatus
    radius_m: float
    interval_s: int = Field(description="Base visit interval, seconds.")
    active_hours: str | None
    service_s: int
    notes: str
    source: str | None
    last_visited_at: datetime | None
    next_due_at: datetime | None = Field(
        description="Last visit plus the base interval; None when never visited or not active."
    )
    is_overdue: bool = Field(description="Active, and never visited or past its next due time now.")


class CheckInCreate(BaseModel):
    """A team's check-in at a hotspot: a position inside its geofence, or its posted code."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, str_strip_whitespace=True)

    team_id: RecordId
    lat: float | None = Field(None, ge=-90, le=90, description="Position, WGS-84 degrees.")
    lon: float | None = Field(None, ge=-180, le=180)
    code: str | None = Field(None, min_length=1, max_length=32, description="The posted code.")
    people_found: int = Field(0, ge=0, le=500, description="People found in the cold there.")
    conditions: list[str] = Field(
        default_factory=list, max_length=20, description="Triage condition codes observed."
    )
    note: Text = Field("", max_length=2000)
    checked_in_at: AwareDatetime = Field(description="When the team was there, with UTC offset.")

    @model_validator(mode="after")
    def _proof(self) -> CheckInCreate:
        if (self.lat is None) != (self.lon is None):
            msg = "give both lat and lon, or neither"
            raise ValueError(msg)
        if self.lat is None and self.code is None:
            msg = "give a position (lat, lon) or the code posted at the place"
            raise ValueError(msg)
        return self


class CheckInRead(BaseModel):
    """A recorded check-in."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    hotspot_id: int
    team_id: int
    checked_in_at: datetime
    method: CheckInMethod
    distance_m: float | None = Field(description="From the hotspot's centre, metres.")
    people_found: int
    conditions: list[str]
    note: str
    report_id: int | None = Field(description="The 'patrol' report made for people found.")


class CheckInAccepted(BaseModel):
    """The answer to a check-in: the check-in and any report it made."""

    check_in: CheckInRead
    report_id: int | None = Field(description="The 'patrol' report made for people found.")
    incident_id: int | None = Field(description="The incident that report opened or joined.")


class PlanRequest(BaseModel):
    """Plan a shift's patrols in a region."""

    model_config = ConfigDict(extra="forbid")

    region_code: str = Field(max_length=32)
    shift_start_at: AwareDatetime
    shift_end_at: AwareDatetime
    team_ids: list[RecordId] | None = Field(
        None, max_length=200, description="Teams on the shift; default: the region's teams."
    )
    time_limit_s: float = Field(10.0, gt=0, le=300, description="Solver time limit, seconds.")
    replans_id: RecordId | None = Field(
        None, description="Replan this plan from now, keeping visits already made."
    )


class StopRead(BaseModel):
    """A visit of a plan: to a hotspot, or to a revisit of someone who refused help."""

    model_config = ConfigDict(from_attributes=True)

    hotspot_id: int | None = Field(description="The hotspot visited; None on a revisit's stop.")
    revisit_id: int | None = Field(
        description="The revisit of someone who refused help, on a revisit's stop."
    )
    team_id: int | None
    sequence: int | None
    earliest_at: datetime
    latest_at: datetime
    arrive_at: datetime | None
    service_s: int
    check_in_id: int | None = Field(description="Set when the visit was made (kept on replans).")
    reason: str | None = Field(description="Why the visit is not planned, when it is not.")


class PlanRead(BaseModel):
    """A patrol plan."""

    id: int
    region_code: str
    shift_start_at: datetime
    shift_end_at: datetime
    planned_from_at: datetime
    status: PlanStatus
    level: str
    patrol_multiplier: float
    holiday: str | None
    solver: str
    time_limit_s: float
    message: str
    replans_id: int | None
    created_at: datetime
    stops: list[StopRead]


class HotspotCoverage(BaseModel):
    """One hotspot's coverage in a night."""

    hotspot_id: int
    name: str
    kind: HotspotKind
    region_code: str
    lat: float
    lon: float
    interval_s: int = Field(description="Effective interval that night, seconds.")
    visits: int
    last_visited_at: datetime | None
    longest_gap_s: float
    is_visited: bool
    is_overdue: bool = Field(description="A gap longer than the interval: a blind spot.")


class RegionCoverage(BaseModel):
    """Coverage figures of one region in a night."""

    region_code: str
    hotspots: int
    visited: int
    overdue: int
    check_ins: int
    share_within_interval: float | None


class CoverageReport(BaseModel):
    """Coverage of a region subtree's active hotspots over one night (local noon to noon)."""

    region_code: str
    night: date
    start: datetime
    end: datetime
    hotspots: list[HotspotCoverage]
    regions: list[RegionCoverage]


class CoverageComparison(BaseModel):
    """Two nights side by side: figures by region and the change."""

    before: CoverageReport
    after: CoverageReport
    change: list[RegionChange]


class RegionChange(BaseModel):
    """How a region's coverage changed from one night to the other."""

    region_code: str
    visited_change: int
    overdue_change: int
    share_change: float | None
