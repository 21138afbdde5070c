"""Service points: create, read, update, list."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response, status
from fastapi.responses import JSONResponse
from pydantic import AwareDatetime
from sqlalchemy.orm import Session

from streetrelief.access.principal import (
    Principal,
    region_filter,
    require_in_jurisdiction,
    require_region_in_jurisdiction,
)
from streetrelief.access.roles import Permission
from streetrelief.api.deps import ClockDep, IdPath, SessionDep, TravelDep
from streetrelief.api.security import require
from streetrelief.core.errors import PermissionDeniedError
from streetrelief.service_points.holds import (
    admit,
    admit_hold,
    hold_place,
    hold_point_id,
    list_holds,
    release_hold,
)
from streetrelief.service_points.hsds import geojson, hsds_tables, hsds_zip
from streetrelief.service_points.models import Attribute, ServicePoint, ServicePointKind
from streetrelief.service_points.nearest import nearest_service_points
from streetrelief.service_points.schemas import (
    AdmitRequest,
    HoldCreate,
    HoldRead,
    NearestQuery,
    NearestRead,
    ServicePointCreate,
    ServicePointRead,
    ServicePointUpdate,
)
from streetrelief.service_points.service import (
    create_service_point,
    list_service_points,
    open_data,
    point_read,
    require_service_point,
    update_service_point,
)

router = APIRouter(prefix="/service-points", tags=["service points"])

ReadPoints = Annotated[Principal, Depends(require(Permission.service_points_read))]
ManagePoints = Annotated[Principal, Depends(require(Permission.service_points_manage))]
Refer = Annotated[Principal, Depends(require(Permission.referrals_create))]
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
    clock: ClockDep,
    region_code: Annotated[str | None, Query(max_length=32)] = None,
    kind: ServicePointKind | None = None,
) -> list[ServicePointRead]:
    """Service points in a region subtree of the caller's regions, by code."""
    if region_code is not None:
        require_region_in_jurisdiction(session, principal, region_code)
    rows = list_service_points(session, region_code=region_code, kind=kind, scope=principal.scope)
    now = clock.now()
    return [point_read(p, now=now) for p in rows]


@router.post("", status_code=status.HTTP_201_CREATED, response_model=ServicePointRead)
def post_service_point(
    data: ServicePointCreate, principal: ManagePoints, session: SessionDep, clock: ClockDep
) -> ServicePointRead:
    """Add a service point in one of the caller's regions."""
    require_region_in_jurisdiction(session, principal, data.region_code)
    return point_read(create_service_point(session, data, now=clock.now()), now=clock.now())


@router.get("/nearest", response_model=list[NearestRead])
def get_nearest(
    principal: ReadPoints,
    session: SessionDep,
    clock: ClockDep,
    travel: TravelDep,
    lat: Annotated[float, Query(ge=-90, le=90)],
    lon: Annotated[float, Query(ge=-180, le=180)],
    at: Annotated[AwareDatetime | None, Query()] = None,
    needs: Annotated[list[Attribute] | None, Query()] = None,
    has_id: bool = True,
    language: Annotated[str | None, Query(max_length=35)] = None,
    limit: Annotated[int, Query(ge=1, le=50)] = 5,
) -> list[NearestRead]:
    """Open service points in the caller's regions that take the person and have a free place
    at ``at`` (now when omitted), quickest to reach first."""
    query = NearestQuery(
        lat=lat, lon=lon, at=at, needs=needs or [], has_id=has_id, language=language, limit=limit
    )
    return nearest_service_points(
        session, query, travel=travel, now=clock.now(), scope=principal.scope
    )


@router.get(
    "/export/hsds.zip",
    response_class=Response,
    responses={200: {"content": {"application/zip": {}}, "description": "HSDS 3.1 tables"}},
)
def get_hsds(
    principal: ReadPoints,
    session: SessionDep,
    region_code: Annotated[str | None, Query(max_length=32)] = None,
    publisher: Annotated[str, Query(min_length=1, max_length=200)] = "streetrelief",
) -> Response:
    """The service points of a subtree of the caller's regions as Open Referral HSDS 3.1
    tables (a zip of CSV files with datapackage.json)."""
    region = region_filter(session, principal, region_code)
    points, countries = open_data(session, region_code=region, scope=principal.scope)
    body = hsds_zip(hsds_tables(points, publisher=publisher, countries=countries))
    return Response(
        body,
        media_type="application/zip",
        headers={"Content-Disposition": 'attachment; filename="service-points-hsds.zip"'},
    )


