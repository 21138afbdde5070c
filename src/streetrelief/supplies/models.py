"""ORM models of the supplies ledger: stock per holder and the movements that change it.

A holder is a service point (warehouses included) or a team's vehicle. Every change of stock is
one append-only :class:`StockMovement` (database triggers refuse updates and deletes), and
:class:`StockLevel` keeps the running balance each movement updates in the same transaction,
so stock is always the sum of movements and never below zero. Item types are data
(``supplies/items.yaml``, ``supplies.catalogue``). The use cases live in ``supplies.service``.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from streetrelief.db.base import Base, UTCDateTime


class MovementKind(StrEnum):
    """Why stock moved."""

    receive = "receive"
    """Into a holder from outside (delivery, donation)."""
    transfer = "transfer"
    """From one holder to another."""
    issue = "issue"
    """To a person, at an encounter or over a point's counter."""
    write_off = "write_off"
    """Out of stock for good: expired, damaged, lost."""
    stocktake = "stocktake"
    """The difference a physical count found (in or out)."""


class StockLevel(Base):
    """How many of one item one holder (a service point or a team) holds; never below zero."""

    __tablename__ = "stock_levels"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    service_point_id: Mapped[int | None] = mapped_column(
        ForeignKey("service_points.id", ondelete="CASCADE")
    )
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    item: Mapped[str] = mapped_column(String(64))
    quantity: Mapped[int] = mapped_column(Integer, default=0)
    earliest_expiry_on: Mapped[date | None] = mapped_column(Date)
    """The earliest expiry among the lots received and not yet used up (None once empty)."""
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (
        UniqueConstraint("service_point_id", "item", name="uq_stock_levels_point_item"),
        UniqueConstraint("team_id", "item", name="uq_stock_levels_team_item"),
        CheckConstraint("quantity >= 0", name="quantity_not_negative"),
        CheckConstraint("(service_point_id IS NULL) <> (team_id IS NULL)", name="one_holder"),
    )


class StockMovement(Base):
    """One movement of one item: out of ``from_*`` and into ``to_*`` (either may be outside)."""

    __tablename__ = "stock_movements"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[MovementKind] = mapped_column(String(16))
    item: Mapped[str] = mapped_column(String(64), index=True)
    quantity: Mapped[int] = mapped_column(Integer)
    from_point_id: Mapped[int | None] = mapped_column(ForeignKey("service_points.id"), index=True)
    from_team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"), index=True)
    to_point_id: Mapped[int | None] = mapped_column(ForeignKey("service_points.id"), index=True)
    to_team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"), index=True)
    encounter_id: Mapped[int | None] = mapped_column(ForeignKey("encounters.id"), index=True)
    expires_on: Mapped[date | None] = mapped_column(Date)
    reason: Mapped[str | None] = mapped_column(String(400))
    recorded_by: Mapped[str | None] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)

    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)
