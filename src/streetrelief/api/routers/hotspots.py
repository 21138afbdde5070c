"""Hotspots: the register (list, map layer, add, review) and check-ins from the field."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response, status
from sqlalchemy.orm import Session

from streetrelief.access.principal import (
    Principal,
    require_in_jurisdiction,
    require_region_in_jurisdiction,
)
from streetrelief.access.roles import Permission, Role
from streetrelief.api.deps import (
    ClockDep,
    IdPath,
    SessionDep,
    TravelDep,
    TriagePolicyDep,
)
from streetrelief.api.security import IdempotencyKeyHeader, caller_key, require
from streetrelief.core.errors import PermissionDeniedError
from streetrelief.patrols.models import Hotspot, HotspotKind, HotspotStatus
from streetrelief.patrols.schemas import (
    CheckInAccepted,
    CheckInCreate,
    CheckInRead,
    HotspotCreate,
    HotspotRead,
    HotspotUpdate,
)
from streetrelief.patrols.service.check_ins import check_in
from streetrelief.patrols.service.coverage import hotspots_geojson
from streetrelief.patrols.service.register import (
    create_hotspot,
    hotspot_read,
    list_hotspots,
    require_hotspot,
    update_hotspot,
)

router = APIRouter(prefix="/hotspots", tags=["hotspots"])

ReadHotspots = Annotated[Principal, Depends(require(Permission.hotspots_read))]
ManageHotspots = Annotated[Principal, Depends(require(Permission.hotspots_manage))]
CheckInPermission = Annotated[Principal, Depends(require(Permission.patrols_check_in))]
RegionQuery = Annotated[str | None, Query(max_length=32)]


def hotspot_for(session: Session, principal: Principal, hotspot_id: int) -> Hotspot:
    """The hotspot, if it lies in the caller's regions (else 404, audited)."""
    hotspot = require_hotspot(session, hotspot_id)
    require_in_jurisdiction(session, principal, hotspot.region_code, f"hotspot {hotspot_id}")
    return hotspot


def _listed(
    session: Session,
    principal: Principal,
    region_code: str | None,
    kind: HotspotKind | None,
    hotspot_status: HotspotStatus | None,
    now_reads: ClockDep,
) -> list[HotspotRead]:
    if region_code is not None:
        require_region_in_jurisdiction(session, principal, region_code)
    rows = list_hotspots(
        session, region_code=region_code, kind=kind, status=hotspot_status, scope=principal.scope
    )
    now = now_reads.now()
    return [hotspot_read(h, now=now) for h in rows]


@router.get("", response_model=list[HotspotRead])
def get_hotspots(
    principal: ReadHotspots,
    session: SessionDep,
    clock: ClockDep,
    region_code: RegionQuery = None,
    kind: HotspotKind | None = None,
    hotspot_status: Annotated[HotspotStatus | None, Query(alias="status")] = None,
) -> list[HotspotRead]:
    """Hotspots in a region subtree of the caller's regions, by code, with when each is due."""
    return _listed(session, principal, region_code, kind, hotspot_status, clock)


@router.get(".geojson", responses={200: {"content": {"application/geo+json": {}}}})
def get_hotspots_geojson(
    principal: ReadHotspots,
    session: SessionDep,
    clock: ClockDep,
    region_code: RegionQuery = None,
    kind: HotspotKind | None = None,
    hotspot_status: Annotated[HotspotStatus | None, Query(alias="status")] = None,
) -> Response:
    """The same hotspots as a GeoJSON FeatureCollection of Points, for the console map."""
    items = _listed(session, principal, region_code, kind, hotspot_status, clock)
    return _geojson(hotspots_geojson(items))


def _geojson(body: dict[str, object]) -> Response:
    return Response(json.dumps(body), media_type="application/geo+json")


@router.post("", status_code=status.HTTP_201_CREATED, response_model=HotspotRead)
def post_hotspot(
    data: HotspotCreate, principal: ManageHotspots, session: SessionDep, clock: ClockDep
) -> HotspotRead:
    """Add a hotspot in one of the caller's regions."""
    require_region_in_jurisdiction(session, principal, data.region_code)
    return hotspot_read(create_hotspot(session, data, now=clock.now()), now=clock.now())


@router.get("/{hotspot_id}", response_model=HotspotRead)
def get_hotspot(
    hotspot_id: IdPath, principal: ReadHotspots, session: SessionDep, clock: ClockDep
) -> HotspotRead:
    """One hotspot."""
    return hotspot_read(hotspot_for(session, principal, hotspot_id), now=clock.now())


@router.patch("/{hotspot_id}", response_model=HotspotRead)
def patch_hotspot(
    hotspot_id: IdPath,
    data: HotspotUpdate,
    principal: ManageHotspots,
    session: SessionDep,
    clock: ClockDep,
) -> HotspotRead:
    """Change a hotspot; review a candidate by setting ``status`` to active or retired."""
    hotspot_for(session, principal, hotspot_id)
    hotspot = update_hotspot(session, hotspot_id, data, now=clock.now())
    return hotspot_read(hotspot, now=clock.now())


@router.post(
    "/{hotspot_id}/check-ins", status_code=status.HTTP_201_CREATED, response_model=CheckInAccepted
)
def post_check_in(
    hotspot_id: IdPath,
    data: CheckInCreate,
    principal: CheckInPermission,
    response: Response,
    session: SessionDep,
    clock: ClockDep,
    policy: TriagePolicyDep,
    travel: TravelDep,
    idempotency_key: IdempotencyKeyHeader = None,
) -> CheckInAccepted:
    """A team checks in: inside the hotspot's geofence, or with the code posted there.

    People found become a report on the ``patrol`` channel (found actively). A patrol member
    checks in only for their own team. A repeated ``Idempotency-Key`` with the same body
    answers 200 with the first check-in; with another body, 422 ``idempotency_key_reused``.
    """
    hotspot_for(session, principal, hotspot_id)
    if principal.role is Role.patrol and principal.team_id != data.team_id:
        raise PermissionDeniedError("a patrol member checks in only for their own team")
    result = check_in(
        session,
        hotspot_id,
        data,
        clock=clock,
        policy=policy,
        travel=travel,
        idempotency_key=caller_key(principal, idempotency_key),
        scope=principal.scope,
    )
    if result.is_replay:
        response.status_code = status.HTTP_200_OK
        response.headers["Idempotent-Replayed"] = "true"
    row = result.check_in
    return CheckInAccepted(
        check_in=CheckInRead.model_validate(row),
        report_id=row.report_id,
        incident_id=row.incident_id,
    )
