"""Record and search the audit log.

What is recorded (HUD HMIS privacy standard, 2004, §4.3.1; PIPL art. 54): every read of a
person record, every change made through the API or CLI, every export, every sign-in and
sign-out, and every refused attempt — who, when, what, in which region, from where. The log is
append-only: this module only inserts, and database triggers refuse updates and deletes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from streetrelief.access.principal import Principal
from streetrelief.audit import repository
from streetrelief.audit.models import AuditEvent
from streetrelief.audit.schemas import AuditQuery


@dataclass(frozen=True)
class Origin:
    """Where an action came from: the HTTP client or the machine's CLI."""

    source_ip: str | None = None
    user_agent: str | None = None
    request: str | None = None


CLI = Origin(source_ip="local", request="cli")


def record(
    session: Session,
    actor: Principal,
    *,
    action: str,
    resource: str,
    at: datetime,
    origin: Origin,
    resource_id: str | int | None = None,
    region_code: str | None = None,
    outcome: str = "allowed",
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add one audit event to the current transaction (it commits or rolls back with it)."""
    event = AuditEvent(
        at=at,
        actor_kind=actor.kind,
        actor=actor.name[:100],
        role=actor.role.value,
        action=action,
        resource=resource,
        resource_id=None if resource_id is None else str(resource_id)[:64],
        region_code=region_code,
        outcome=outcome,
        source_ip=origin.source_ip,
        user_agent=(origin.user_agent or "")[:200] or None,
        request=(origin.request or "")[:200] or None,
        detail=detail or {},
    )
    session.add(event)
    session.flush()
    return event


def search(session: Session, query: AuditQuery, *, by: Principal) -> Sequence[AuditEvent]:
    """Audit events matching ``query`` within the searcher's jurisdiction, newest first.

    Events without a region (sign-ins, account changes) are shown only to searchers whose
    jurisdiction is the whole installation.
    """
    return repository.search(session, query, scope=by.scope)
