"""ORM model of service points."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from streetrelief.db.base import Base, UTCDateTime


class ServicePointKind(StrEnum):
    """Kinds of place where people are helped."""

    relief_station = "relief_station"
    warming_shelter = "warming_shelter"
    relief_point = "relief_point"
    help_point = "help_point"


class ServicePoint(Base):
    """A place that takes people in or hands out help."""

    __tablename__ = "service_points"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[ServicePointKind] = mapped_column(String(32))
    host: Mapped[str | None] = mapped_column(String(200))
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    h3_cell: Mapped[str] = mapped_column(String(16), index=True)
    address: Mapped[str | None] = mapped_column(String(400))
    hours: Mapped[str] = mapped_column(String(200), default="24/7")
    capacity: Mapped[int] = mapped_column(Integer, default=0)
    occupancy: Mapped[int] = mapped_column(Integer, default=0)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
