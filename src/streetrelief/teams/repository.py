"""Queries on teams."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlalchemy import func, inspect, select
from sqlalchemy.orm import Session, selectinload

from streetrelief.regions.repository import in_subtree
from streetrelief.regions.service import Scope, scope_clause
from streetrelief.teams.models import Team, TeamMember, TeamStatus


def get(session: Session, team_id: int, *, with_members: bool = False) -> Team | None:
    """The team with ``team_id``, or None; ``with_members`` loads its members too.

    A team already in the session without its members gets them loaded here as well
    (``session.get`` alone would return it as it is).
    """
    options = [selectinload(Team.members)] if with_members else []
    team = session.get(Team, team_id, options=options)
    if team is not None and with_members and "members" in inspect(team).unloaded:
        session.refresh(team, attribute_names=["members"])
    return team


def by_code(session: Session, code: str) -> Team | None:
    """The team with ``code``, or None."""
    return session.scalars(select(Team).where(Team.code == code)).first()


def in_region(
    session: Session,
    region_path: str | None,
    *,
    statuses: Collection[TeamStatus] | None = None,
    with_members: bool = False,
    scope: Scope = None,
) -> Sequence[Team]:
    """Teams in a region subtree (all when None) and a jurisdiction, optionally with given
    statuses, by code."""
    stmt = select(Team).where(scope_clause(Team.region_code, scope))
    if region_path is not None:
        stmt = stmt.where(in_subtree(Team.region_code, region_path))
    if statuses is not None:
        stmt = stmt.where(Team.status.in_(list(statuses)))
    if with_members:
        stmt = stmt.options(selectinload(Team.members))
    return session.scalars(stmt.order_by(Team.code)).all()


def member_count(session: Session, team_id: int) -> int:
    """Number of members on a team."""
    stmt = select(func.count()).select_from(TeamMember).where(TeamMember.team_id == team_id)
    return int(session.scalar(stmt) or 0)
