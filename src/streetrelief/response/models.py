"""ORM models of response levels: each configured region's policy and current level, and the
log of every level change.

A ``RegionResponse`` holds the configuration (preset, province) and, in the same row, the level
in force with the hysteresis state that ``response.policy.evaluate`` carries between calls
(JSON, see ``response.state_codec``); the two are one-to-one, so one row saves a join on every
read. ``ResponseActivation`` is append-only. Levels are stored as the ``ResponseLevel`` integer
(0 none ... 4 I) so that they order in SQL. The use cases live in ``response.service``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from streetrelief.db.base import Base, UTCDateTime


class RegionResponse(Base):
    """A region's response configuration and the level in force there."""

    __tablename__ = "region_responses"

    region_code: Mapped[str] = mapped_column(
        ForeignKey("regions.code", ondelete="RESTRICT"), primary_key=True
    )
    preset: Mapped[str] = mapped_column(String(32))
    province: Mapped[str | None] = mapped_column(String(32))
    configured_at: Mapped[datetime] = mapped_column(UTCDateTime)
    level: Mapped[int] = mapped_column(Integer, default=0)
    since_at: Mapped[datetime] = mapped_column(UTCDateTime)
    evaluated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    state: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The trigger that set the current level (kept while the level is held).
    trigger_kind: Mapped[str] = mapped_column(String(16), default="none")
    trigger_rule: Mapped[str | None] = mapped_column(String(64))
    trigger_warning: Mapped[str | None] = mapped_column(String(255))
    trigger_reading_c: Mapped[float | None] = mapped_column(Float)
    trigger_reason: Mapped[str] = mapped_column(Text, default="")
    # Warning feeds that were stale at the last evaluation (``StaleSource`` as JSON objects).
    stale_sources: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)


class ResponseActivation(Base):
    """One change of a region's level, with what triggered it (append-only)."""

    __tablename__ = "response_activations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code", ondelete="RESTRICT"))
    from_level: Mapped[int] = mapped_column(Integer)
    to_level: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    trigger_kind: Mapped[str] = mapped_column(String(16))
    trigger_rule: Mapped[str | None] = mapped_column(String(64))
    trigger_source: Mapped[str | None] = mapped_column(String(64))
    trigger_warning: Mapped[str | None] = mapped_column(String(255))
    trigger_reading_c: Mapped[float | None] = mapped_column(Float)
    reason: Mapped[str] = mapped_column(Text, default="")
    is_override: Mapped[bool] = mapped_column(Boolean, default=False)
    by: Mapped[str | None] = mapped_column(String(200))

    __table_args__ = (Index("ix_response_activations_region_at", "region_code", "at"),)


class ResponseTask(Base):
    """One action a level change set in motion, with its owner, due time and acknowledgement.

    ``subject`` names what the task acts on (``standby:12`` for service point 12's standby
    opening, ``hours:12``, ``revisit``, ``notify:leader_in_charge:7``...) so that a later level
    change can tell which earlier tasks still apply; ``(activation_id, subject)`` is unique,
    which makes the tasks of one activation idempotent.
    """

    __tablename__ = "response_tasks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code", ondelete="RESTRICT"))
    activation_id: Mapped[int] = mapped_column(
        ForeignKey("response_activations.id", ondelete="RESTRICT"), index=True
    )
    level: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(String(128))
    title: Mapped[str] = mapped_column(Text)
    service_point_id: Mapped[int | None] = mapped_column(
        ForeignKey("service_points.id", ondelete="RESTRICT")
    )
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    owner_name: Mapped[str | None] = mapped_column(String(200))
    owner_shift_id: Mapped[int | None] = mapped_column(
        ForeignKey("duty_shifts.id", ondelete="SET NULL")
    )
    is_unassigned: Mapped[bool] = mapped_column(Boolean, default=False)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16), default="open")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    acknowledged_by: Mapped[str | None] = mapped_column(String(200))
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_by: Mapped[str | None] = mapped_column(String(200))
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_by_activation_id: Mapped[int | None] = mapped_column(
        ForeignKey("response_activations.id", ondelete="RESTRICT")
    )

    __table_args__ = (
        UniqueConstraint("activation_id", "subject", name="uq_response_tasks_activation_subject"),
        Index("ix_response_tasks_region_status", "region_code", "status"),
    )
