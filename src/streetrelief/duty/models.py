"""ORM model of the duty roster: who is on duty, in which role, at which station, when.

A shift belongs to a region; its station is one of the region's service points, or the
region's command centre when ``service_point_id`` is None. The people on it are staff, not the
people helped. The use cases live in ``duty.service``.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from streetrelief.db.base import Base, UTCDateTime


class DutyRole(StrEnum):
    """What a person on a shift does."""

    leader_in_charge = "leader_in_charge"
    hotline_operator = "hotline_operator"
    dispatcher = "dispatcher"
    driver = "driver"
    outreach_worker = "outreach_worker"
    medic = "medic"
    station_staff = "station_staff"


class DutyShift(Base):
    """One person's shift in one role at one station (start inclusive, end exclusive)."""

    __tablename__ = "duty_shifts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code", ondelete="RESTRICT"))
    service_point_id: Mapped[int | None] = mapped_column(
        ForeignKey("service_points.id", ondelete="RESTRICT")
    )
    role: Mapped[DutyRole] = mapped_column(String(32))
    person_name: Mapped[str] = mapped_column(String(200))
    contact: Mapped[str | None] = mapped_column(String(200))
    start_at: Mapped[datetime] = mapped_column(UTCDateTime)
    end_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (
        Index("ix_duty_shifts_region_start", "region_code", "start_at"),
        Index("ix_duty_shifts_person_start", "person_name", "start_at"),
    )
