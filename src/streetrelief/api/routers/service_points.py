"""Service points: create, read, update, list."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from streetrelief.api.deps import ClockDep, IdPath, SessionDep
from streetrelief.service_points.models import ServicePointKind
from streetrelief.service_points.schemas import (
    ServicePointCreate,
    ServicePointRead,
    ServicePointUpdate,
)
from streetrelief.service_points.service import (
    create_service_point,
    list_service_points,
    require_service_point,
    update_service_point,
)

router = APIRouter(prefix="/service-points", tags=["service points"])


@router.get("", response_model=list[ServicePointRead])
def get_service_points(
    session: SessionDep,
    region_code: Annotated[str | None, Query(max_length=32)] = None,
    kind: ServicePointKind | None = None,
) -> list[ServicePointRead]:
    """Service points in a region subtree, by code."""
    rows = list_service_points(session, region_code=region_code, kind=kind)
    return [ServicePointRead.model_validate(p) for p in rows]


@router.post("", status_code=status.HTTP_201_CREATED, response_model=ServicePointRead)
def post_service_point(
    data: ServicePointCreate, session: SessionDep, clock: ClockDep
) -> ServicePointRead:
    """Add a service point."""
    return ServicePointRead.model_validate(create_service_point(session, data, now=clock.now()))


@router.get("/{point_id}", response_model=ServicePointRead)
def get_service_point(point_id: IdPath, session: SessionDep) -> ServicePointRead:
    """One service point."""
    return ServicePointRead.model_validate(require_service_point(session, point_id))


@router.patch("/{point_id}", response_model=ServicePointRead)
def patch_service_point(
    point_id: IdPath, data: ServicePointUpdate, session: SessionDep, clock: ClockDep
) -> ServicePointRead:
    """Change hours, capacity, occupancy or details."""
    point = update_service_point(session, point_id, data, now=clock.now())
    return ServicePointRead.model_validate(point)
