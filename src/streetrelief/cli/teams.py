"""``streetrelief teams``: import teams from a file and list them."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import typer
from pydantic import TypeAdapter
from rich.table import Table

from streetrelief.cli.common import import_records, list_records
from streetrelief.teams.importer import import_teams
from streetrelief.teams.schemas import TeamRead
from streetrelief.teams.service import list_teams

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


def teams_table(teams: list[TeamRead], *, title: str) -> Table:
    """One row per team: code, name, region, status, vehicle, capabilities, members, base."""
    table = Table(title=title)
    for column in ("code", "name", "region", "status", "vehicle", "capabilities", "members"):
        table.add_column(column)
    table.add_column("base (lat, lon)", justify="right")
    for team in teams:
        table.add_row(
            team.code,
            team.name,
            team.region_code,
            team.status,
            team.vehicle or "on foot",
            ", ".join(team.capabilities),
            str(len(team.members)),
            f"{team.base_lat:.5f}, {team.base_lon:.5f}",
        )
    return table
