"""``streetrelief service-points``: import service points from a file and list them."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import typer
from pydantic import TypeAdapter
from rich.table import Table

from streetrelief.cli.common import import_records, list_records
from streetrelief.service_points.importer import import_service_points
from streetrelief.service_points.models import ServicePointKind
from streetrelief.service_points.schemas import ServicePointRead
from streetrelief.service_points.service import list_service_points

app = typer.Typer(
    help="Service points: relief stations, warming shelters, relief and help points.",
    no_args_is_help=True,
)

_POINTS = TypeAdapter(list[ServicePointRead])


@app.command("import")
def import_file(
    file: Path = typer.Argument(..., help="CSV or GeoJSON FeatureCollection of service points."),
) -> None:
    """Create the service points of FILE and update known codes; nothing is saved unless all
    rows are good."""
    import_records(import_service_points, file)


@app.command("list")
def list_command(
    region: str | None = typer.Option(None, "--region", "-r", help="Region code: subtree root."),
    kind: ServicePointKind | None = typer.Option(None, "--kind", "-k", help="Only this kind."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """Print the service points of a region subtree (all when no region), by code."""
    title = " ".join(
        filter(None, ["Service points", kind and f"({kind})", region and f"in {region}"])
    )
    list_records(
        _POINTS,
        lambda session: list_service_points(session, region_code=region, kind=kind),
        as_json=as_json,
        table=partial(service_points_table, title=title),
    )


def service_points_table(points: list[ServicePointRead], *, title: str) -> Table:
    """One row per point: code, name, kind, region, hours, occupancy, location, active."""
    table = Table(title=title)
    for column in ("code", "name", "kind", "region", "hours"):
        table.add_column(column)
    table.add_column("occupancy", justify="right")
    table.add_column("(lat, lon)", justify="right")
    table.add_column("active")
    for point in points:
        table.add_row(
            point.code,
            point.name,
            point.kind,
            point.region_code,
            point.hours,
            f"{point.occupancy}/{point.capacity}",
            f"{point.lat:.5f}, {point.lon:.5f}",
            "yes" if point.is_active else "no",
        )
    return table
