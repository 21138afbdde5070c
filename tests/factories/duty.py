"""Builders for the duty roster and the service points it staffs."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from streetrelief.duty.models import DutyRole, DutyShift
from streetrelief.duty.schemas import ShiftCreate
from streetrelief.duty.service import add_shift
from streetrelief.service_points.models import Attribute, ServicePoint, ServicePointKind
from streetrelief.service_points.schemas import ServicePointCreate
from streetrelief.service_points.service import create_service_point


def make_point(
    session: Session,
    *,
    now: datetime,
    code: str,
    kind: ServicePointKind = ServicePointKind.relief_station,
    region_code: str = "110105",
    lat: float = 39.921,
    lon: float = 116.443,
    hours: str = "24/7",
    is_active: bool = True,
    capacity: int = 40,
    occupancy: int = 0,
    standby_level: int | None = None,
    attributes: tuple[Attribute, ...] = (),
    requires_id: bool = False,
) -> ServicePoint:
    """A service point (WGS-84) with room for 40 unless told."""
    return create_service_point(
        session,
        ServicePointCreate(
            code=code,
            name=f"Point {code}",
            kind=kind,
            region_code=region_code,
            lat=lat,
            lon=lon,
            hours=hours,
            capacity=capacity,
            occupancy=occupancy,
            is_active=is_active,
            standby_level=standby_level,
            attributes=list(attributes),
            requires_id=requires_id,
        ),
        now=now,
    )


def make_shift(
    session: Session,
    *,
    now: datetime,
    name: str,
    start_at: datetime,
    end_at: datetime,
    role: DutyRole = DutyRole.leader_in_charge,
    region_code: str = "1101",
    station: str | None = None,
) -> DutyShift:
    """A shift of ``name`` in ``role`` (the command centre when no station is given)."""
    return add_shift(
        session,
        ShiftCreate(
            region_code=region_code,
            station=station,
            role=role,
            person_name=name,
            contact=f"{name} radio",
            start_at=start_at,
            end_at=end_at,
        ),
        now=now,
    )
