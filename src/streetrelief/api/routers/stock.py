"""Supplies: stock per service point and team, the movements ledger, alerts."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, status
from sqlalchemy.orm import Session

from streetrelief.access.principal import Principal, region_filter, require_in_jurisdiction
from streetrelief.access.roles import Permission
from streetrelief.api.deps import ClockDep, SessionDep
from streetrelief.api.security import require
from streetrelief.core.errors import NotFoundError, PermissionDeniedError
from streetrelief.service_points.service import find_service_point_by_code
from streetrelief.supplies.schemas import (
    MovementCreate,
    MovementRead,
    StockAlert,
    StockCount,
    StockRead,
)
from streetrelief.supplies.service import (
    holder,
    list_movements,
    list_stock,
    record_movement,
    set_stock,
    stock_alerts,
)
from streetrelief.teams.service import find_team_by_code

router = APIRouter(prefix="/stock", tags=["supplies"])

ReadStock = Annotated[Principal, Depends(require(Permission.stock_read))]
UpdateStock = Annotated[Principal, Depends(require(Permission.stock_update))]

Code = Annotated[str | None, Query(max_length=64)]


@router.put("", response_model=StockRead)
def put_stock(
    body: StockCount, principal: UpdateStock, session: SessionDep, clock: ClockDep
) -> StockRead:
    """Record a count of one item at one service point (the difference from the stored
    balance becomes a ``count`` movement); a point's staff count their own point only."""
    _own_point(session, principal, body.service_point_code)
    set_stock(session, body, now=clock.now(), by=principal.name)
    [row] = list_stock(session, service_point_code=body.service_point_code, item=body.item)
    return row


@router.post("/movements", status_code=status.HTTP_201_CREATED, response_model=MovementRead)
def post_movement(
    body: MovementCreate, principal: UpdateStock, session: SessionDep, clock: ClockDep
) -> MovementRead:
    """Receive, transfer, issue or write off stock; 409 when the source holds too little. A
    point's staff move stock out of or into their own point only."""
    sides = [
        (body.from_point, body.from_team, "from"),
        (body.to_point, body.to_team, "to"),
    ]
    ends = [holder(session, p, t, side) for p, t, side in sides if p or t]
    for end in ends:
        require_in_jurisdiction(session, principal, end.region_code, end.label)
    if principal.service_point_id is not None and principal.service_point_id not in {
        e.point_id for e in ends
    }:
        raise PermissionDeniedError("staff move the stock of their own service point only")
    movement = record_movement(session, body, by=principal.name, now=clock.now())
    return MovementRead.model_validate(movement)


@router.get("/movements", response_model=list[MovementRead])
def get_movements(
    principal: ReadStock,
    session: SessionDep,
    service_point_code: Code = None,
    team_code: Code = None,
) -> list[MovementRead]:
    """The ledger of one point or team, newest first (at most 500)."""
    _in_jurisdiction(session, principal, service_point_code, team_code)
    rows = list_movements(session, service_point_code=service_point_code, team_code=team_code)
    return [MovementRead.model_validate(m) for m in rows]


@router.get("", response_model=list[StockRead])
def get_stock(
    principal: ReadStock,
    session: SessionDep,
    region_code: Annotated[str | None, Query(max_length=32)] = None,
    service_point_code: Code = None,
    team_code: Code = None,
) -> list[StockRead]:
    """Stock of the points of a region subtree of the caller's, of one point or of one team's
    vehicle, by holder and item."""
    _in_jurisdiction(session, principal, service_point_code, team_code)
    region = region_filter(session, principal, region_code)
    return list_stock(
        session, region_code=region, service_point_code=service_point_code, team_code=team_code
    )


@router.get("/alerts", response_model=list[StockAlert])
def get_alerts(
    principal: ReadStock,
    session: SessionDep,
    clock: ClockDep,
    region_code: Annotated[str | None, Query(max_length=32)] = None,
    team_code: Code = None,
) -> list[StockAlert]:
    """Low stock and lots near expiry at the points of a region subtree, or on a team."""
    _in_jurisdiction(session, principal, None, team_code)
    region = region_filter(session, principal, region_code)
    rows = list_stock(session, region_code=region, team_code=team_code)
    return stock_alerts(session, rows, today=clock.now().date())


def _own_point(session: Session, principal: Principal, code: str) -> None:
    point = find_service_point_by_code(session, code)
    if point is None:
        raise NotFoundError(f"no service point has code {code!r}")
    require_in_jurisdiction(session, principal, point.region_code, "service point")
    if principal.service_point_id is not None and principal.service_point_id != point.id:
        raise PermissionDeniedError("staff count the stock of their own service point only")


def _in_jurisdiction(
    session: Session, principal: Principal, point_code: str | None, team_code: str | None
) -> None:
    if point_code is not None:
        point = find_service_point_by_code(session, point_code)
        if point is not None:
            require_in_jurisdiction(session, principal, point.region_code, "service point")
    if team_code is not None:
        team = find_team_by_code(session, team_code)
        if team is not None:
            require_in_jurisdiction(session, principal, team.region_code, "team")
