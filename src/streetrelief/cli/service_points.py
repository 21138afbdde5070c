"""``streetrelief service-points``: import, list, find the nearest place, export open data."""

from __future__ import annotations

import json
from functools import partial
from pathlib import Path

import typer
from pydantic import TypeAdapter, ValidationError
from rich.markup import escape
from rich.table import Table

from streetrelief.cli.common import (
    cli_session,
    console,
    fail_cleanly,
    import_records,
    list_records,
    parse_time_option,
)
from streetrelief.config import get_settings
from streetrelief.core.clock import SystemClock
from streetrelief.core.errors import InvalidInputError
from streetrelief.dispatch.travel import StraightLineTravel
from streetrelief.service_points.hsds import geojson, hsds_tables, hsds_zip
from streetrelief.service_points.importer import import_service_points, import_toronto_shelters
from streetrelief.service_points.models import Attribute, ServicePointKind
from streetrelief.service_points.nearest import nearest_service_points
from streetrelief.service_points.schemas import NearestQuery, NearestRead, ServicePointRead
from streetrelief.service_points.service import list_service_points, open_data, point_read

app = typer.Typer(
    help="Service points: relief stations, warming shelters, relief and help points.",
    no_args_is_help=True,
)

_POINTS = TypeAdapter(list[ServicePointRead])


@app.command("import")
def import_file(
    file: Path = typer.Argument(..., help="CSV or GeoJSON FeatureCollection of service points."),
    toronto: bool = typer.Option(
        False, "--toronto", help="FILE is the City of Toronto shelter locations GeoJSON."
    ),
    region: str | None = typer.Option(
        None, "--region", "-r", help="With --toronto: the region the shelters belong to."
    ),
) -> None:
    """Create the service points of FILE and update known codes; nothing is saved unless all
    rows are good."""
    if not toronto:
        import_records(import_service_points, file)
        return
    if region is None:
        raise typer.BadParameter("--toronto needs --region CODE", param_hint="--region")
    import_records(partial(import_toronto_shelters, region_code=region), file)


@app.command("nearest")
def nearest(
    lat: float = typer.Argument(..., help="Latitude, WGS-84 degrees."),
    lon: float = typer.Argument(..., help="Longitude, WGS-84 degrees."),
    need: list[Attribute] = typer.Option([], "--need", help="What the place must take/allow."),
    no_id: bool = typer.Option(False, "--no-id", help="The person carries no ID."),
    language: str | None = typer.Option(None, "--language", help="A language staff must speak."),
    at: str | None = typer.Option(None, "--at", help="When (ISO 8601 with offset); now."),
    limit: int = typer.Option(5, "--limit", "-n", help="How many places, 1-50."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """Open places that take the person and have a free place, quickest to reach first
    (straight-line travel at the configured vehicle speed). Put a negative latitude or
    longitude after ``--``: ``nearest --need women -- 43.6453 -79.3806``."""
    when = parse_time_option(at, "--at")
    with fail_cleanly():
        try:
            query = NearestQuery(
                lat=lat,
                lon=lon,
                at=when,
                needs=need,
                has_id=not no_id,
                language=language,
                limit=limit,
            )
        except ValidationError as exc:
            problem = exc.errors()[0]
            raise InvalidInputError(
                f"{'.'.join(map(str, problem['loc']))}: {problem['msg']}"
            ) from exc
    settings = get_settings()
    travel = StraightLineTravel(
        detour_factor=settings.detour_factor,
        vehicle_speed_kmh=settings.vehicle_speed_kmh,
        walking_speed_kmh=settings.walking_speed_kmh,
    )
    with cli_session(read_only=True) as session:
        found = nearest_service_points(session, query, travel=travel, now=SystemClock().now())
    if as_json:
        print(TypeAdapter(list[NearestRead]).dump_json(found, indent=2).decode())
        return
    table = Table(title=f"Nearest places to ({lat:.5f}, {lon:.5f})")
    for column in ("code", "name", "free", "travel (min)", "distance (km)"):
        table.add_column(column)
    for f in found:
        table.add_row(
            escape(f.service_point.code),
            escape(f.service_point.name),
            f"{f.service_point.free}/{f.service_point.capacity}"
            + (" (stale)" if f.service_point.is_stale else ""),
            f"{f.travel_time_s / 60:.0f}",
            f"{f.distance_m / 1000:.1f}",
        )
    console.print(table)


@app.command("export")
def export(
    out: Path = typer.Argument(..., help="File to write: .zip (HSDS) or .geojson."),
    region: str | None = typer.Option(None, "--region", "-r", help="Region code: subtree root."),
    publisher: str = typer.Option(
        "streetrelief", "--publisher", help="HSDS organization of points without a host."
    ),
) -> None:
    """Write the service points as Open Referral HSDS 3.1 tables (OUT ending .zip) or as a
    GeoJSON FeatureCollection (OUT ending .geojson)."""
    if out.suffix not in (".zip", ".geojson"):
        raise typer.BadParameter("OUT must end in .zip (HSDS) or .geojson", param_hint="OUT")
    now = SystemClock().now()
    with cli_session(read_only=True) as session:
        points, countries = open_data(session, region_code=region)
        if out.suffix == ".zip":
            body = hsds_zip(hsds_tables(points, publisher=publisher, countries=countries))
        else:
            body = json.dumps(geojson(points, now=now), ensure_ascii=False, indent=1).encode()
    with fail_cleanly():
        out.write_bytes(body)
    console.print(f"{escape(str(out))}: {len(points)} service points")


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
    now = SystemClock().now()
    list_records(
        _POINTS,
        lambda session: [
            point_read(p, now=now)
            for p in list_service_points(session, region_code=region, kind=kind)
        ],
        as_json=as_json,
        table=partial(service_points_table, title=title),
    )


def service_points_table(points: list[ServicePointRead], *, title: str) -> Table:
    """One row per point: code, name, kind, region, hours, occupancy (held places and stale
    figures marked), location, active."""
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
            f"{point.occupancy}/{point.capacity}"
            + (f" +{point.held} held" if point.held else "")
            + (" (stale)" if point.is_stale else ""),
            f"{point.lat:.5f}, {point.lon:.5f}",
            "yes" if point.is_active else "no",
        )
    return table
