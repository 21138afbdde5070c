"""Response levels: list per subtree, read one (inherited too), reassess, override."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Path, Query

from streetrelief.api.deps import ClockDep, SessionDep
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

router = APIRouter(prefix="/response-levels", tags=["response"])

RegionPath = Annotated[str, Path(max_length=32, description="A region code.")]


@router.get("", response_model=list[ResponseLevelRead])
def get_levels(
    session: SessionDep,
    clock: ClockDep,
    region_code: Annotated[
        str | None, Query(max_length=32, description="Only configured regions of this subtree.")
    ] = None,
) -> list[ResponseLevelRead]:
    """Configured regions with their level in force, colour, trigger and since when, and the
    warning feeds that are stale for each now (``stale_sources``)."""
    return list_levels(session, region_code=region_code, now=clock.now())


@router.get("/{region_code}", response_model=EffectiveLevelRead)
def get_level(region_code: RegionPath, session: SessionDep, clock: ClockDep) -> EffectiveLevelRead:
    """The level in force in a region (inherited from the nearest configured ancestor when it
    has no policy of its own), its stale warning feeds now, and that region's activation
    history."""
    return current_level(session, region_code, now=clock.now())


@router.post("/{region_code}/reassess", response_model=ReassessResult)
def post_reassess(
    region_code: RegionPath,
    session: SessionDep,
    clock: ClockDep,
    reading: Annotated[WeatherReading | None, Body()] = None,
) -> ReassessResult:
    """Decide the region's level now from the warnings in force and a reading: the one given,
    else the latest stored observation of the region or its nearest ancestor (at most three
    hours old)."""
    return reassess_region(session, region_code, now=clock.now(), conditions=reading)


@router.post("/{region_code}/override", response_model=ReassessResult)
def post_override(
    region_code: RegionPath, body: OverrideRequest, session: SessionDep, clock: ClockDep
) -> ReassessResult:
    """Set a leader's level, with a reason, until an end time (24 hours when left out)."""
    return override_level(
        session,
        region_code,
        body.level,
        reason=body.reason,
        until=body.until,
        by=body.by,
        now=clock.now(),
    )


@router.delete("/{region_code}/override", response_model=ReassessResult)
def delete_override(
    region_code: RegionPath, session: SessionDep, clock: ClockDep
) -> ReassessResult:
    """End a leader's override early; the policy's level applies again."""
    return clear_override(session, region_code, now=clock.now())


@router.put("/{region_code}/configuration", response_model=ResponseLevelRead)
def put_configuration(
    region_code: RegionPath, body: ResponseConfigure, session: SessionDep, clock: ClockDep
) -> ResponseLevelRead:
    """Give a region a shipped response policy (a configured region keeps its level)."""
    row = configure_region(
        session, region_code, body.preset, province=body.province, now=clock.now()
    )
    return to_read(row)
