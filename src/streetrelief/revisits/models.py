"""ORM model of revisits: a person who refused help, to be seen again by a due time."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from streetrelief.db.base import Base, UTCDateTime
from streetrelief.privacy.crypto import EncryptedText


class RevisitStatus(StrEnum):
    """Where a revisit stands: scheduled → due (no team free yet) or assigned (a team's patrol
    task) → overdue (past the grace, escalated) → done, or cancelled at any point."""

    scheduled = "scheduled"
    due = "due"
    assigned = "assigned"
    overdue = "overdue"
    done = "done"
    cancelled = "cancelled"


OPEN_STATUSES = frozenset(
    {RevisitStatus.scheduled, RevisitStatus.due, RevisitStatus.assigned, RevisitStatus.overdue}
)
"""Statuses of a revisit still to be made."""


class CompletedBy(StrEnum):
    """What completed a revisit."""

    encounter = "encounter"
    """A later encounter with the same person, or one by the assigned team near the place."""
    check_in = "check_in"
    """A hotspot check-in by the assigned team near the place."""
    by_hand = "by_hand"
    """Staff marked it done."""


class Revisit(Base):
    """A revisit of someone who refused help at an encounter: where (WGS-84), by when, which
    team holds it as a patrol task, and what completed it."""

    __tablename__ = "revisits"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    encounter_id: Mapped[int] = mapped_column(ForeignKey("encounters.id"), unique=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"))
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    refused_at: Mapped[datetime] = mapped_column(UTCDateTime)
    interval_s: Mapped[int] = mapped_column(Integer)
    """The interval the due time was last set from, seconds."""
    interval_source: Mapped[str] = mapped_column(String(64))
    """Where the interval came from: ``level II`` (the playbook) or ``usual``."""
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[RevisitStatus] = mapped_column(String(16))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"), index=True)
    assigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    previous_id: Mapped[int | None] = mapped_column(ForeignKey("revisits.id"))
    """The revisit at which this person refused again."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_by: Mapped[CompletedBy | None] = mapped_column(String(16))
    completing_encounter_id: Mapped[int | None] = mapped_column(ForeignKey("encounters.id"))
    completing_check_in_id: Mapped[int | None] = mapped_column(ForeignKey("check_ins.id"))
    outcome: Mapped[str | None] = mapped_column(String(32))
    note: Mapped[str | None] = mapped_column(EncryptedText)
    closed_by: Mapped[str | None] = mapped_column(String(100))
    """Who marked it done or cancelled it by hand."""
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancel_reason: Mapped[str | None] = mapped_column(String(500))

    __table_args__ = (Index("ix_revisits_status_due", "status", "due_at"),)
