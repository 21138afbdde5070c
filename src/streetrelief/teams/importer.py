"""Import teams from a CSV or GeoJSON file, creating new codes and updating known ones.

Owns what a team row means: the columns, ``;``-separated capabilities and ``;``-separated
``name|department|role`` members. Reading the file and naming bad rows is left to
:mod:`streetrelief.core.tabular`, validation to :class:`TeamCreate`, and writing to the team
services. It never commits; a bad row undoes the whole file.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from streetrelief.core.tabular import ImportResult, Layout, Record, upsert_records
from streetrelief.teams.models import Team
from streetrelief.teams.schemas import TeamCreate, TeamUpdate
from streetrelief.teams.service import create_team, list_teams, update_team

TEAM_LAYOUT = Layout(
    required=("code", "name", "region_code", "base_lat", "base_lon"),
    optional=("capabilities", "vehicle", "members"),
    point=("base_lat", "base_lon"),
)
"""Team file fields; a GeoJSON Point gives ``base_lat`` and ``base_lon``."""

LIST_SEPARATOR = ";"
"""Separates capabilities, and members, within one cell."""

MEMBER_SEPARATOR = "|"
"""Separates a member's ``name|department|role`` (role optional)."""

_UPDATABLE = frozenset(TeamUpdate.model_fields)


def import_teams(session: Session, path: Path, *, now: datetime) -> ImportResult:
    """Load the teams of one file: new codes are created, known ones brought up to date.

    Re-importing a file changes nothing. A known team keeps its status, position and region;
    the fields the file has columns for are set from it (a blank cell sets the default), the
    others stay.

    Args:
        session: the unit of work; flushed, never committed.
        path: CSV with columns ``code,name,region_code,base_lat,base_lon`` and optionally
            ``capabilities,vehicle,members``, or a GeoJSON FeatureCollection of Points
            (``[lon, lat]``, WGS-84) with those properties.
        now: when the import happens (aware UTC).

    Returns:
        How many teams were created, updated and left unchanged.

    Raises:
        ImportFileError: a malformed file or row, an unknown region, a repeated code, or a
            known team placed in another region; names the file and line (or feature), and
            nothing of the file stays in the session.
        OSError: the file cannot be read.
    """

    # Load members now: update_team's own lookup (session.get) returns a team already in the
    # session as it is, and members left unloaded there would raise (lazy="raise").
    known = {team.code: team for team in list_teams(session, with_members=True)}
    return upsert_records(
        session,
        path,
        TEAM_LAYOUT,
        known=known,
        parse=_parse,
        changes=_changes,
        create=lambda data: create_team(session, data, now=now),
        update=lambda team, changes: update_team(
            session, team.id, TeamUpdate.model_validate(changes), now=now
        ),
    )


def _parse(record: Record) -> TeamCreate:
    return record.to_model(TeamCreate, _team_values(record))


def _team_values(record: Record) -> dict[str, object]:
    values = dict(record.values)
    capabilities = values.get("capabilities")
    if isinstance(capabilities, str):
        values["capabilities"] = _split(capabilities, LIST_SEPARATOR)
    members = values.get("members")
    if isinstance(members, str):
        values["members"] = [_member(record, m) for m in _split(members, LIST_SEPARATOR)]
    return values


def _member(record: Record, text: str) -> dict[str, str | None]:
    parts = [p.strip() for p in text.split(MEMBER_SEPARATOR)]
    if len(parts) not in (2, 3):
        raise record.error(f"member {text!r} must read name|department or name|department|role")
    return {
        "name": parts[0],
        "department": parts[1],
        "role": parts[2] if len(parts) == 3 and parts[2] else None,
    }


def _split(text: str, separator: str) -> list[str]:
    return [part.strip() for part in text.split(separator) if part.strip()]


def _changes(record: Record, team: Team, data: TeamCreate) -> dict[str, object]:
    """The updatable fields the file sets to something other than what the team has."""
    if data.region_code != team.region_code:
        # update_team cannot move a team; a move is a decision for a dispatcher, not a file.
        raise record.error(
            f"team {team.code} is in region {team.region_code}, not {data.region_code}"
        )
    wanted = data.model_dump(include=set(_UPDATABLE & record.columns))
    current = {
        "name": team.name,
        "capabilities": list(team.capabilities),
        "vehicle": team.vehicle,
        "base_lat": team.base_lat,
        "base_lon": team.base_lon,
        "members": [
            {"name": m.name, "department": m.department, "role": m.role} for m in team.members
        ],
    }
    return {name: value for name, value in wanted.items() if current[name] != value}
