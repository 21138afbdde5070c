"""ORM model of dispatches (one team assigned to one incident)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from streetrelief.db.base import Base, UTCDateTime

NOT_ACKNOWLEDGED = "not_acknowledged"
"""The outcome of a dispatch its team never acknowledged in time (``dispatch-timers``)."""


class Dispatch(Base):
    """An assignment of a team to an incident, with its own timeline."""

    __tablename__ = "dispatches"
    __table_args__ = (
        # A team's dispatches since a time: the 24-hour workload of the dispatch ranking.
        Index("ix_dispatches_team_assigned", "team_id", "assigned_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    is_automatic: Mapped[bool] = mapped_column(Boolean, default=False)
    assigned_by: Mapped[str | None] = mapped_column(String(100))
    estimated_travel_s: Mapped[float] = mapped_column(Float)
    is_estimate_fallback: Mapped[bool] = mapped_column(Boolean, default=False)
    staff_count: Mapped[int] = mapped_column(Integer, default=0)
    has_vehicle: Mapped[bool] = mapped_column(Boolean, default=False)
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    en_route_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    on_scene_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cleared_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[str | None] = mapped_column(String(32))
