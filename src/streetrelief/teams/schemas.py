"""API and service shapes of teams."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from streetrelief.teams.models import Capability, Department, TeamStatus, TravelMode


class TeamMemberIn(BaseModel):
    """A member as given when creating or updating a team."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=200)
    department: Department
    role: str | None = Field(None, max_length=64)


class TeamMemberRead(TeamMemberIn):
    """A member as shown."""

    model_config = ConfigDict(from_attributes=True)

    id: int


class TeamCreate(BaseModel):
    """A new team, based at a point (WGS-84)."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, str_strip_whitespace=True)

    code: str = Field(min_length=1, max_length=64, pattern=r"^[0-9A-Za-z_.-]+$")
    name: str = Field(min_length=1, max_length=200)
    region_code: str = Field(max_length=32)
    capabilities: list[Capability] = Field(default_factory=list)
    vehicle: str | None = Field(
        None, max_length=64, description="Plate or call sign; none on foot."
    )
    base_lat: float = Field(ge=-90, le=90, description="Home base latitude, WGS-84 degrees.")
    base_lon: float = Field(ge=-180, le=180, description="Home base longitude, WGS-84 degrees.")
    status: Literal[TeamStatus.available, TeamStatus.off_duty] = Field(
        TeamStatus.available, description="A new team starts available or off duty."
    )
    shift_ends_at: AwareDatetime | None = Field(
        None, description="When its shift ends, for a team starting available; see MAX_SHIFT."
    )
    members: list[TeamMemberIn] = Field(default_factory=list, max_length=50)


class TeamUpdate(BaseModel):
    """Fields to change; omitted ones stay."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, str_strip_whitespace=True)

    name: str | None = Field(None, min_length=1, max_length=200)
    capabilities: list[Capability] | None = None
    vehicle: str | None = Field(None, max_length=64)
    base_lat: float | None = Field(None, ge=-90, le=90)
    base_lon: float | None = Field(None, ge=-180, le=180)
    members: list[TeamMemberIn] | None = Field(None, max_length=50)
    shift_ends_at: AwareDatetime | None = Field(
        None, description="When the on-duty team's shift ends; null: not known."
    )


class TeamStatusUpdate(BaseModel):
    """A status or position report from the team."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    status: TeamStatus | None = None
    lat: float | None = Field(None, ge=-90, le=90)
    lon: float | None = Field(None, ge=-180, le=180)
    at: AwareDatetime | None = Field(None, description="When; now when omitted.")
    shift_ends_at: AwareDatetime | None = Field(
        None, description="When the shift ends, given on coming on duty (or to change it)."
    )


class TeamRead(BaseModel):
    """A team as shown, with its status and last position."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    name: str
    region_code: str
    capabilities: list[str]
    vehicle: str | None
    mode: TravelMode
    base_lat: float
    base_lon: float
    status: TeamStatus
    status_at: datetime
    last_lat: float
    last_lon: float
    position_at: datetime
    shift_ends_at: datetime | None
    members: list[TeamMemberRead]
