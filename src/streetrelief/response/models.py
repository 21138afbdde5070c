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

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String, Text
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