@router.get(
    "/export.geojson",
    response_class=JSONResponse,
    responses={200: {"content": {"application/geo+json": {}}}},
)
def get_geojson(
    principal: ReadPoints,
    session: SessionDep,
    clock: ClockDep,
    region_code: Annotated[str | None, Query(max_length=32)] = None,
) -> JSONResponse:
    """The service points of a subtree of the caller's regions as a GeoJSON FeatureCollection
    that ``service-points import`` reads back."""
    region = region_filter(session, principal, region_code)
    points, _ = open_data(session, region_code=region, scope=principal.scope)
    return JSONResponse(geojson(points, now=clock.now()), media_type="application/geo+json")


@router.get("/{point_id}", response_model=ServicePointRead)
def get_service_point(
    point_id: IdPath, principal: ReadPoints, session: SessionDep, clock: ClockDep
) -> ServicePointRead:
    """One service point."""
    return point_read(point_for(session, principal, point_id), now=clock.now())


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
    return point_read(point, now=clock.now())


@router.post("/{point_id}/holds", status_code=status.HTTP_201_CREATED, response_model=HoldRead)
def post_hold(
    point_id: IdPath, data: HoldCreate, principal: Refer, session: SessionDep, clock: ClockDep
) -> HoldRead:
    """Hold places at an open point for a person a team is bringing; 409 when the point is
    closed or has too few free places."""
    point_for(session, principal, point_id)
    hold = hold_place(session, point_id, data, by=principal.name, now=clock.now())
    return HoldRead.model_validate(hold)


@router.get("/{point_id}/holds", response_model=list[HoldRead])
def get_holds(
    point_id: IdPath, principal: ReadPoints, session: SessionDep, clock: ClockDep
) -> list[HoldRead]:
    """A point's holds, newest first (those whose time is up shown expired)."""
    point_for(session, principal, point_id)
    return [HoldRead.model_validate(h) for h in list_holds(session, point_id, now=clock.now())]


@router.post("/holds/{hold_id}/admit", response_model=HoldRead)
def post_admit_hold(
    hold_id: IdPath, principal: UpdateOccupancy, session: SessionDep, clock: ClockDep
) -> HoldRead:
    """The referred person arrived: the held places become occupied; 409 once expired."""
    _own_point(principal, point_for(session, principal, hold_point_id(session, hold_id)))
    return HoldRead.model_validate(admit_hold(session, hold_id, now=clock.now()))


@router.post("/holds/{hold_id}/release", response_model=HoldRead)
def post_release_hold(
    hold_id: IdPath, principal: Refer, session: SessionDep, clock: ClockDep
) -> HoldRead:
    """Give a held place back (the person went elsewhere or refused)."""
    point_for(session, principal, hold_point_id(session, hold_id))
    return HoldRead.model_validate(release_hold(session, hold_id, now=clock.now()))


@router.post("/{point_id}/admissions", response_model=ServicePointRead)
def post_admission(
    point_id: IdPath,
    data: AdmitRequest,
    principal: UpdateOccupancy,
    session: SessionDep,
    clock: ClockDep,
) -> ServicePointRead:
    """Admit people without a hold; above capacity only with ``overflow_reason`` (recorded)."""
    _own_point(principal, point_for(session, principal, point_id))
    point = admit(session, point_id, data, by=principal.name, now=clock.now())
    return point_read(point, now=clock.now())


def _own_point(principal: Principal, point: ServicePoint) -> None:
    if not principal.can(Permission.service_points_manage) and (
        principal.service_point_id != point.id
    ):
        raise PermissionDeniedError("staff admit people to their own service point only")
