"""Queries on dispatches."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from functools import lru_cache

from sqlalchemy import (
    ColumnElement,
    Row,
    Select,
    String,
    and_,
    bindparam,
    case,
    cast,
    exists,
    func,
    literal,
    null,
    or_,
    select,
)
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased

from streetrelief.db.base import UTCDateTime
from streetrelief.dispatch.models import NOT_ACKNOWLEDGED, Dispatch
from streetrelief.regions.repository import in_subtree
from streetrelief.regions.service import Scope, scope_clause
from streetrelief.teams.models import Team, TeamStatus


def active_for_incident(session: Session, incident_id: int) -> Sequence[Dispatch]:
    """Dispatches of an incident that have not cleared."""
    stmt = (
        select(Dispatch)
        .where(Dispatch.incident_id == incident_id, Dispatch.cleared_at.is_(None))
        .order_by(Dispatch.id)
    )
    return session.scalars(stmt).all()


def unacknowledged_before(session: Session, cutoff: datetime) -> Sequence[Dispatch]:
    """Uncleared dispatches assigned before ``cutoff`` that nobody acknowledged or set off on."""
    stmt = (
        select(Dispatch)
        .where(
            Dispatch.cleared_at.is_(None),
            Dispatch.acknowledged_at.is_(None),
            Dispatch.en_route_at.is_(None),
            Dispatch.assigned_at < cutoff,
        )
        .order_by(Dispatch.id)
    )
    return session.scalars(stmt).all()


def active_for_team(session: Session, team_id: int) -> Sequence[Dispatch]:
    """Dispatches of a team that have not cleared, oldest first."""
    stmt = (
        select(Dispatch)
        .where(Dispatch.team_id == team_id, Dispatch.cleared_at.is_(None))
        .order_by(Dispatch.id)
    )
    return session.scalars(stmt).all()


def _next_job_held(
    team_id: ColumnElement[int] | InstrumentedAttribute[int],
) -> ColumnElement[bool]:
    """A condition: the team in ``team_id`` holds a next job, an uncleared dispatch not yet on
    scene while another of its dispatches is on scene."""
    current, waiting = aliased(Dispatch), aliased(Dispatch)
    on_scene = exists().where(
        current.team_id == team_id, current.cleared_at.is_(None), current.on_scene_at.is_not(None)
    )
    queued = exists().where(
        waiting.team_id == team_id, waiting.cleared_at.is_(None), waiting.on_scene_at.is_(None)
    )
    return and_(on_scene, queued)


def holds_next_job(session: Session, team_id: int) -> bool:
    """Whether the team holds a next job (see ``_next_job_held``)."""
    return bool(session.scalar(select(_next_job_held(literal(team_id)))))


CandidateRow = Row[int, str, str, bool, datetime | None, float, float, bool, int, datetime | None]


def candidate_teams(
    session: Session,
    region_path: str,
    *,
    statuses: Collection[TeamStatus],
    now: datetime,
    stale_before: datetime,
    workload_since: datetime,
    scope: Scope = None,
) -> Sequence[CandidateRow]:
    """(id, code, capabilities as JSON text, has a vehicle, on scene since, last_lat, last_lon,
    is the position stale, dispatches assigned since ``workload_since``, shift end or None) of
    the teams in a subtree and jurisdiction with one of ``statuses``, leaving out those
    holding a next job and those whose shift ended by ``now`` (gone home, whatever status they
    last reported).

    One Core statement on the session's connection, for ranking hundreds of teams: no ORM
    objects; capabilities come back as their stored text, which the caller maps through a
    cache of parsed sets instead of decoding JSON per team; the on-scene time is read only for
    on-scene teams and staleness is decided in SQL (SQLite keeps timestamps as text); the
    dispatch counts are joined in, and the next-job check (a correlated ``EXISTS``) applies
    only to on-scene teams, the only ones that can hold a next job.
    """
    stmt = _candidates_select(region_path, scope, frozenset(statuses))
    params = {"now": now, "stale_before": stale_before, "workload_since": workload_since}
    return session.connection().execute(stmt, params).all()


@lru_cache(maxsize=256)
def _candidates_select(
    region_path: str, scope: Scope, statuses: frozenset[TeamStatus]
) -> Select[int, str, str, bool, datetime | None, float, float, bool, int, datetime | None]:
    """The statement of ``candidate_teams`` for one area, jurisdiction and set of statuses,
    built once: making the subquery and the aliases of the next-job check, and the cache key
    SQLAlchemy derives from a new statement object, cost about as much as running the query.
    Parameters ``now``, ``stale_before`` and ``workload_since``."""
    workload = (
        select(Dispatch.team_id, func.count().label("n"))
        .where(Dispatch.assigned_at >= bindparam("workload_since", type_=UTCDateTime()))
        .group_by(Dispatch.team_id)
        .subquery()
    )
    on_scene = Team.status == TeamStatus.on_scene
    return (
        select(
            Team.id,
            Team.code,
            cast(Team.capabilities, String),
            Team.vehicle.is_not(None),
            case((on_scene, Team.status_at), else_=null()),
            Team.last_lat,
            Team.last_lon,
            Team.position_at < bindparam("stale_before", type_=UTCDateTime()),
            func.coalesce(workload.c.n, 0),
            Team.shift_ends_at,
        )
        .outerjoin(workload, workload.c.team_id == Team.id)
        .where(
            scope_clause(Team.region_code, scope),
            in_subtree(Team.region_code, region_path),
            Team.status.in_(sorted(statuses)),
            or_(
                Team.shift_ends_at.is_(None),
                Team.shift_ends_at > bindparam("now", type_=UTCDateTime()),
            ),
            or_(~on_scene, ~_next_job_held(Team.id)),
        )
    )


def for_incident(session: Session, incident_id: int) -> Sequence[Dispatch]:
    """All dispatches of an incident."""
    stmt = select(Dispatch).where(Dispatch.incident_id == incident_id).order_by(Dispatch.id)
    return session.scalars(stmt).all()


def silent_teams(session: Session, incident_id: int) -> set[int]:
    """Teams that left a dispatch to the incident unacknowledged until it timed out."""
    stmt = select(Dispatch.team_id).where(
        Dispatch.incident_id == incident_id, Dispatch.outcome == NOT_ACKNOWLEDGED
    )
    return set(session.scalars(stmt))


def team_was_sent(session: Session, incident_id: int, team_id: int) -> bool:
    """Whether the team holds, or held, a dispatch to the incident."""
    sent = exists().where(Dispatch.incident_id == incident_id, Dispatch.team_id == team_id)
    return bool(session.scalar(select(sent)))


def figures(
    session: Session, region_path: str, start: datetime, end: datetime
) -> tuple[int, int, int]:
    """(dispatches, staff deployed, dispatches with a vehicle) assigned in a subtree and range."""
    stmt = select(
        func.count(),
        func.coalesce(func.sum(Dispatch.staff_count), 0),
        func.coalesce(func.sum(case((Dispatch.has_vehicle.is_(True), 1), else_=0)), 0),
    ).where(
        in_subtree(Dispatch.region_code, region_path),
        Dispatch.assigned_at >= start,
        Dispatch.assigned_at < end,
    )
    n, staff, vehicles = session.execute(stmt).one()
    return int(n), int(staff), int(vehicles)
