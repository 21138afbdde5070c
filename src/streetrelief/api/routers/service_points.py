"""Service points: create, read, update, list."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, status
from sqlalchemy.orm import Session

from streetrelief.access.principal import (
    Principal,
    require_in_jurisdiction,
    require_region_in_jurisdiction,
)
from streetrelief.access.roles import Permission
from streetrelief.api.deps import ClockDep, IdPath, SessionDep
from streetrelief.api.security import require
from streetrelief.core.errors import PermissionDeniedError
from streetrelief.service_points.models import ServicePoint, ServicePointKind
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

ReadPoints = Annotated[Principal, Depends(require(Permission.service_points_read))]
ManagePoints = Annotated[Principal, Depends(require(Permission.service_points_manage))]
UpdateOccupancy = Annotated[Principal, Depends(require(Permission.service_points_update_occupancy))]


def point_for(session: Session, principal: Principal, point_id: int) -> ServicePoint:
    """The service point, if it lies in the caller's regions (else 404, audited)."""
    point = require_service_point(session, point_id)
    require_in_jurisdiction(session, principal, point.region_code, f"service point {point_id}")
    return point


@router.get("", response_model=list[ServicePointRead])
def get_service_points(
    principal: ReadPoints,
    session: SessionDep,
    region_code: Annotated[str | None, Query(max_length=32)] = None,
    kind: ServicePointKind | None = None,
) -> list[ServicePointRead]:
    """Service points in a region subtree of the caller's regions, by code."""
    if region_code is not None:
        require_region_in_jurisdiction(session, principal, region_code)
    rows = list_service_points(session, region_code=region_code, kind=kind, scope=principal.scope)
    return [ServicePointRead.model_validate(p) for p in rows]


@router.post("", status_code=status.HTTP_201_CREATED, response_model=ServicePointRead)
def post_service_point(
    data: ServicePointCreate, principal: ManagePoints, session: SessionDep, clock: ClockDep
) -> ServicePointRead:
    """Add a service point in one of the caller's regions."""
    require_region_in_jurisdiction(session, principal, data.region_code)
    return ServicePointRead.model_validate(create_service_point(session, data, now=clock.now()))


@router.get("/{point_id}", response_model=ServicePointRead)
def get_service_point(
    point_id: IdPath, principal: ReadPoints, session: SessionDep
) -> ServicePointRead:
    """One service point."""
    return ServicePointRead.model_validate(point_for(session, principal, point_id))


@router.patch("/{point_id}", response_model=ServicePointRead)
def patch_service_point(
    point_id: IdPath,
    data: ServicePointUpdate,
    principal: UpdateOccupancy,
    session: SessionDep,
    clock: ClockDep,
) -> ServicePointRead:
    """Change hours, capacity, occupancy or details; a point's own staff change occupancy only."""
    point_for(session, principal, point_id)
    if not principal.can(Permission.service_points_manage):
        if principal.service_point_id != point_id:
            raise PermissionDeniedError("staff update only their own service point")
        if set(data.model_fields_set) - {"occupancy"}:
            raise PermissionDeniedError("staff of a point may change its occupancy only")
    point = update_service_point(session, point_id, data, now=clock.now())
    return ServicePointRead.model_validate(point)
