"""Use cases of teams: create, update, list, and record status and position."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from streetrelief.core.clock import check_not_future, ensure_utc
from streetrelief.core.errors import (
    ConflictError,
    InvalidInputError,
    NotFoundError,
    TeamUnavailableError,
)
from streetrelief.db.outbox import emit
from streetrelief.regions.service import Scope, require_region
from streetrelief.teams import repository
from streetrelief.teams.models import Team, TeamMember, TeamStatus
from streetrelief.teams.schemas import TeamCreate, TeamMemberIn, TeamStatusUpdate, TeamUpdate

FIELD_REPORTED = frozenset(
    {TeamStatus.off_duty, TeamStatus.available, TeamStatus.transporting, TeamStatus.returning}
)
"""Statuses a team reports itself; the others follow from its dispatch."""

FREE = frozenset({TeamStatus.off_duty, TeamStatus.available})
ON_INCIDENT = frozenset({TeamStatus.dispatched, TeamStatus.en_route, TeamStatus.on_scene})

MAX_SHIFT_AHEAD = timedelta(hours=24)
"""How far ahead of the time it is given a shift end may lie.

China's Labour Law (1994, amended 2018) sets an 8-hour day (art. 36) and at most 3 hours of
overtime a day (art. 41), but lets services that cannot keep to it run other approved
working-time schemes (art. 39) and lifts the overtime limit where a natural disaster or
another threat to life needs urgent handling (art. 42). So no fixed daily limit binds every
team; what the system refuses is a shift end more than one day ahead, which no shift reaches
and which is almost always a wrong date.
"""


def require_team(session: Session, team_id: int, *, with_members: bool = False) -> Team:
    """The team with ``team_id``.

    Raises:
        NotFoundError: no such team.
    """
    team = repository.get(session, team_id, with_members=with_members)
    if team is None:
        raise NotFoundError(f"team {team_id} not found", team_id=team_id)
    return team


def find_team(session: Session, code: str) -> Team | None:
    """The team with ``code``, or None."""
    return repository.by_code(session, code)


def create_team(session: Session, data: TeamCreate, *, now: datetime) -> Team:
    """Add a team, positioned at its base; one starting available may give its shift end.

    Raises:
        ConflictError: the code is taken.
        UnknownRegionError: the region does not exist.
        InvalidInputError: a shift end for a team starting off duty, or one not in the next
            ``MAX_SHIFT_AHEAD``.
    """
    require_region(session, data.region_code)
    if repository.by_code(session, data.code) is not None:
        raise ConflictError(f"team code {data.code} is taken", field="code")
    shift_ends_at = (
        None if data.shift_ends_at is None else _shift_end(data.shift_ends_at, data.status, now)
    )
    team = Team(
        code=data.code,
        name=data.name,
        region_code=data.region_code,
        capabilities=[str(c) for c in data.capabilities],
        vehicle=data.vehicle,
        base_lat=data.base_lat,
        base_lon=data.base_lon,
        status=data.status,
        status_at=now,
        last_lat=data.base_lat,
        last_lon=data.base_lon,
        position_at=now,
        shift_ends_at=shift_ends_at,
        created_at=now,
        members=_members(data.members),
    )
    session.add(team)
    session.flush()
    emit(
        session,
        type_="team.created",
        subject="team",
        subject_id=team.id,
        at=now,
        region_code=team.region_code,
        payload={"code": team.code, "status": team.status},
    )
    return team


def update_team(session: Session, team_id: int, data: TeamUpdate, *, now: datetime) -> Team:
    """Change a team's details (not its status: see :func:`report_team_status`); a shift end
    can be set or cleared (null: not known) for a team on duty.

    Raises:
        NotFoundError: no such team.
        InvalidInputError: a shift end for a team off duty, or one not in the next
            ``MAX_SHIFT_AHEAD``.
    """
    team = require_team(session, team_id, with_members=True)
    changes = data.model_dump(exclude_unset=True)
    if data.shift_ends_at is not None:
        changes["shift_ends_at"] = _shift_end(data.shift_ends_at, team.status, now)
    if "members" in changes:
        team.members = _members(data.members or [])
    for field in ("name", "vehicle", "base_lat", "base_lon", "shift_ends_at"):
        if field in changes:
            setattr(team, field, changes[field])
    if data.capabilities is not None:
        team.capabilities = [str(c) for c in data.capabilities]
    session.flush()
    emit(
        session,
        type_="team.updated",
        subject="team",
        subject_id=team.id,
        at=now,
        region_code=team.region_code,
        payload={"fields": sorted(changes)},
    )
    return team


def set_team_status(
    session: Session,
    team: Team,
    status: TeamStatus,
    at: datetime,
    *,
    position: tuple[float, float] | None = None,
) -> None:
    """Record a new status (and optionally a position, WGS-84) with its time; going off duty
    ends the shift (its end is cleared)."""
    if status != team.status:
        team.status = status
        team.status_at = at
    if status == TeamStatus.off_duty:
        team.shift_ends_at = None
    if position is not None:
        team.last_lat, team.last_lon = position
        team.position_at = at
    emit(
        session,
        type_="team.status_changed",
        subject="team",
        subject_id=team.id,
        at=at,
        region_code=team.region_code,
        payload={
            "status": team.status,
            "lat": team.last_lat,
            "lon": team.last_lon,
            "shift_ends_at": team.shift_ends_at.isoformat() if team.shift_ends_at else None,
        },
    )


def report_team_status(
    session: Session, team_id: int, data: TeamStatusUpdate, *, now: datetime
) -> Team:
    """A status or position report from the field.

    Teams report being ``off_duty``, ``available``, ``transporting`` or ``returning``; the
    dispatch steps (dispatched, en route, on scene) come only from the incident they work on,
    and a team on an incident cannot go off duty or available before it is cleared. A team
    coming on duty gives when its shift ends (``shift_ends_at``; it may also change it later);
    going off duty clears it.

    Raises:
        NotFoundError: no such team.
        InvalidInputError: only one of lat and lon given, nothing to record, a dispatch status,
            a time in the future, or a shift end given going off duty or not in the next
            ``MAX_SHIFT_AHEAD``.
        TeamUnavailableError: the team is on an incident and asks to go free.
    """
    team = require_team(session, team_id, with_members=True)
    if (data.lat is None) != (data.lon is None):
        raise InvalidInputError("give both lat and lon, or neither", field="lat/lon")
    if data.status is None and data.lat is None and data.shift_ends_at is None:
        raise InvalidInputError("nothing to record: give a status, a position or a shift end")
    if data.status is not None and data.status not in FIELD_REPORTED:
        raise InvalidInputError(
            f"{data.status} is set by the incident the team works on, not reported",
            field="status",
        )
    if data.status in FREE and team.status in ON_INCIDENT:
        raise TeamUnavailableError(
            f"team {team.code} is {team.status} on an incident: clear the incident first",
            team_id=team.id,
        )
    at = data.at or now
    check_not_future(at, now, "at")
    status = data.status or team.status
    if data.shift_ends_at is not None:
        team.shift_ends_at = _shift_end(data.shift_ends_at, status, now)
    position = (data.lat, data.lon) if data.lat is not None and data.lon is not None else None
    set_team_status(session, team, status, at, position=position)
    return team


def _shift_end(given: datetime, status: TeamStatus, now: datetime) -> datetime:
    """The shift end ``given`` for a team in ``status``, in UTC.

    Raises:
        InvalidInputError: naming ``shift_ends_at`` and why: the team is off duty, the end is
            not after ``now``, or it lies beyond ``MAX_SHIFT_AHEAD``.
    """
    shift_ends_at = ensure_utc(given)
    if status == TeamStatus.off_duty:
        raise InvalidInputError(
            "an off-duty team has no shift: give shift_ends_at when it comes on duty",
            field="shift_ends_at",
        )
    if shift_ends_at <= now:
        raise InvalidInputError("shift_ends_at must lie in the future", field="shift_ends_at")
    if shift_ends_at - now > MAX_SHIFT_AHEAD:
        raise InvalidInputError(
            "shift_ends_at lies more than 24 hours ahead: no shift is that long",
            field="shift_ends_at",
        )
    return shift_ends_at


def list_teams(
    session: Session,
    *,
    region_code: str | None = None,
    statuses: Collection[TeamStatus] | None = None,
    with_members: bool = False,
    scope: Scope = None,
) -> Sequence[Team]:
    """Teams in the subtree of ``region_code`` (all when None) inside ``scope``.

    Raises:
        UnknownRegionError: ``region_code`` is not a region.
    """
    path = require_region(session, region_code).path if region_code else None
    return repository.in_region(
        session, path, statuses=statuses, with_members=with_members, scope=scope
    )


def staff_count(session: Session, team_id: int) -> int:
    """How many people a team puts on the street."""
    return repository.member_count(session, team_id)


def _members(members: list[TeamMemberIn]) -> list[TeamMember]:
    return [TeamMember(name=m.name, department=m.department, role=m.role) for m in members]


def find_team_by_code(session: Session, code: str) -> Team | None:
    """The team with ``code``, or None."""
    return repository.by_code(session, code)


def team_codes(session: Session, team_ids: set[int]) -> dict[int, str]:
    """The codes of the teams with ``team_ids``, by id (unknown ids left out)."""
    return {t: c for t in team_ids if (c := _code(session, t)) is not None}


def _code(session: Session, team_id: int) -> str | None:
    team = repository.get(session, team_id, with_members=False)
    return None if team is None else team.code
