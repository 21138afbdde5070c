"""ORM models of hotspots, check-ins and patrol plans."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from streetrelief.db.base import Base, UTCDateTime


class HotspotKind(StrEnum):
    """Kinds of place where people shelter from the cold (the campaign's list, and other)."""

    station_square = "station_square"
    bridge_culvert = "bridge_culvert"
    building_site = "building_site"
    urban_fringe = "urban_fringe"
    underpass = "underpass"
    park = "park"
    abandoned_building = "abandoned_building"
    other = "other"


class HotspotStatus(StrEnum):
    """Imported candidates wait for a dispatcher's review; only active hotspots are patrolled."""

    candidate = "candidate"
    active = "active"
    retired = "retired"


class CheckInMethod(StrEnum):
    """How a check-in proved the team was there."""

    geofence = "geofence"
    code = "code"


class PlanStatus(StrEnum):
    """A plan is complete, or partial when the solver stopped with visits it might still fit."""

    complete = "complete"
    partial = "partial"


class Hotspot(Base):
    """A place patrols must visit: a point, or an area given by its centre and radius."""

    __tablename__ = "hotspots"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[HotspotKind] = mapped_column(String(32))
    status: Mapped[HotspotStatus] = mapped_column(String(16), index=True)
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    h3_cell: Mapped[str] = mapped_column(String(16), index=True)
    radius_m: Mapped[float] = mapped_column(Float)
    interval_s: Mapped[int] = mapped_column(Integer)
    active_hours: Mapped[str | None] = mapped_column(String(32))
    service_s: Mapped[int] = mapped_column(Integer)
    check_in_code: Mapped[str | None] = mapped_column(String(32))
    notes: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str | None] = mapped_column(String(200))
    last_visited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_found_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CheckIn(Base):
    """A team's visit to a hotspot, as recorded in the field; never edited."""

    __tablename__ = "check_ins"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    hotspot_id: Mapped[int] = mapped_column(ForeignKey("hotspots.id"), index=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), index=True)
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"))
    checked_in_at: Mapped[datetime] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    method: Mapped[CheckInMethod] = mapped_column(String(16))
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    distance_m: Mapped[float | None] = mapped_column(Float)
    people_found: Mapped[int] = mapped_column(Integer, default=0)
    conditions: Mapped[list[str]] = mapped_column(JSON, default=list)
    note: Mapped[str] = mapped_column(Text, default="")
    staff_count: Mapped[int] = mapped_column(Integer)
    report_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id"))
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"))
    idempotency_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    request_hash: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (Index("ix_check_ins_region_at", "region_code", "checked_in_at"),)


class PatrolPlan(Base):
    """A shift's planned routes over the visits due, and the visits that could not fit."""

    __tablename__ = "patrol_plans"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    shift_start_at: Mapped[datetime] = mapped_column(UTCDateTime)
    shift_end_at: Mapped[datetime] = mapped_column(UTCDateTime)
    planned_from_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[PlanStatus] = mapped_column(String(16))
    level: Mapped[str] = mapped_column(String(8))
    patrol_multiplier: Mapped[float] = mapped_column(Float)
    holiday: Mapped[str | None] = mapped_column(String(100))
    solver: Mapped[str] = mapped_column(String(32))
    time_limit_s: Mapped[float] = mapped_column(Float)
    message: Mapped[str] = mapped_column(Text, default="")
    replans_id: Mapped[int | None] = mapped_column(ForeignKey("patrol_plans.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PatrolStop(Base):
    """One visit of a plan, to a hotspot or to a revisit of someone who refused help: on a
    team's route (with its planned arrival), or unassigned."""

    __tablename__ = "patrol_stops"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(
        ForeignKey("patrol_plans.id", ondelete="CASCADE"), index=True
    )
    hotspot_id: Mapped[int | None] = mapped_column(ForeignKey("hotspots.id"))
    revisit_id: Mapped[int | None] = mapped_column(ForeignKey("revisits.id"))
    """Set on a revisit's stop (then ``hotspot_id`` is None)."""
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    sequence: Mapped[int | None] = mapped_column(Integer)
    earliest_at: Mapped[datetime] = mapped_column(UTCDateTime)
    latest_at: Mapped[datetime] = mapped_column(UTCDateTime)
    arrive_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    service_s: Mapped[int] = mapped_column(Integer)
    check_in_id: Mapped[int | None] = mapped_column(ForeignKey("check_ins.id"))
    reason: Mapped[str | None] = mapped_column(String(400))
