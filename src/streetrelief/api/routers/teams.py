"""Teams: create, read, update, list, status and position reports."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, status
from sqlalchemy.orm import Session

from streetrelief.access.principal import (
    Principal,
    require_in_jurisdiction,
    require_region_in_jurisdiction,
)
from streetrelief.access.roles import Permission, Role
from streetrelief.api.deps import ClockDep, IdPath, SessionDep
from streetrelief.api.security import require
from streetrelief.core.errors import PermissionDeniedError
from streetrelief.dispatch.schemas import DispatchRead
from streetrelief.dispatch.service import current_dispatches
from streetrelief.revisits.schemas import RevisitRead
from streetrelief.revisits.service import team_revisits
from streetrelief.teams.models import Team, TeamStatus
from streetrelief.teams.schemas import TeamCreate, TeamRead, TeamStatusUpdate, TeamUpdate
from streetrelief.teams.service import (
    create_team,
    list_teams,
    report_team_status,
    require_team,
    update_team,
)

router = APIRouter(prefix="/teams", tags=["teams"])

ReadTeams = Annotated[Principal, Depends(require(Permission.teams_read))]
ManageTeams = Annotated[Principal, Depends(require(Permission.teams_manage))]
ReportStatus = Annotated[Principal, Depends(require(Permission.teams_report_status))]
ReadRevisits = Annotated[Principal, Depends(require(Permission.revisits_read))]


def team_for(session: Session, principal: Principal, team_id: int) -> Team:
    """The team, if it lies in the caller's regions (else 404, audited)."""
    team = require_team(session, team_id, with_members=True)
    require_in_jurisdiction(session, principal, team.region_code, f"team {team_id}")
    return team


@router.get("", response_model=list[TeamRead])
def get_teams(
    principal: ReadTeams,
    session: SessionDep,
    region_code: Annotated[str | None, Query(max_length=32)] = None,
    team_status: Annotated[TeamStatus | None, Query(alias="status")] = None,
) -> list[TeamRead]:
    """Teams in a region subtree of the caller's regions, by code."""
    if region_code is not None:
        require_region_in_jurisdiction(session, principal, region_code)
    rows = list_teams(
        session,
        region_code=region_code,
        statuses=[team_status] if team_status else None,
        with_members=True,
        scope=principal.scope,
    )
    return [TeamRead.model_validate(t) for t in rows]


@router.post("", status_code=status.HTTP_201_CREATED, response_model=TeamRead)
def post_team(
    data: TeamCreate, principal: ManageTeams, session: SessionDep, clock: ClockDep
) -> TeamRead:
    """Add a team in one of the caller's regions."""
    require_region_in_jurisdiction(session, principal, data.region_code)
    return TeamRead.model_validate(create_team(session, data, now=clock.now()))


@router.get("/{team_id}", response_model=TeamRead)
def get_team(team_id: IdPath, principal: ReadTeams, session: SessionDep) -> TeamRead:
    """One team."""
    return TeamRead.model_validate(team_for(session, principal, team_id))


@router.get("/{team_id}/dispatches", response_model=list[DispatchRead])
def get_team_dispatches(
    team_id: IdPath, principal: ReadTeams, session: SessionDep
) -> list[DispatchRead]:
    """The team's current assignments: dispatches not yet cleared, oldest first (what the
    field app shows a patrol member)."""
    team_for(session, principal, team_id)
    return [DispatchRead.model_validate(d) for d in current_dispatches(session, team_id)]


@router.get("/{team_id}/revisits", response_model=list[RevisitRead])
def get_team_revisits(
    team_id: IdPath, principal: ReadRevisits, session: SessionDep
) -> list[RevisitRead]:
    """The revisits the team holds as patrol tasks, still to be made, by due time (what the
    field app lists beside its assignment); a patrol member sees only their own team's."""
    team_for(session, principal, team_id)
    if principal.role is Role.patrol and principal.team_id != team_id:
        raise PermissionDeniedError("a patrol member sees only their own team's revisits")
    rows = team_revisits(session, team_id, scope=principal.scope)
    return [RevisitRead.model_validate(r) for r in rows]


@router.patch("/{team_id}", response_model=TeamRead)
def patch_team(
    team_id: IdPath, data: TeamUpdate, principal: ManageTeams, session: SessionDep, clock: ClockDep
) -> TeamRead:
    """Change a team's details."""
    team_for(session, principal, team_id)
    return TeamRead.model_validate(update_team(session, team_id, data, now=clock.now()))


@router.post("/{team_id}/status", response_model=TeamRead)
def post_team_status(
    team_id: IdPath,
    data: TeamStatusUpdate,
    principal: ReportStatus,
    session: SessionDep,
    clock: ClockDep,
) -> TeamRead:
    """A status or position report from the team (a patrol member reports for their own)."""
    team_for(session, principal, team_id)
    if principal.role is Role.patrol and principal.team_id != team_id:
        raise PermissionDeniedError("a patrol member reports only for their own team")
    return TeamRead.model_validate(report_team_status(session, team_id, data, now=clock.now()))
