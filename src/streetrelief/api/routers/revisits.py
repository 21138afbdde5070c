"""Revisits of people who refused help: list, read, mark done by hand, cancel."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from streetrelief.access.principal import Principal, region_filter, require_in_jurisdiction
from streetrelief.access.roles import Permission, Role
from streetrelief.api.deps import ClockDep, IdPath, SessionDep
from streetrelief.api.security import require
from streetrelief.core.errors import PermissionDeniedError
from streetrelief.revisits.models import Revisit
from streetrelief.revisits.schemas import RevisitCancel, RevisitComplete, RevisitRead
from streetrelief.revisits.service import (
    cancel_revisit,
    complete_revisit,
    list_revisits,
    require_revisit,
)

router = APIRouter(prefix="/revisits", tags=["revisits"])

ReadRevisits = Annotated[Principal, Depends(require(Permission.revisits_read))]
CompleteRevisits = Annotated[Principal, Depends(require(Permission.revisits_complete))]
CancelRevisits = Annotated[Principal, Depends(require(Permission.revisits_cancel))]


def own_team(principal: Principal) -> int | None:
    """The team whose revisits a patrol member is limited to (None: not limited).

    Raises:
        PermissionDeniedError: a patrol account that belongs to no team.
    """
    if principal.role is not Role.patrol:
        return None
    if principal.team_id is None:
        raise PermissionDeniedError("a patrol member sees their own team's revisits: no team")
    return principal.team_id


def revisit_for(session: Session, principal: Principal, revisit_id: int) -> Revisit:
    """The revisit, if it lies in the caller's regions and (for a patrol member) their team
    holds it; else 404 (audited when outside the regions)."""
    revisit = require_revisit(session, revisit_id)
    require_in_jurisdiction(session, principal, revisit.region_code, f"revisit {revisit_id}")
    team = own_team(principal)
    if team is not None and revisit.team_id != team:
        raise PermissionDeniedError("a patrol member acts only on their own team's revisits")
    return revisit


@router.get("", response_model=list[RevisitRead])
def get_revisits(
    principal: ReadRevisits,
    session: SessionDep,
    region_code: Annotated[
        str | None, Query(max_length=32, description="Only revisits of this subtree.")
    ] = None,
    status: Annotated[
        str | None,
        Query(
            max_length=16,
            description="scheduled, due, assigned, overdue, done or cancelled.",
        ),
    ] = None,
) -> list[RevisitRead]:
    """Revisits in the caller's regions (a patrol member: their team's), by due time; 200 at
    most."""
    region = region_filter(session, principal, region_code)
    rows = list_revisits(
        session,
        region_code=region,
        status=status,
        team_id=own_team(principal),
        scope=principal.scope,
    )
    return [RevisitRead.model_validate(r) for r in rows]


@router.get("/{revisit_id}", response_model=RevisitRead)
def get_revisit(revisit_id: IdPath, principal: ReadRevisits, session: SessionDep) -> RevisitRead:
    """One revisit."""
    return RevisitRead.model_validate(revisit_for(session, principal, revisit_id))


@router.post("/{revisit_id}/complete", response_model=RevisitRead)
def post_complete(
    revisit_id: IdPath,
    body: RevisitComplete,
    principal: CompleteRevisits,
    session: SessionDep,
    clock: ClockDep,
) -> RevisitRead:
    """Mark a revisit done by hand, with what was found (409 when already closed)."""
    revisit_for(session, principal, revisit_id)
    done = complete_revisit(session, revisit_id, body, by=principal.name, now=clock.now())
    return RevisitRead.model_validate(done)


@router.post("/{revisit_id}/cancel", response_model=RevisitRead)
def post_cancel(
    revisit_id: IdPath,
    body: RevisitCancel,
    principal: CancelRevisits,
    session: SessionDep,
    clock: ClockDep,
) -> RevisitRead:
    """Cancel a revisit no longer needed, with the reason (409 when already closed)."""
    revisit_for(session, principal, revisit_id)
    cancelled = cancel_revisit(session, revisit_id, body, by=principal.name, now=clock.now())
    return RevisitRead.model_validate(cancelled)
