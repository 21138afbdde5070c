"""``streetrelief hotspots``: import hotspots from a file or an OpenStreetMap extract, list them."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import typer
from rich.table import Table

from streetrelief.cli.common import cli_session, console, import_records
from streetrelief.core.clock import SystemClock
from streetrelief.patrols.models import HotspotKind, HotspotStatus
from streetrelief.patrols.schemas import HotspotRead
from streetrelief.patrols.service.register import (
    hotspot_read,
    import_hotspots,
    import_osm,
    list_hotspots,
)

app = typer.Typer(
    help="Hotspots: places where people shelter from the cold, which patrols visit.",
    no_args_is_help=True,
)


@app.command("import")
def import_file(
    file: Path = typer.Argument(..., help="CSV or GeoJSON FeatureCollection of hotspots."),
) -> None:
    """Create the hotspots of FILE and update known codes; nothing is saved unless all rows
    are good."""
    import_records(import_hotspots, file)


@app.command("import-osm")
def import_osm_command(
    file: Path = typer.Argument(..., help="OpenStreetMap extract (.osm.pbf, .osm, .o5m)."),
    region: str = typer.Option(..., "--region", "-r", help="Region code the places belong to."),
) -> None:
    """Add stations, bridges, culverts, pedestrian underpasses, building sites, abandoned
    buildings and parks of FILE as candidates for a dispatcher to review."""
    import_records(partial(import_osm, region_code=region), file)


@app.command("list")
def list_command(
    region: str | None = typer.Option(None, "--region", "-r", help="Region code: subtree root."),
    kind: HotspotKind | None = typer.Option(None, "--kind", "-k", help="Only this kind."),
    status: HotspotStatus | None = typer.Option(None, "--status", "-s", help="Only this status."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """Print the hotspots of a region subtree (all when no region), by code."""
    now = SystemClock().now()
    with cli_session(read_only=True) as session:
        rows = [
            hotspot_read(h, now=now)
            for h in list_hotspots(session, region_code=region, kind=kind, status=status)
        ]
    if as_json:
        print("[" + ",\n".join(r.model_dump_json(indent=2) for r in rows) + "]")
        return
    console.print(hotspots_table(rows))


def hotspots_table(rows: list[HotspotRead]) -> Table:
    """One row per hotspot: code, name, kind, status, region, interval, last visit, overdue."""
    table = Table(title="Hotspots")
    for column in ("code", "name", "kind", "status", "region"):
        table.add_column(column)
    table.add_column("interval", justify="right")
    table.add_column("last visit (UTC)")
    table.add_column("overdue")
    for h in rows:
        table.add_row(
            h.code,
            h.name,
            h.kind,
            h.status,
            h.region_code,
            f"{h.interval_s // 60} min",
            h.last_visited_at.strftime("%Y-%m-%d %H:%M") if h.last_visited_at else "never",
            "yes" if h.is_overdue else "no",
        )
    return table
