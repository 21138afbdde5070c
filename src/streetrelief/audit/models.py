"""ORM model of the audit log. Rows are only ever inserted: database triggers refuse updates and
deletes (see the migration ``audit_and_access``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from streetrelief.db.base import Base, UTCDateTime


class AuditEvent(Base):
    """One audited action (HMIS privacy standard, 2004, §4.3.1; PIPL art. 54 compliance audit)."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    actor_kind: Mapped[str] = mapped_column(String(16))
    """``user``, ``partner``, ``public`` or ``system``."""
    actor: Mapped[str] = mapped_column(String(100), index=True)
    """User name, partner name, ``public`` or the system job."""
    role: Mapped[str] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(32), index=True)
    """``read``, ``create``, ``update``, ``export``, ``sign_in``, ``sign_in_failed``,
    ``sign_out``, ``denied``, ``grant``, ``revoke``, ``purge``…"""
    resource: Mapped[str] = mapped_column(String(32), index=True)
    resource_id: Mapped[str | None] = mapped_column(String(64))
    region_code: Mapped[str | None] = mapped_column(String(32), index=True)
    outcome: Mapped[str] = mapped_column(String(16))
    """``allowed`` or ``denied``."""
    source_ip: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(200))
    request: Mapped[str | None] = mapped_column(String(200))
    """Method and path of the HTTP request, or the CLI command."""
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
