"""API shapes of the audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field


class AuditQuery(BaseModel):
    """Filters of an audit search; all optional, combined with AND."""

    model_config = ConfigDict(extra="forbid")

    actor: str | None = Field(None, max_length=100)
    action: str | None = Field(None, max_length=32)
    resource: str | None = Field(None, max_length=32)
    resource_id: str | None = Field(None, max_length=64)
    outcome: str | None = Field(None, pattern="^(allowed|denied)$")
    since: AwareDatetime | None = None
    until: AwareDatetime | None = None
    limit: int = Field(100, ge=1, le=1000)
    offset: int = Field(0, ge=0)


class AuditEventRead(BaseModel):
    """One audit event."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    at: datetime
    actor_kind: str
    actor: str
    role: str
    action: str
    resource: str
    resource_id: str | None
    region_code: str | None
    outcome: str
    source_ip: str | None
    user_agent: str | None
    request: str | None
    detail: dict[str, Any]
