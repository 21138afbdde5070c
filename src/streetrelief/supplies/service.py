"""Use cases of stock: record a count, adjust by a movement, read stock per point.

Owns the ``stock_levels`` table: one count per service point and item, never below zero.
Which service points exist is asked of ``service_points.service``. What stock a point should
hold at a response level is the response playbook's; the transfer arithmetic is
``supplies.logic``.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy.orm import Session

from streetrelief.core.clock import ensure_utc
from streetrelief.core.errors import InvalidInputError, NotFoundError
from streetrelief.db.outbox import emit
from streetrelief.service_points.models import ServicePoint
from streetrelief.service_points.service import (
    find_service_point_by_code,
    list_service_points,
    service_point_codes,
)
from streetrelief.supplies import repository
from streetrelief.supplies.models import StockLevel
from streetrelief.supplies.schemas import StockCount, StockRead

STOCK_COUNTED = "supplies.stock_counted"


def _point(session: Session, code: str) -> ServicePoint:
    point = find_service_point_by_code(session, code)
    if point is None:
        raise NotFoundError(f"unknown service point {code}", field="service_point_code")
    return point


def set_stock(session: Session, count: StockCount, *, now: datetime) -> StockLevel:
    """Record a count of one item at one service point (replaces the stored count).

    Args:
        count: the point's code, the item and the quantity counted (units of issue, ≥ 0).
        now: when it was counted (aware).

    Raises:
        NotFoundError: no service point with that code.
    """
    point = _point(session, count.service_point_code)
    row = _write(session, point, count.item, count.quantity, now=ensure_utc(now))
    emit(
        session,
        type_=STOCK_COUNTED,
        subject="service_point",
        subject_id=point.id,
        at=ensure_utc(now),
        region_code=point.region_code,
        payload={"item": count.item, "quantity": count.quantity},
    )
    return row


def adjust_stock(
    session: Session, service_point_code: str, item: str, delta: int, *, now: datetime
) -> StockLevel:
    """Add (or with a negative ``delta`` take away) units of an item at a service point.

    Raises:
        NotFoundError: no service point with that code.
        InvalidInputError: the stock would go below zero.
    """
    point = _point(session, service_point_code)
    row = repository.get(session, point.id, item)
    held = 0 if row is None else row.quantity
    if held + delta < 0:
        raise InvalidInputError(
            f"{service_point_code} holds {held} {item}; cannot take {-delta}", field="quantity"
        )
    return _write(session, point, item, held + delta, now=ensure_utc(now))


def stock_by_point(session: Session, point_ids: Collection[int]) -> dict[int, dict[str, int]]:
    """Current counts of the given points: point id → item → quantity (absent items are 0)."""
    held: dict[int, dict[str, int]] = {}
    for row in repository.at_points(session, point_ids):
        held.setdefault(row.service_point_id, {})[row.item] = row.quantity
    return held


def list_stock(
    session: Session,
    *,
    region_code: str | None = None,
    service_point_code: str | None = None,
    item: str | None = None,
) -> list[StockRead]:
    """Stock of the points of a region subtree (all when None), or of one point (one item).

    Raises:
        UnknownRegionError: ``region_code`` is not a region.
        NotFoundError: ``service_point_code`` is not a service point.
    """
    if service_point_code is not None:
        ids = {_point(session, service_point_code).id}
    else:
        ids = {p.id for p in list_service_points(session, region_code=region_code)}
    codes = service_point_codes(session, ids)
    rows = sorted(
        (r for r in repository.at_points(session, ids) if item is None or r.item == item),
        key=lambda r: (codes[r.service_point_id], r.item),
    )
    return [
        StockRead(
            service_point_id=r.service_point_id,
            service_point_code=codes[r.service_point_id],
            item=r.item,
            quantity=r.quantity,
            updated_at=r.updated_at,
        )
        for r in rows
    ]


def _write(
    session: Session, point: ServicePoint, item: str, quantity: int, *, now: datetime
) -> StockLevel:
    row = repository.get(session, point.id, item)
    if row is None:
        row = StockLevel(service_point_id=point.id, item=item, quantity=quantity, updated_at=now)
        session.add(row)
    else:
        row.quantity, row.updated_at = quantity, now
    session.flush()
    return row
