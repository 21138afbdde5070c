"""``streetrelief replay``: replay real help requests in simulated time."""

from __future__ import annotations

import csv
import tempfile
from pathlib import Path

import typer
from rich.progress import Progress
from rich.table import Table

from streetrelief.cli.common import console, fail_cleanly
from streetrelief.cli.stats import statistics_table
from streetrelief.config import get_settings
from streetrelief.core.clock import SystemClock
from streetrelief.db.engine import make_engine, make_session_factory, session_scope
from streetrelief.db.migrate import upgrade
from streetrelief.dispatch.travel import StraightLineTravel
from streetrelief.regions.importer import import_regions
from streetrelief.regions.service import require_region
from streetrelief.service_points.importer import import_service_points
from streetrelief.simulation.field import FieldScript
from streetrelief.simulation.replay import Replay
from streetrelief.simulation.sources import ReadCounts, load_mapping, read_reports
from streetrelief.teams.importer import import_teams
from streetrelief.triage.policy import load_policy


def replay(
    file: Path = typer.Argument(
        ..., exists=True, dir_okay=False, help="Requests export (CSV or .csv.gz)."
    ),
    regions: Path = typer.Option(
        ..., exists=True, dir_okay=False, help="Regions file to load first."
    ),
    teams: Path = typer.Option(
        ..., exists=True, dir_okay=False, help="Teams file (CSV or GeoJSON)."
    ),
    service_points: Path | None = typer.Option(
        None, exists=True, dir_okay=False, help="Service points file (CSV or GeoJSON)."
    ),
    mapping: str = typer.Option("myla311", help="Column mapping: a shipped name or a YAML file."),
    region: str | None = typer.Option(
        None, help="Region whose statistics are printed; the regions file's first row when omitted."
    ),
    database_url: str | None = typer.Option(
        None, help="Database to replay into; a fresh temporary SQLite file when omitted."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the statistics as JSON."),
) -> None:
    """Replay FILE's requests at their real times and places through intake, triage,
    dispatch and encounters, with teams that travel at the configured speeds, then print
    the statistics."""
    with fail_cleanly(), tempfile.TemporaryDirectory(prefix="streetrelief-replay-") as tmp:
        settings = get_settings()
        url = database_url or f"sqlite:///{Path(tmp) / 'replay.db'}"
        upgrade(url)
        engine = make_engine(url, busy_timeout_s=settings.sqlite_busy_timeout_s)
        factory = make_session_factory(engine)
        column_mapping = load_mapping(mapping)
        counts = ReadCounts()
        reports = list(read_reports(file, column_mapping, counts))
        now = SystemClock().now()
        with session_scope(factory) as session:
            loaded = import_regions(session, regions)
            import_teams(session, teams, now=now)
            if service_points is not None:
                import_service_points(session, service_points, now=now)
            stats_region = require_region(session, region or _first_code(regions)).code
        run = Replay(
            factory,
            reports,
            policy=load_policy(settings.triage_policy_path),
            travel=StraightLineTravel(
                detour_factor=settings.detour_factor,
                vehicle_speed_kmh=settings.vehicle_speed_kmh,
                walking_speed_kmh=settings.walking_speed_kmh,
            ),
            script=FieldScript(),
        )
        with Progress(console=console, transient=True) as progress:
            task = progress.add_task("replaying", total=len(reports))
            outcome = run.run(stats_region=stats_region, on_report=lambda: progress.advance(task))
        engine.dispose()
    if outcome.statistics is None:
        return
    if as_json:
        print(outcome.statistics.model_dump_json(indent=2))
        return
    summary = Table(title=f"Replay of {file.name}")
    summary.add_column("step")
    summary.add_column("count", justify="right")
    for name, value in [
        ("rows read", counts.rows),
        ("rows of other request types", counts.filtered_out),
        ("rows without a location", counts.without_location),
        ("regions loaded", loaded.inserted),
        ("reports accepted", outcome.reports),
        ("reports merged into an incident", outcome.merged),
        ("reports refused", len(outcome.rejected)),
        ("incidents", outcome.incidents),
        ("dispatches", outcome.dispatches),
        ("encounters", outcome.encounters),
    ]:
        summary.add_row(name, f"{value:,}")
    console.print(summary)
    for line, reason in outcome.rejected[:20]:
        console.print(f"  refused line {line}: {reason}")
    console.print(statistics_table(outcome.statistics))


def _first_code(path: Path) -> str:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        row = next(csv.DictReader(handle), None)
    return row["code"] if row and row.get("code") else "CN"
