"""``streetrelief teams``: import teams from a file, list them, and report a team on or off
duty with its shift end."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import typer
from pydantic import TypeAdapter
from rich.markup import escape
from rich.table import Table

from streetrelief.cli.common import (
    cli_session,
    console,
    import_records,
    list_records,
    parse_time_option,
)
from streetrelief.core.clock import SystemClock
from streetrelief.core.errors import NotFoundError
from streetrelief.teams.importer import import_teams
from streetrelief.teams.models import TeamStatus
from streetrelief.teams.schemas import TeamRead, TeamStatusUpdate
from streetrelief.teams.service import find_team, list_teams, report_team_status

app = typer.Typer(help="Teams: crews, members, capabilities.", no_args_is_help=True)

_TEAMS = TypeAdapter(list[TeamRead])


@app.command("import")
def import_file(
    file: Path = typer.Argument(..., help="CSV or GeoJSON FeatureCollection of team bases."),
) -> None:
    """Create the teams of FILE and update known codes; nothing is saved unless all rows are
    good."""
    import_records(import_teams, file)


@app.command("list")
def list_command(
    region: str | None = typer.Option(None, "--region", "-r", help="Region code: subtree root."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """Print the teams of a region subtree (all when no region), by code."""
    list_records(
        _TEAMS,
        lambda session: list_teams(session, region_code=region, with_members=True),
        as_json=as_json,
        table=partial(teams_table, title=f"Teams in {region}" if region else "Teams"),
    )


@app.command("status")
def status_command(
    code: str = typer.Argument(..., help="Team code."),
    status: TeamStatus | None = typer.Option(
        None, "--status", help="off_duty, available, transporting or returning."
    ),
    shift_ends_at: str | None = typer.Option(
        None,
        "--shift-ends-at",
        help="ISO 8601 with offset: when the shift ends (after now, at most 24 h ahead).",
    ),
) -> None:
    """Report team CODE's status now, e.g. on duty (available) until its shift end; going
    off duty clears the shift end."""
    ends = parse_time_option(shift_ends_at, "--shift-ends-at")
    with cli_session() as session:
        team = find_team(session, code)
        if team is None:
            raise NotFoundError(f"team {code} not found")
        data = TeamStatusUpdate(status=status, shift_ends_at=ends)
        team = report_team_status(session, team.id, data, now=SystemClock().now())
        until = f" until {team.shift_ends_at:%Y-%m-%d %H:%M} UTC" if team.shift_ends_at else ""
        console.print(f"team {escape(team.code)}: {team.status}{until}")


def teams_table(teams: list[TeamRead], *, title: str) -> Table:
    """One row per team: code, name, region, status, shift end (UTC), vehicle, capabilities,
    members, base."""
    table = Table(title=title)
    for column in (
        "code",
        "name",
        "region",
        "status",
        "shift end (UTC)",
        "vehicle",
        "capabilities",
        "members",
    ):
        table.add_column(column)
    table.add_column("base (lat, lon)", justify="right")
    for team in teams:
        table.add_row(
            team.code,
            team.name,
            team.region_code,
            team.status,
            f"{team.shift_ends_at:%Y-%m-%d %H:%M}" if team.shift_ends_at else "-",
            team.vehicle or "on foot",
            ", ".join(team.capabilities),
            str(len(team.members)),
            f"{team.base_lat:.5f}, {team.base_lon:.5f}",
        )
    return table
