"""ORM models of teams and their members."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from streetrelief.db.base import Base, UTCDateTime


class TeamStatus(StrEnum):
    """Where a team is in its work cycle."""

    off_duty = "off_duty"
    available = "available"
    dispatched = "dispatched"
    en_route = "en_route"
    on_scene = "on_scene"
    transporting = "transporting"
    returning = "returning"


class Capability(StrEnum):
    """What a team can do; triage measures require some of these."""

    police_escort = "police_escort"
    medical = "medical"
    transport = "transport"
    outreach = "outreach"
    supplies = "supplies"


class Department(StrEnum):
    """Departments that staff joint teams."""

    civil_affairs = "civil_affairs"
    police = "police"
    urban_management = "urban_management"
    health = "health"
    transport = "transport"
    volunteer = "volunteer"
    other = "other"


class TravelMode(StrEnum):
    """How a team moves."""

    walking = "walking"
    vehicle = "vehicle"


class Team(Base):
    """A patrol or outreach team."""

    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    capabilities: Mapped[list[str]] = mapped_column(JSON, default=list)
    vehicle: Mapped[str | None] = mapped_column(String(64))
    base_lat: Mapped[float] = mapped_column(Float)
    base_lon: Mapped[float] = mapped_column(Float)
    status: Mapped[TeamStatus] = mapped_column(String(16), default=TeamStatus.available)
    status_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_lat: Mapped[float] = mapped_column(Float)
    last_lon: Mapped[float] = mapped_column(Float)
    position_at: Mapped[datetime] = mapped_column(UTCDateTime)
    shift_ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    """When the team's current shift ends (UTC); None when off duty or not given."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    members: Mapped[list[TeamMember]] = relationship(
        back_populates="team", lazy="raise", cascade="all, delete-orphan", order_by="TeamMember.id"
    )

    @property
    def mode(self) -> TravelMode:
        """Vehicle teams drive; the rest walk."""
        return TravelMode.vehicle if self.vehicle else TravelMode.walking


class TeamMember(Base):
    """A person on a team, with the department that seconds them."""

    __tablename__ = "team_members"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    department: Mapped[Department] = mapped_column(String(32))
    role: Mapped[str | None] = mapped_column(String(64))

    team: Mapped[Team] = relationship(back_populates="members", lazy="raise")
