"""``streetrelief roads``: build the road graphs of an OpenStreetMap extract and try a route."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.table import Table

from streetrelief.cli.common import console, fail_cleanly
from streetrelief.config import get_settings
from streetrelief.teams.models import TravelMode

if TYPE_CHECKING:
    from streetrelief.routing.provider import RoadNetworkTravel

app = typer.Typer(help="Road network: graphs from an OpenStreetMap extract.", no_args_is_help=True)

FILE_HELP = "OpenStreetMap extract (.osm.pbf)."
CACHE_HELP = "Folder of built graphs (default: STREETRELIEF_ROAD_NETWORK_CACHE_DIR)."


@app.command("build")
def build(
    file: Path = typer.Argument(..., help=FILE_HELP),
    cache: Path | None = typer.Option(None, "--cache", help=CACHE_HELP),
) -> None:
    """Build (or load from the cache) the walking and vehicle graphs of FILE and print their
    size."""
    started = time.perf_counter()
    travel = _load(file, cache)
    elapsed_s = time.perf_counter() - started
    table = Table(title=f"Road network of {file.name}")
    for column in ("mode", "nodes", "directed edges"):
        table.add_column(column, justify="right" if column != "mode" else "left")
    for summary in travel.summary():
        table.add_row(summary.mode.value, f"{summary.nodes:,}", f"{summary.edges:,}")
    console.print(table)
    source = "loaded from the cache" if travel.from_cache else "built"
    console.print(f"{source} in {elapsed_s:.2f} s")


@app.command("route")
def route(
    file: Path = typer.Argument(..., help=FILE_HELP),
    origin: str = typer.Option(..., "--from", help="Start as LAT,LON (WGS-84 degrees)."),
    target: str = typer.Option(..., "--to", help="End as LAT,LON (WGS-84 degrees)."),
    mode: TravelMode = typer.Option(TravelMode.walking, "--mode", help="How the team moves."),
    cache: Path | None = typer.Option(None, "--cache", help=CACHE_HELP),
) -> None:
    """Print the distance (m), travel time (s) and fallback flag from one point to another."""
    start, end = _lat_lon(origin, "--from"), _lat_lon(target, "--to")
    travel = _load(file, cache)
    with fail_cleanly():
        estimate = travel.travel(start, end, mode)
    console.print(
        f"{mode.value}: {estimate.distance_m:,.0f} m, {estimate.travel_time_s:,.0f} s "
        f"({estimate.travel_time_s / 60:.1f} min)"
        + ("  fallback: straight line, a point is off the network" if estimate.is_fallback else "")
    )


def _load(file: Path, cache: Path | None) -> RoadNetworkTravel:
    # Imported here: scipy and pyrosm take seconds to load, which other commands need not pay.
    from streetrelief.routing.provider import RoadNetworkTravel  # noqa: PLC0415

    with fail_cleanly(), console.status("reading the road network") as status:
        settings = get_settings()
        return RoadNetworkTravel.from_osm(
            file,
            cache_dir=cache or settings.road_network_cache_dir,
            walking_speed_kmh=settings.walking_speed_kmh,
            vehicle_speed_kmh=settings.vehicle_speed_kmh,
            detour_factor=settings.detour_factor,
            max_snap_m=settings.road_snap_max_m,
            progress=status.update,
        )


def _lat_lon(value: str, option: str) -> tuple[float, float]:
    """``LAT,LON`` as two floats; a usage error (exit 2) otherwise."""
    parts = value.split(",")
    try:
        lat, lon = (float(part) for part in parts)
    except ValueError:
        msg = f"expected LAT,LON in degrees, e.g. 60.1699,24.9384; got {value!r}"
        raise typer.BadParameter(msg, param_hint=option) from None
    return lat, lon
