"""Queries on teams."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import Row, case, func, inspect, null, select
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


SnapshotRow = Row[int, str, list[str], str | None, str, datetime | None, float, float, bool]


def snapshot_in_region(
    session: Session,
    region_path: str,
    *,
    statuses: Collection[TeamStatus],
    stale_before: datetime,
    scope: Scope = None,
) -> Sequence[SnapshotRow]:
    """(id, code, capabilities, vehicle, status, on-scene since, last_lat, last_lon,
    is_position_stale) of the teams in a subtree and jurisdiction with one of ``statuses``.

    Plain rows for ranking many teams quickly: the time a team came on scene is read only for
    on-scene teams and staleness is decided in SQL, since reading every timestamp back
    costs more than ranking the teams (SQLite keeps them as text). Executed on the session's
    connection, as a Core statement: the ORM's row loading would cost several times the query.
    """
    stmt = (
        select(
            Team.id,
            Team.code,
            Team.capabilities,
            Team.vehicle,
            Team.status,
            case((Team.status == TeamStatus.on_scene, Team.status_at), else_=null()),
            Team.last_lat,
            Team.last_lon,
            Team.position_at < stale_before,
        )
        .where(scope_clause(Team.region_code, scope), in_subtree(Team.region_code, region_path))
        .where(Team.status.in_(list(statuses)))
    )
    return session.connection().execute(stmt).all()


def member_count(session: Session, team_id: int) -> int:
    """Number of members on a team."""
    stmt = select(func.count()).select_from(TeamMember).where(TeamMember.team_id == team_id)
    return int(session.scalar(stmt) or 0)
