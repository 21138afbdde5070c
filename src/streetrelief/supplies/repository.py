"""Queries on stock levels and movements."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date, datetime

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.orm import Session

from streetrelief.supplies.models import StockLevel, StockMovement


def _holder(point_id: int | None, team_id: int | None) -> ColumnElement[bool]:
    if point_id is not None:
        return StockLevel.service_point_id == point_id
    return StockLevel.team_id == team_id


def get(
    session: Session, service_point_id: int | None, item: str, *, team_id: int | None = None
) -> StockLevel | None:
    """The stock row of one item at one holder (a point, or a team), or None."""
    stmt = select(StockLevel).where(_holder(service_point_id, team_id), StockLevel.item == item)
    return session.scalars(stmt).first()


def take(
    session: Session,
    point_id: int | None,
    team_id: int | None,
    item: str,
    quantity: int,
    *,
    now: datetime,
) -> bool:
    """Take ``quantity`` from a holder in one conditional UPDATE; False when it holds less
    (the database decides, so concurrent issues cannot take the same units twice)."""
    result = session.execute(
        update(StockLevel)
        .where(_holder(point_id, team_id), StockLevel.item == item, StockLevel.quantity >= quantity)
        .values(quantity=StockLevel.quantity - quantity, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def put(
    session: Session,
    point_id: int | None,
    team_id: int | None,
    item: str,
    quantity: int,
    *,
    expires_on: date | None,
    now: datetime,
) -> None:
    """Add ``quantity`` to a holder (creating its row), keeping the earliest expiry."""
    row = get(session, point_id, item, team_id=team_id)
    if row is None:
        session.add(
            StockLevel(
                service_point_id=point_id,
                team_id=team_id,
                item=item,
                quantity=quantity,
                earliest_expiry_on=expires_on,
                updated_at=now,
            )
        )
        session.flush()
        return
    session.execute(
        update(StockLevel)
        .where(StockLevel.id == row.id)
        .values(quantity=StockLevel.quantity + quantity, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    session.refresh(row)
    if expires_on is not None and (
        row.earliest_expiry_on is None or expires_on < row.earliest_expiry_on
    ):
        row.earliest_expiry_on = expires_on
    session.flush()


def clear_expiry_when_empty(
    session: Session, point_id: int | None, team_id: int | None, item: str
) -> None:
    """Forget the earliest expiry of a holder's item once none is left."""
    session.execute(
        update(StockLevel)
        .where(_holder(point_id, team_id), StockLevel.item == item, StockLevel.quantity == 0)
        .values(earliest_expiry_on=None)
        .execution_options(synchronize_session=False)
    )


def at_points(session: Session, point_ids: Collection[int]) -> Sequence[StockLevel]:
    """Stock rows of the given points, by point then item."""
    if not point_ids:
        return []
    stmt = select(StockLevel).where(StockLevel.service_point_id.in_(point_ids))
    return session.scalars(stmt.order_by(StockLevel.service_point_id, StockLevel.item)).all()


def at_teams(session: Session, team_ids: Collection[int]) -> Sequence[StockLevel]:
    """Stock rows of the given teams, by team then item."""
    if not team_ids:
        return []
    stmt = select(StockLevel).where(StockLevel.team_id.in_(team_ids))
    return session.scalars(stmt.order_by(StockLevel.team_id, StockLevel.item)).all()


def movements(
    session: Session, *, point_id: int | None = None, team_id: int | None = None, limit: int = 500
) -> Sequence[StockMovement]:
    """Movements touching a point or a team (all when neither), newest first."""
    stmt = select(StockMovement)
    if point_id is not None:
        stmt = stmt.where(
            (StockMovement.from_point_id == point_id) | (StockMovement.to_point_id == point_id)
        )
    if team_id is not None:
        stmt = stmt.where(
            (StockMovement.from_team_id == team_id) | (StockMovement.to_team_id == team_id)
        )
    return session.scalars(stmt.order_by(StockMovement.id.desc()).limit(limit)).all()


def has_movements(session: Session, *, team_id: int) -> bool:
    """Whether a team's stock has ever moved (its stock is kept on the ledger)."""
    stmt = select(StockMovement.id).where(
        (StockMovement.from_team_id == team_id) | (StockMovement.to_team_id == team_id)
    )
    return session.scalars(stmt.limit(1)).first() is not None
