"""API and service shapes of service points."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, model_validator

from streetrelief.service_points.models import ServicePointKind


class ServicePointCreate(BaseModel):
    """A new service point (WGS-84)."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, str_strip_whitespace=True)

    code: str = Field(min_length=1, max_length=64, pattern=r"^[0-9A-Za-z_.-]+$")
    name: str = Field(min_length=1, max_length=200)
    kind: ServicePointKind
    host: str | None = Field(None, max_length=200, description="Who hosts it (shop, centre...).")
    region_code: str = Field(max_length=32)
    lat: float = Field(ge=-90, le=90, description="Latitude, WGS-84 degrees.")
    lon: float = Field(ge=-180, le=180, description="Longitude, WGS-84 degrees.")
    address: str | None = Field(None, max_length=400)
    hours: str = Field(
        "24/7", max_length=200, description="Opening hours in OpenStreetMap opening_hours syntax."
    )
    capacity: int = Field(0, ge=0, le=100_000, description="Beds or seats.")
    occupancy: int = Field(0, ge=0, le=100_000, description="Beds or seats taken.")
    is_active: bool = True

    @model_validator(mode="after")
    def _occupancy_within_capacity(self) -> ServicePointCreate:
        if self.occupancy > self.capacity:
            msg = "occupancy exceeds capacity"
            raise ValueError(msg)
        return self


class ServicePointUpdate(BaseModel):
    """Fields to change; omitted ones stay."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, str_strip_whitespace=True)

    name: str | None = Field(None, min_length=1, max_length=200)
    host: str | None = Field(None, max_length=200)
    address: str | None = Field(None, max_length=400)
    hours: str | None = Field(None, max_length=200)
    capacity: int | None = Field(None, ge=0, le=100_000)
    occupancy: int | None = Field(None, ge=0, le=100_000)
    is_active: bool | None = None


class ServicePointRead(BaseModel):
    """A service point as shown."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    name: str
    kind: ServicePointKind
    host: str | None
    region_code: str
    lat: float
    lon: float
    address: str | None
    hours: str
    capacity: int
    occupancy: int
    is_active: bool
    created_at: datetime
    updated_at: datetime
