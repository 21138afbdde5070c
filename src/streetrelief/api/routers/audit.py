"""The audit log, for auditors."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from streetrelief.access.principal import Principal
from streetrelief.access.roles import Permission
from streetrelief.api.deps import SessionDep
from streetrelief.api.security import require
from streetrelief.audit import service as audit
from streetrelief.audit.schemas import AuditEventRead, AuditQuery

router = APIRouter(tags=["audit"])


@router.get("/audit", response_model=list[AuditEventRead])
def get_audit(
    principal: Annotated[Principal, Depends(require(Permission.audit_read))],
    session: SessionDep,
    query: Annotated[AuditQuery, Query()],
) -> list[AuditEventRead]:
    """Search the audit log in the auditor's regions, newest first."""
    return [AuditEventRead.model_validate(e) for e in audit.search(session, query, by=principal)]
