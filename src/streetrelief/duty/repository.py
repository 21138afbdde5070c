"""Queries on duty shifts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from streetrelief.duty.models import DutyRole, DutyShift
from streetrelief.regions.repository import in_subtree


def get(session: Session, shift_id: int) -> DutyShift | None:
    """The shift with ``shift_id``, or None."""
    return session.get(DutyShift, shift_id)


def overlapping_for_person(
    session: Session, person_name: str, start_at: datetime, end_at: datetime
) -> Sequence[DutyShift]:
    """Shifts of ``person_name`` (anywhere) that overlap ``[start_at, end_at)``."""
    stmt = select(DutyShift).where(
        DutyShift.person_name == person_name,
        DutyShift.start_at < end_at,
        DutyShift.end_at > start_at,
    )
    return session.scalars(stmt.order_by(DutyShift.start_at)).all()


def overlapping(
    session: Session,
    region_path: str | None,
    start_at: datetime,
    end_at: datetime,
    *,
    role: DutyRole | None = None,
) -> Sequence[DutyShift]:
    """Shifts in a subtree (all when None) overlapping ``[start_at, end_at)``, by start then id."""
    stmt = select(DutyShift).where(DutyShift.start_at < end_at, DutyShift.end_at > start_at)
    if region_path is not None:
        stmt = stmt.where(in_subtree(DutyShift.region_code, region_path))
    if role is not None:
        stmt = stmt.where(DutyShift.role == role)
    return session.scalars(stmt.order_by(DutyShift.start_at, DutyShift.id)).all()
