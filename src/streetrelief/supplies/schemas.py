"""API and service shapes of stock."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

ITEM_PATTERN = r"^[a-z][a-z0-9_]*$"
"""Item names are lowercase snake, e.g. ``quilts``, ``hot_meals``."""


class StockCount(BaseModel):
    """A count of one item at one service point."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    service_point_code: str = Field(min_length=1, max_length=64)
    item: str = Field(min_length=1, max_length=64, pattern=ITEM_PATTERN)
    quantity: int = Field(ge=0, le=1_000_000, description="Units of issue held.")


class StockRead(BaseModel):
    """What one service point holds of one item."""

    service_point_id: int
    service_point_code: str
    item: str
    quantity: int
    updated_at: datetime
