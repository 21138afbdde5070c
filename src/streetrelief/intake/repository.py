"""Queries on reports."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from streetrelief.intake.models import Report


def by_idempotency_key(session: Session, key: str) -> Report | None:
    """The report accepted earlier under ``key``, or None."""
    return session.scalars(select(Report).where(Report.idempotency_key == key)).first()


def for_incident(session: Session, incident_id: int) -> Sequence[Report]:
    """Reports of an incident, in the order received."""
    stmt = select(Report).where(Report.incident_id == incident_id).order_by(Report.id)
    return session.scalars(stmt).all()


def by_tracking_code(session: Session, tracking_code: str) -> Report | None:
    """The report with this tracking code, or None."""
    return session.scalars(select(Report).where(Report.tracking_code == tracking_code)).first()
