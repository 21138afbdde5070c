"""ORM model of supplies in stock: how many of each item a service point holds.

The first piece of the supply network: one row per service point and item, with its count and
when it was last counted. Movements (receive, transfer, issue) and stock on vehicles come
later and will write through ``supplies.service``, so the table can grow without callers
changing. The use cases live in ``supplies.service``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from streetrelief.db.base import Base, UTCDateTime


class StockLevel(Base):
    """How many of one item one service point holds (never below zero)."""

    __tablename__ = "stock_levels"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    service_point_id: Mapped[int] = mapped_column(
        ForeignKey("service_points.id", ondelete="CASCADE")
    )
    item: Mapped[str] = mapped_column(String(64))
    quantity: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (
        UniqueConstraint("service_point_id", "item", name="uq_stock_levels_point_item"),
        CheckConstraint("quantity >= 0", name="quantity_not_negative"),
    )
