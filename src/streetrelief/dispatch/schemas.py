"""API shapes of dispatch."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from streetrelief.core.ids import RecordId


class RecommendationRead(BaseModel):
    """A ranked team for an incident."""

    model_config = ConfigDict(from_attributes=True)

    rank: int
    team_id: int
    team_code: str
    eta_s: float = Field(
        description="Estimated time to reach the incident, seconds: until free, plus travel."
    )
    distance_m: float = Field(description="Estimated travel distance, metres.")
    free_in_s: float = Field(description="Seconds until the team clears its current job.")
    is_estimate_fallback: bool
    has_all_capabilities: bool
    missing_capabilities: list[str]
    is_shift_too_short: bool
    is_position_stale: bool
    dispatches_24h: int
    explanation: str


class DispatchCreate(BaseModel):
    """A dispatcher's confirmation: send this team."""

    model_config = ConfigDict(extra="forbid")

    team_id: RecordId


class DispatchRead(BaseModel):
    """A dispatch with its timeline (UTC)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    incident_id: int
    team_id: int
    is_automatic: bool
    assigned_by: str | None
    estimated_travel_s: float
    is_estimate_fallback: bool
    assigned_at: datetime
    acknowledged_at: datetime | None
    en_route_at: datetime | None
    on_scene_at: datetime | None
    cleared_at: datetime | None
    outcome: str | None
