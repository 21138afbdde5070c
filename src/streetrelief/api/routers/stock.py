"""Stock of supplies per service point: record a count, list."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from streetrelief.api.deps import ClockDep, SessionDep
from streetrelief.supplies.schemas import StockCount, StockRead
from streetrelief.supplies.service import list_stock, set_stock

router = APIRouter(prefix="/stock", tags=["supplies"])


@router.put("", response_model=StockRead)
def put_stock(body: StockCount, session: SessionDep, clock: ClockDep) -> StockRead:
    """Record a count of one item at one service point (replaces the stored count)."""
    set_stock(session, body, now=clock.now())
    [row] = list_stock(session, service_point_code=body.service_point_code, item=body.item)
    return row


@router.get("", response_model=list[StockRead])
def get_stock(
    session: SessionDep,
    region_code: Annotated[str | None, Query(max_length=32)] = None,
    service_point_code: Annotated[str | None, Query(max_length=64)] = None,
) -> list[StockRead]:
    """Stock of the points of a region subtree, or of one point, by point code and item."""
    return list_stock(session, region_code=region_code, service_point_code=service_point_code)
