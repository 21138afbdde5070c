"""Teams: create, read, update, list, status and position reports."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from streetrelief.api.deps import ClockDep, IdPath, SessionDep
from streetrelief.teams.models import TeamStatus
from streetrelief.teams.schemas import TeamCreate, TeamRead, TeamStatusUpdate, TeamUpdate
from streetrelief.teams.service import (
    create_team,
    list_teams,
    report_team_status,
    require_team,
    update_team,
)

router = APIRouter(prefix="/teams", tags=["teams"])


@router.get("", response_model=list[TeamRead])
def get_teams(
    session: SessionDep,
    region_code: Annotated[str | None, Query(max_length=32)] = None,
    team_status: Annotated[TeamStatus | None, Query(alias="status")] = None,
) -> list[TeamRead]:
    """Teams in a region subtree, by code."""
    rows = list_teams(
        session,
        region_code=region_code,
        statuses=[team_status] if team_status else None,
        with_members=True,
    )
    return [TeamRead.model_validate(t) for t in rows]


@router.post("", status_code=status.HTTP_201_CREATED, response_model=TeamRead)
def post_team(data: TeamCreate, session: SessionDep, clock: ClockDep) -> TeamRead:
    """Add a team."""
    return TeamRead.model_validate(create_team(session, data, now=clock.now()))


@router.get("/{team_id}", response_model=TeamRead)
def get_team(team_id: IdPath, session: SessionDep) -> TeamRead:
    """One team."""
    return TeamRead.model_validate(require_team(session, team_id, with_members=True))


@router.patch("/{team_id}", response_model=TeamRead)
def patch_team(team_id: IdPath, data: TeamUpdate, session: SessionDep, clock: ClockDep) -> TeamRead:
    """Change a team's details."""
    return TeamRead.model_validate(update_team(session, team_id, data, now=clock.now()))


@router.post("/{team_id}/status", response_model=TeamRead)
def post_team_status(
    team_id: IdPath, data: TeamStatusUpdate, session: SessionDep, clock: ClockDep
) -> TeamRead:
    """A status or position report from the team."""
    return TeamRead.model_validate(report_team_status(session, team_id, data, now=clock.now()))
