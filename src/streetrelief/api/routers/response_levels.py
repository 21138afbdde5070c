"""Response levels: list per subtree, read one (inherited too), reassess, override."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Path, Query
from pydantic import AwareDatetime

from streetrelief.access.principal import (
    Principal,
    region_visible,
    require_region_in_jurisdiction,
    require_region_visible,
)
from streetrelief.access.roles import Permission
from streetrelief.api.deps import ClockDep, SessionDep
from streetrelief.api.security import require
from streetrelief.response.schemas import (
    EffectiveLevelRead,
    OverrideRequest,
    ReassessResult,
    ResponseConfigure,
    ResponseLevelRead,
    WeatherReading,
)
from streetrelief.response.service import (
    clear_override,
    configure_region,
    current_level,
    list_levels,
    override_level,
    reassess_region,
    to_read,
)
from streetrelief.response.task_schemas import PlanRead, PlaybookRead
from streetrelief.response.tasks import playbook_for, prepositioning_plan

router = APIRouter(prefix="/response-levels", tags=["response"])

RegionPath = Annotated[str, Path(max_length=32, description="A region code.")]
Leader = Annotated[Principal, Depends(require(Permission.response_override))]
Configurer = Annotated[Principal, Depends(require(Permission.response_configure))]
Reader = Annotated[Principal, Depends(require(Permission.response_read))]
StockReader = Annotated[Principal, Depends(require(Permission.stock_read))]


@router.get("", response_model=list[ResponseLevelRead])
def get_levels(
    principal: Reader,
    session: SessionDep,
    clock: ClockDep,
    region_code: Annotated[
        str | None, Query(max_length=32, description="Only configured regions of this subtree.")
    ] = None,
) -> list[ResponseLevelRead]:
    """Configured regions with their level in force, colour, trigger and since when, and the
    warning feeds that are stale for each now (``stale_sources``): those of the caller's
    regions and of the regions above them (whose level theirs inherits)."""
    if region_code is not None:
        require_region_visible(session, principal, region_code)
    rows = list_levels(session, region_code=region_code, now=clock.now())
    return [r for r in rows if region_visible(session, principal, r.region_code)]


@router.get("/{region_code}", response_model=EffectiveLevelRead)
def get_level(
    region_code: RegionPath, principal: Reader, session: SessionDep, clock: ClockDep
) -> EffectiveLevelRead:
    """The level in force in a region (inherited from the nearest configured ancestor when it
    has no policy of its own), its stale warning feeds now, and that region's activation
    history; for the caller's regions and the regions above them."""
    require_region_visible(session, principal, region_code)
    return current_level(session, region_code, now=clock.now())


@router.post("/{region_code}/reassess", response_model=ReassessResult)
def post_reassess(
    region_code: RegionPath,
    principal: Leader,
    session: SessionDep,
    clock: ClockDep,
    reading: Annotated[WeatherReading | None, Body()] = None,
) -> ReassessResult:
    """Decide the region's level now from the warnings in force and a reading: the one given,
    else the latest stored observation of the region or its nearest ancestor (at most three
    hours old)."""
    require_region_in_jurisdiction(session, principal, region_code)
    return reassess_region(session, region_code, now=clock.now(), conditions=reading)


@router.post("/{region_code}/override", response_model=ReassessResult)
def post_override(
    region_code: RegionPath,
    body: OverrideRequest,
    principal: Leader,
    session: SessionDep,
    clock: ClockDep,
) -> ReassessResult:
    """Set a leader's level, with a reason, until an end time (24 hours when left out); the
    override is recorded under the signed-in leader's name."""
    require_region_in_jurisdiction(session, principal, region_code)
    return override_level(
        session,
        region_code,
        body.level,
        reason=body.reason,
        until=body.until,
        by=body.by or principal.name,
        now=clock.now(),
    )


@router.delete("/{region_code}/override", response_model=ReassessResult)
def delete_override(
    region_code: RegionPath, principal: Leader, session: SessionDep, clock: ClockDep
) -> ReassessResult:
    """End a leader's override early; the policy's level applies again."""
    require_region_in_jurisdiction(session, principal, region_code)
    return clear_override(session, region_code, now=clock.now())


@router.put("/{region_code}/configuration", response_model=ResponseLevelRead)
def put_configuration(
    region_code: RegionPath,
    body: ResponseConfigure,
    principal: Configurer,
    session: SessionDep,
    clock: ClockDep,
) -> ResponseLevelRead:
    """Give a region a shipped response policy (a configured region keeps its level)."""
    require_region_in_jurisdiction(session, principal, region_code)
    row = configure_region(
        session, region_code, body.preset, province=body.province, now=clock.now()
    )
    return to_read(row)


AtQuery = Annotated[
    AwareDatetime | None, Query(description="When, with an offset; now if left out.")
]


@router.get("/{region_code}/playbook", response_model=PlaybookRead)
def get_playbook(
    region_code: RegionPath,
    principal: Reader,
    session: SessionDep,
    clock: ClockDep,
    at: AtQuery = None,
) -> PlaybookRead:
    """The playbook actions in force in a region: patrol multiplier, standby points, 24-hour
    hours, stock targets, revisit interval for refusals, admission rules, roles notified."""
    require_region_in_jurisdiction(session, principal, region_code)
    return playbook_for(session, region_code, at or clock.now())


@router.get("/{region_code}/plan", response_model=PlanRead)
def get_plan(
    region_code: RegionPath,
    principal: StockReader,
    session: SessionDep,
    clock: ClockDep,
    at: AtQuery = None,
) -> PlanRead:
    """The supplies pre-positioning plan at the region's level: transfers, nearest surplus
    first, and what is left to procure."""
    require_region_in_jurisdiction(session, principal, region_code)
    return prepositioning_plan(session, region_code, at=at or clock.now())
