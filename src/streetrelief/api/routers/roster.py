"""The duty roster: add a shift, who is on duty, hotline coverage gaps."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import AwareDatetime

from streetrelief.access.principal import (
    Principal,
    require_region_in_jurisdiction,
)
from streetrelief.access.roles import Permission
from streetrelief.api.deps import ClockDep, SessionDep
from streetrelief.api.security import require
from streetrelief.duty.models import DutyRole
from streetrelief.duty.schemas import CoverageReport, ShiftCreate, ShiftRead
from streetrelief.duty.service import (
    MAX_GAP_WINDOW_H,
    add_shift,
    coverage_report,
    to_reads,
    who_is_on_duty,
)

router = APIRouter(prefix="/roster", tags=["duty"])

RegionQuery = Annotated[str, Query(max_length=32, description="A region code: subtree root.")]
ReadRoster = Annotated[Principal, Depends(require(Permission.roster_read))]
ManageRoster = Annotated[Principal, Depends(require(Permission.roster_manage))]


@router.post("/shifts", response_model=ShiftRead, status_code=201)
def post_shift(
    body: ShiftCreate, principal: ManageRoster, session: SessionDep, clock: ClockDep
) -> ShiftRead:
    """Put a shift on the roster; a person already on an overlapping shift is refused (409)."""
    require_region_in_jurisdiction(session, principal, body.region_code)
    shift = add_shift(session, body, now=clock.now())
    return to_reads(session, [shift])[0]


@router.get("/on-duty", response_model=list[ShiftRead])
def get_on_duty(
    principal: ReadRoster,
    session: SessionDep,
    clock: ClockDep,
    region_code: RegionQuery,
    at: Annotated[AwareDatetime | None, Query(description="When; now if left out.")] = None,
) -> list[ShiftRead]:
    """The shifts in force in a region's subtree at a moment."""
    require_region_in_jurisdiction(session, principal, region_code)
    return to_reads(session, who_is_on_duty(session, region_code, at or clock.now()))


@router.get("/gaps", response_model=CoverageReport)
def get_gaps(
    principal: ReadRoster,
    session: SessionDep,
    clock: ClockDep,
    region_code: RegionQuery,
    hours: Annotated[int, Query(ge=1, le=MAX_GAP_WINDOW_H, description="Look-ahead, h.")] = 48,
    role: Annotated[DutyRole, Query(description="Role whose coverage is checked.")] = (
        DutyRole.hotline_operator
    ),
) -> CoverageReport:
    """Periods of the next hours with nobody in the role (the hotline by default) on duty."""
    require_region_in_jurisdiction(session, principal, region_code)
    return coverage_report(session, region_code, start=clock.now(), hours=hours, role=role)
