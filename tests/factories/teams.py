"""Builders for teams."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from streetrelief.teams.models import Capability, Department, Team
from streetrelief.teams.schemas import TeamCreate, TeamMemberIn
from streetrelief.teams.service import create_team


def make_team(
    session: Session,
    *,
    now: datetime,
    code: str = "T1",
    region_code: str = "110101",
    lat: float = 39.917,
    lon: float = 116.416,
    capabilities: tuple[Capability, ...] = (Capability.outreach, Capability.supplies),
    vehicle: str | None = "京A-12345",
    members: int = 3,
    shift_ends_at: datetime | None = None,
) -> Team:
    """A team of ``members`` civil-affairs staff based at (lat, lon), available (until
    ``shift_ends_at`` when given)."""
    return create_team(
        session,
        TeamCreate(
            code=code,
            name=f"Team {code}",
            region_code=region_code,
            capabilities=list(capabilities),
            vehicle=vehicle,
            base_lat=lat,
            base_lon=lon,
            members=[
                TeamMemberIn(name=f"{code} member {i}", department=Department.civil_affairs)
                for i in range(members)
            ],
            shift_ends_at=shift_ends_at,
        ),
        now=now,
    )
