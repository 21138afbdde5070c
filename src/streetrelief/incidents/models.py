"""ORM model of incidents."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from streetrelief.db.base import Base, UTCDateTime


class IncidentStatus(StrEnum):
    """Lifecycle of an incident (see ``incidents.lifecycle`` for the allowed steps)."""

    new = "new"
    triaged = "triaged"
    dispatched = "dispatched"
    en_route = "en_route"
    on_scene = "on_scene"
    resolved = "resolved"
    not_found = "not_found"
    cancelled = "cancelled"


class Priority(StrEnum):
    """Urgency of an incident; ``PRIORITY_RANK`` orders them."""

    critical = "critical"
    high = "high"
    normal = "normal"
    low = "low"


PRIORITY_RANK = {Priority.critical: 0, Priority.high: 1, Priority.normal: 2, Priority.low: 3}


class Incident(Base):
    """A situation needing help, with a timestamp for every lifecycle step."""

    __tablename__ = "incidents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    h3_cell: Mapped[str] = mapped_column(String(16))
    status: Mapped[IncidentStatus] = mapped_column(String(16), default=IncidentStatus.new)
    is_open: Mapped[bool] = mapped_column(default=True)
    first_channel: Mapped[str] = mapped_column(String(32))
    conditions: Mapped[list[str]] = mapped_column(JSON, default=list)
    people_count: Mapped[int] = mapped_column(Integer, default=1)
    report_count: Mapped[int] = mapped_column(Integer, default=1)
    first_reported_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    last_reported_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Triage outcome.
    priority: Mapped[str | None] = mapped_column(String(16))
    measures: Mapped[list[str]] = mapped_column(JSON, default=list)
    destination: Mapped[str | None] = mapped_column(String(32))
    response_target_s: Mapped[int | None] = mapped_column(Integer)
    triage_rules: Mapped[list[str]] = mapped_column(JSON, default=list)
    triage_policy_version: Mapped[str | None] = mapped_column(String(64))
    # One timestamp per lifecycle step.
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    triaged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    dispatched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    en_route_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    on_scene_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    not_found_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    target_breached_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closing_note: Mapped[str | None] = mapped_column(String(1000))

    __table_args__ = (Index("ix_incidents_open_cell", "is_open", "h3_cell"),)
