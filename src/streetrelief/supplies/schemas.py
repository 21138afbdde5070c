"""API and service shapes of stock and stock movements."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field, model_validator

from streetrelief.supplies.models import MovementKind

ITEM_PATTERN = r"^[a-z][a-z0-9_]*$"
"""Item names are lowercase snake, e.g. ``quilts``, ``hot_meals``."""


class StockCount(BaseModel):
    """A count of one item at one service point."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    service_point_code: str = Field(min_length=1, max_length=64)
    item: str = Field(min_length=1, max_length=64, pattern=ITEM_PATTERN)
    quantity: int = Field(ge=0, le=1_000_000, description="Units of issue held.")


# Which holders each kind of movement names: (from, to).
_ENDS: dict[MovementKind, tuple[bool, bool]] = {
    MovementKind.receive: (False, True),
    MovementKind.transfer: (True, True),
    MovementKind.issue: (True, False),
    MovementKind.write_off: (True, False),
}


class MovementCreate(BaseModel):
    """A movement of one item: ``receive`` into a holder, ``transfer`` between two, ``issue``
    to a person or ``write_off`` out of one. A holder is a service point or a team (vehicle),
    by code."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    kind: MovementKind
    item: str = Field(min_length=1, max_length=64, pattern=ITEM_PATTERN)
    quantity: int = Field(gt=0, le=1_000_000, description="Units of issue moved, > 0.")
    from_point: str | None = Field(None, min_length=1, max_length=64)
    from_team: str | None = Field(None, min_length=1, max_length=64)
    to_point: str | None = Field(None, min_length=1, max_length=64)
    to_team: str | None = Field(None, min_length=1, max_length=64)
    expires_on: date | None = Field(None, description="Expiry of the lot received.")
    reason: str | None = Field(None, max_length=400)

    @model_validator(mode="after")
    def _ends_fit_kind(self) -> MovementCreate:
        if self.kind == MovementKind.stocktake:
            msg = "counts are recorded with PUT /stock"
            raise ValueError(msg)
        wants_from, wants_to = _ENDS[self.kind]
        for side, wanted, given in (
            ("from", wants_from, [self.from_point, self.from_team]),
            ("to", wants_to, [self.to_point, self.to_team]),
        ):
            named = sum(g is not None for g in given)
            if wanted and named != 1:
                msg = f"a {self.kind} names one {side}_point or {side}_team"
                raise ValueError(msg)
            if not wanted and named:
                msg = f"a {self.kind} names no {side}_point or {side}_team"
                raise ValueError(msg)
        if self.kind == MovementKind.write_off and not self.reason:
            msg = "a write_off needs a reason (expired, damaged, lost...)"
            raise ValueError(msg)
        return self


class MovementRead(BaseModel):
    """A recorded movement."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: MovementKind
    item: str
    quantity: int
    from_point_id: int | None
    from_team_id: int | None
    to_point_id: int | None
    to_team_id: int | None
    encounter_id: int | None
    expires_on: date | None
    reason: str | None
    recorded_by: str | None
    at: datetime


class StockRead(BaseModel):
    """What one holder (a service point or a team) holds of one item."""

    service_point_id: int | None
    service_point_code: str | None
    team_id: int | None = None
    team_code: str | None = None
    item: str
    quantity: int
    earliest_expiry_on: date | None = None
    updated_at: datetime


class StockAlert(BaseModel):
    """Low stock or a lot near expiry at one holder."""

    kind: str = Field(description="low_stock or near_expiry")
    holder: str = Field(description="point:CODE or team:CODE")
    item: str
    quantity: int
    threshold: int | None = None
    expires_on: date | None = None
