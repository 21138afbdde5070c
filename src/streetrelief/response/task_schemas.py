"""API and CLI shapes of the playbook: effective actions, tasks, acknowledgements and the
pre-positioning plan."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from streetrelief.response.playbook import AdmissionRules

PersonName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class PlaybookRead(BaseModel):
    """The actions in force in a region at a moment (its level's playbook entry)."""

    region_code: str
    at: datetime
    level: str = Field(description="none, IV, III, II or I.")
    from_region_code: str | None = Field(description="The configured region the level is from.")
    patrol_multiplier: float = Field(description="Hotspot visit frequency, × level none's.")
    open_standby_points: list[str] = Field(description="Kinds of standby point open.")
    extend_hours_24h: list[str] = Field(description="Kinds of point kept open 24 h.")
    stock_targets: dict[str, dict[str, int]] = Field(description="Kind → item → units per point.")
    refusal_revisit_interval_s: int | None = Field(
        description="Revisit people who refused help within this many seconds; None: usual."
    )
    response_target_factor: float = Field(
        description="Triage response-time targets times this (×) while the level holds."
    )
    admission: AdmissionRules
    notify: list[str] = Field(description="Roles on duty told of a change.")


class TaskRead(BaseModel):
    """A task a level change created."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    region_code: str
    activation_id: int
    level: str
    kind: str
    subject: str
    title: str
    service_point_id: int | None
    details: dict[str, Any]
    owner_name: str | None
    owner_shift_id: int | None
    is_unassigned: bool = Field(description="Nobody on duty to own it: flagged for a leader.")
    due_at: datetime
    status: str = Field(description="open, acknowledged, done or cancelled.")
    created_at: datetime
    acknowledged_by: str | None
    acknowledged_at: datetime | None
    done_by: str | None
    done_at: datetime | None
    cancelled_at: datetime | None
    cancelled_by_activation_id: int | None


class TaskAction(BaseModel):
    """Who acknowledges or completes a task."""

    model_config = ConfigDict(extra="forbid")

    by: PersonName = Field(description="Name of the person acting.")


class TransferRead(BaseModel):
    """Move stock from one point to another."""

    item: str
    quantity: int
    from_point: str
    to_point: str
    distance_m: float


class ProcureRead(BaseModel):
    """A shortfall no surplus in the region covers."""

    item: str
    quantity: int
    point: str


class PlanRead(BaseModel):
    """The pre-positioning plan of a region at its current level."""

    region_code: str
    level: str
    transfers: list[TransferRead]
    to_procure: list[ProcureRead]
