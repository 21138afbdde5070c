"""Patrol plans (list, plan a shift, replan) and coverage of a night."""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response, status

from streetrelief.access.principal import Principal, require_region_in_jurisdiction
from streetrelief.access.roles import Permission
from streetrelief.api.deps import ClockDep, HolidayCalendarDep, SessionDep, TravelDep
from streetrelief.api.security import require
from streetrelief.patrols.schemas import CoverageComparison, CoverageReport, PlanRead, PlanRequest
from streetrelief.patrols.service.coverage import (
    compare_coverage,
    coverage_geojson,
    coverage_report,
)
from streetrelief.patrols.service.planning import list_plans, plan_patrols, plan_reads

router = APIRouter(prefix="/patrols", tags=["patrols"])

ReadPatrols = Annotated[Principal, Depends(require(Permission.patrols_read))]
PlanPatrols = Annotated[Principal, Depends(require(Permission.patrols_plan))]
RegionQuery = Annotated[str, Query(max_length=32)]


@router.get("", response_model=list[PlanRead])
def get_plans(
    principal: ReadPatrols,
    session: SessionDep,
    region_code: Annotated[str | None, Query(max_length=32)] = None,
) -> list[PlanRead]:
    """The 50 newest patrol plans in the caller's regions, with their stops."""
    if region_code is not None:
        require_region_in_jurisdiction(session, principal, region_code)
    return plan_reads(session, list_plans(session, region_code=region_code, scope=principal.scope))


@router.post("/plan", status_code=status.HTTP_201_CREATED, response_model=PlanRead)
def post_plan(
    data: PlanRequest,
    principal: PlanPatrols,
    session: SessionDep,
    clock: ClockDep,
    travel: TravelDep,
    calendar: HolidayCalendarDep,
) -> PlanRead:
    """Plan a shift's patrols: visits due routed over the teams, under the time limit.

    Visits that cannot fit are listed with their reason; a plan cut short by the time limit
    with visits left out has status ``partial``. With ``replans_id``, visits already made are
    kept and the rest planned from now.
    """
    require_region_in_jurisdiction(session, principal, data.region_code)
    row = plan_patrols(
        session, data, travel=travel, calendar=calendar, now=clock.now(), scope=principal.scope
    )
    return plan_reads(session, [row])[0]


@router.get("/coverage", response_model=CoverageReport)
def get_coverage(
    principal: ReadPatrols,
    session: SessionDep,
    calendar: HolidayCalendarDep,
    region_code: RegionQuery,
    night: date,
) -> CoverageReport:
    """Coverage of a night (local noon to noon): hotspots visited within their interval,
    blind spots, and figures by region."""
    require_region_in_jurisdiction(session, principal, region_code)
    return coverage_report(session, region_code, night, calendar=calendar, scope=principal.scope)


@router.get("/coverage/compare", response_model=CoverageComparison)
def get_coverage_comparison(
    principal: ReadPatrols,
    session: SessionDep,
    calendar: HolidayCalendarDep,
    region_code: RegionQuery,
    before: date,
    after: date,
) -> CoverageComparison:
    """Two nights' coverage side by side, with the change by region."""
    require_region_in_jurisdiction(session, principal, region_code)
    return compare_coverage(
        coverage_report(session, region_code, before, calendar=calendar, scope=principal.scope),
        coverage_report(session, region_code, after, calendar=calendar, scope=principal.scope),
    )


@router.get("/coverage.geojson", responses={200: {"content": {"application/geo+json": {}}}})
def get_coverage_geojson(
    principal: ReadPatrols,
    session: SessionDep,
    calendar: HolidayCalendarDep,
    region_code: RegionQuery,
    night: date,
) -> Response:
    """The coverage map layer: one Point per hotspot with visited and overdue properties."""
    require_region_in_jurisdiction(session, principal, region_code)
    report = coverage_report(session, region_code, night, calendar=calendar, scope=principal.scope)
    return Response(json.dumps(coverage_geojson(report)), media_type="application/geo+json")
