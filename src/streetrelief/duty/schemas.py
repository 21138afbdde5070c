"""API and service shapes of the duty roster."""

from __future__ import annotations

from datetime import datetime

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from streetrelief.duty.models import DutyRole

MAX_SHIFT_S = 24 * 3600
"""The longest shift accepted: 24 hours. A longer one is almost always a typing slip in a date
(a streetrelief campaign choice, 2026-11-29)."""


class ShiftCreate(BaseModel):
    """A shift to add to the roster."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    region_code: str = Field(min_length=1, max_length=32)
    station: str | None = Field(
        None,
        max_length=64,
        description="Service point code; empty or None for the region's command centre.",
    )
    role: DutyRole
    person_name: str = Field(min_length=1, max_length=200, description="Staff member's name.")
    contact: str | None = Field(None, max_length=200, description="Phone or radio call sign.")
    start_at: AwareDatetime = Field(description="Start, with a UTC offset (stored in UTC).")
    end_at: AwareDatetime = Field(description="End (exclusive), with a UTC offset.")

    @model_validator(mode="after")
    def _ordered(self) -> ShiftCreate:
        if self.end_at <= self.start_at:
            msg = "end_at must be after start_at"
            raise ValueError(msg)
        if (self.end_at - self.start_at).total_seconds() > MAX_SHIFT_S:
            msg = "a shift may last at most 24 hours"
            raise ValueError(msg)
        if self.station == "":
            self.station = None
        return self


class ShiftRead(BaseModel):
    """A shift on the roster."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    region_code: str
    service_point_id: int | None
    station: str = Field(description="Service point code, or 'command_centre'.")
    role: DutyRole
    person_name: str
    contact: str | None
    start_at: datetime
    end_at: datetime


class CoverageGap(BaseModel):
    """A period nobody in a role is on duty: UTC, and the region's local time for display."""

    start_at: datetime
    end_at: datetime
    start_local: str = Field(description="Start in the region's local time, ISO 8601.")
    end_local: str = Field(description="End in the region's local time, ISO 8601.")
    duration_s: int


class CoverageReport(BaseModel):
    """Gaps of one role's coverage in a region over a window."""

    region_code: str
    role: DutyRole
    timezone: str
    window_start_at: datetime
    window_end_at: datetime
    gaps: list[CoverageGap]
