"""Queries on stock levels."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from streetrelief.supplies.models import StockLevel


def get(session: Session, service_point_id: int, item: str) -> StockLevel | None:
    """The stock row of one item at one point, or None."""
    stmt = select(StockLevel).where(
        StockLevel.service_point_id == service_point_id, StockLevel.item == item
    )
    return session.scalars(stmt).first()


def at_points(session: Session, point_ids: Collection[int]) -> Sequence[StockLevel]:
    """Stock rows of the given points, by point then item."""
    if not point_ids:
        return []
    stmt = select(StockLevel).where(StockLevel.service_point_id.in_(point_ids))
    return session.scalars(stmt.order_by(StockLevel.service_point_id, StockLevel.item)).all()
