"""API shapes of revisits."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from streetrelief.revisits.models import CompletedBy, RevisitStatus


class HandOutcome(StrEnum):
    """What staff found when they mark a revisit done by hand."""

    seen_well = "seen_well"
    """Found and checked; help offered again."""
    accepted_help = "accepted_help"
    """Found and took help (record the encounter at its incident for the details)."""
    not_found = "not_found"
    """Nobody at the place."""
    moved_on = "moved_on"
    """Known to have left the area."""


class RevisitRead(BaseModel):
    """A revisit: place (WGS-84 degrees), times (UTC), the team holding it, what completed it."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    encounter_id: int
    person_id: int
    incident_id: int | None
    region_code: str
    lat: float
    lon: float
    refused_at: datetime
    interval_s: int = Field(description="Interval the due time counts from refusal, seconds.")
    interval_source: str = Field(
        description="Where the interval comes from: the level's playbook (e.g. 'level II') or "
        "'usual' (STREETRELIEF_REVISIT_USUAL_INTERVAL_S)."
    )
    due_at: datetime
    status: RevisitStatus
    team_id: int | None
    assigned_at: datetime | None
    escalated_at: datetime | None
    previous_id: int | None = Field(description="The revisit at which the person refused again.")
    created_at: datetime
    done_at: datetime | None
    completed_by: CompletedBy | None
    completing_encounter_id: int | None
    completing_check_in_id: int | None
    outcome: str | None
    note: str | None
    closed_by: str | None
    cancelled_at: datetime | None
    cancel_reason: str | None


class RevisitComplete(BaseModel):
    """Mark a revisit done by hand."""

    model_config = ConfigDict(extra="forbid")

    outcome: HandOutcome
    note: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] | None = None


class RevisitCancel(BaseModel):
    """Cancel a revisit that is no longer needed, saying why."""

    model_config = ConfigDict(extra="forbid")

    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
