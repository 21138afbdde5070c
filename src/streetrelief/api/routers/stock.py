"""Stock of supplies per service point: record a count, list."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from streetrelief.access.principal import Principal, region_filter, require_in_jurisdiction
from streetrelief.access.roles import Permission
from streetrelief.api.deps import ClockDep, SessionDep
from streetrelief.api.security import require
from streetrelief.core.errors import NotFoundError, PermissionDeniedError
from streetrelief.service_points.service import find_service_point_by_code
from streetrelief.supplies.schemas import StockCount, StockRead
from streetrelief.supplies.service import list_stock, set_stock

router = APIRouter(prefix="/stock", tags=["supplies"])

ReadStock = Annotated[Principal, Depends(require(Permission.stock_read))]
UpdateStock = Annotated[Principal, Depends(require(Permission.stock_update))]


@router.put("", response_model=StockRead)
def put_stock(
    body: StockCount, principal: UpdateStock, session: SessionDep, clock: ClockDep
) -> StockRead:
    """Record a count of one item at one service point (replaces the stored count); a point's
    staff count their own point only."""
    point = find_service_point_by_code(session, body.service_point_code)
    if point is None:
        raise NotFoundError(f"no service point has code {body.service_point_code!r}")
    require_in_jurisdiction(session, principal, point.region_code, "service point")
    if principal.service_point_id is not None and principal.service_point_id != point.id:
        raise PermissionDeniedError("staff count the stock of their own service point only")
    set_stock(session, body, now=clock.now())
    [row] = list_stock(session, service_point_code=body.service_point_code, item=body.item)
    return row


@router.get("", response_model=list[StockRead])
def get_stock(
    principal: ReadStock,
    session: SessionDep,
    region_code: Annotated[str | None, Query(max_length=32)] = None,
    service_point_code: Annotated[str | None, Query(max_length=64)] = None,
) -> list[StockRead]:
    """Stock of the points of a region subtree of the caller's, or of one point, by point code
    and item."""
    if service_point_code is not None:
        point = find_service_point_by_code(session, service_point_code)
        if point is not None:
            require_in_jurisdiction(session, principal, point.region_code, "service point")
    region = region_filter(session, principal, region_code)
    return list_stock(session, region_code=region, service_point_code=service_point_code)
