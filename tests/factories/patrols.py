"""Builders for hotspots."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from streetrelief.patrols.models import Hotspot, HotspotKind, HotspotStatus
from streetrelief.patrols.schemas import HotspotCreate
from streetrelief.patrols.service.register import create_hotspot


def make_hotspot(
    session: Session,
    *,
    now: datetime,
    code: str = "H1",
    region_code: str = "110101",
    lat: float = 39.920,
    lon: float = 116.420,
    kind: HotspotKind = HotspotKind.underpass,
    interval_s: int = 4 * 3600,
    active_hours: str | None = None,
    service_s: int = 600,
    radius_m: float = 50.0,
    check_in_code: str | None = None,
    status: HotspotStatus = HotspotStatus.active,
) -> Hotspot:
    """An active hotspot at (lat, lon), visited every ``interval_s`` seconds."""
    return create_hotspot(
        session,
        HotspotCreate(
            code=code,
            name=f"Hotspot {code}",
            kind=kind,
            region_code=region_code,
            lat=lat,
            lon=lon,
            interval_s=interval_s,
            active_hours=active_hours,
            service_s=service_s,
            radius_m=radius_m,
            check_in_code=check_in_code,
            status=status,
        ),
        now=now,
    )
