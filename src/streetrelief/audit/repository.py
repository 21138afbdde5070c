"""Queries on the audit log (reads only: the log is never updated or deleted)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from streetrelief.audit.models import AuditEvent
from streetrelief.audit.schemas import AuditQuery
from streetrelief.regions.repository import in_any_subtree


def search(
    session: Session, query: AuditQuery, *, scope: tuple[str, ...] | None
) -> Sequence[AuditEvent]:
    """Events matching ``query`` whose region lies in ``scope`` (None: all), newest first."""
    stmt = select(AuditEvent)
    if scope is not None:
        stmt = stmt.where(in_any_subtree(AuditEvent.region_code, scope))
    for column, value in (
        (AuditEvent.actor, query.actor),
        (AuditEvent.action, query.action),
        (AuditEvent.resource, query.resource),
        (AuditEvent.resource_id, query.resource_id),
        (AuditEvent.outcome, query.outcome),
    ):
        if value is not None:
            stmt = stmt.where(column == value)
    if query.since is not None:
        stmt = stmt.where(AuditEvent.at >= query.since)
    if query.until is not None:
        stmt = stmt.where(AuditEvent.at < query.until)
    stmt = stmt.order_by(AuditEvent.id.desc()).limit(query.limit).offset(query.offset)
    return session.scalars(stmt).all()
