"""``streetrelief weather``: ingest CAP alerts from files, folders and URLs and list stored
alerts; manage and poll CAP feeds; import observation files and list stored observations."""

from __future__ import annotations

from pathlib import Path

import typer
from pydantic import TypeAdapter
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from streetrelief.cli import feeds
from streetrelief.cli.common import (
    cli_session,
    console,
    err_console,
    fail_cleanly,
    parse_time_option,
)
from streetrelief.config import get_settings
from streetrelief.core.clock import SystemClock
from streetrelief.jobs.schedule import http_feed
from streetrelief.weather.feeds.service import read_url
from streetrelief.weather.geocode_tables import load_geocode_tables
from streetrelief.weather.observations import ObservationFormat
from streetrelief.weather.schemas import (
    MAX_OBSERVATIONS_PAGE,
    AlertRead,
    IngestReport,
    ObservationRead,
)
from streetrelief.weather.service import (
    import_observations,
    ingest_path,
    list_alerts,
    list_observations,
)

app = typer.Typer(help="Weather: CAP warnings, observations and forecasts.", no_args_is_help=True)
app.add_typer(feeds.app, name="feeds")

_ALERTS = TypeAdapter(list[AlertRead])
_OBSERVATIONS = TypeAdapter(list[ObservationRead])


@app.command("ingest")
def ingest(
    target: str = typer.Argument(
        ...,
        metavar="FILE|URL",
        help="A CAP 1.2 XML file, a folder of *.xml files, or an http(s):// URL of an alert, "
        "an <alerts> collection or an Atom index feed.",
    ),
) -> None:
    """Store the CAP alerts of FILE|URL; print what was stored, already known or refused, and why.

    A URL is read once as a feed poll reads it (an Atom index's linked alerts not stored before
    are fetched too, up to STREETRELIEF_FEED_MAX_ENTRIES_PER_POLL). Exits 1 when nothing could
    be read (every document refused, no file at all, or the URL unreadable).
    """
    now = SystemClock().now()
    with fail_cleanly():
        settings = get_settings()
        tables = load_geocode_tables(settings.geocode_tables_dir)
    if target.lower().startswith(("http://", "https://")):
        with http_feed(settings) as fetcher, cli_session() as session:
            report = read_url(
                session,
                target,
                fetcher=fetcher,
                now=now,
                tables=tables,
                max_entries=settings.feed_max_entries_per_poll,
            )
    else:
        with cli_session() as session:
            report = ingest_path(session, Path(target), now=now, tables=tables)
    _print_report(report)
    if all(f.refused is not None for f in report.files):
        err_console.print(f"[red]error:[/red] nothing could be read from {escape(target)}")
        raise typer.Exit(1)


@app.command("alerts")
def alerts(
    region: str | None = typer.Option(None, "--region", "-r", help="Region code: subtree root."),
    active: bool = typer.Option(False, "--active", help="Only alerts in force now."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """Print stored alerts, newest first, with their state and regions."""
    at = SystemClock().now() if active else None
    with cli_session(read_only=True) as session:
        rows = _ALERTS.validate_python(
            list_alerts(session, region_code=region, active_at=at), from_attributes=True
        )
    if as_json:
        print(_ALERTS.dump_json(rows, indent=2).decode())
        return
    console.print(alerts_table(rows))


@app.command("import")
def import_(
    file: Path = typer.Argument(..., help="Hourly observations, .csv or .csv.gz."),
    region: str = typer.Option(..., "--region", "-r", help="Region code the readings are for."),
    fmt: ObservationFormat | None = typer.Option(
        None, "--format", help="File format; recognised from the header line when not given."
    ),
    station: str | None = typer.Option(
        None, "--station", help="Station name when the file has none (default: file name)."
    ),
) -> None:
    """Store the hourly readings of FILE for REGION, with their wind chill.

    Readings stored before are left alone, so importing a file again stores nothing new. A bad
    line stops the import and stores nothing of the file.
    """
    # The bar stops before a bad file's error is printed, so the error stays one line.
    with (
        cli_session() as session,
        Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.fields[rows]:>9,} rows"),
            TimeElapsedColumn(),
            console=err_console,
            transient=True,
            # Off in pipes and scripts, where a stopped bar would leave a blank line.
            disable=not err_console.is_terminal,
        ) as bar,
    ):
        task = bar.add_task(file.name, total=None, rows=0)
        result = import_observations(
            session,
            file,
            region_code=region,
            fmt=fmt,
            station=station,
            on_progress=lambda rows: bar.update(task, rows=rows),
        )
    console.print(f"{escape(str(file))}: {result.summary}", soft_wrap=True)


@app.command("observations")
def observations(
    region: str = typer.Option(..., "--region", "-r", help="Region code (its own readings)."),
    since: str | None = typer.Option(
        None, "--since", help="ISO 8601 start with offset, e.g. 2016-01-22T00:00+08:00."
    ),
    limit: int = typer.Option(
        200, "--limit", min=1, max=MAX_OBSERVATIONS_PAGE, help="At most this many readings."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """Print REGION's stored observations, oldest first, times in UTC."""
    start = parse_time_option(since, "--since")
    with cli_session(read_only=True) as session:
        rows = _OBSERVATIONS.validate_python(
            list_observations(session, region_code=region, start=start, limit=limit),
            from_attributes=True,
        )
    if as_json:
        print(_OBSERVATIONS.dump_json(rows, indent=2).decode())
        return
    console.print(observations_table(region, rows))


def observations_table(region: str, rows: list[ObservationRead]) -> Table:
    """One row per reading: time (UTC), station, air, wind, wind chill."""
    table = Table(title=f"Observations of {escape(region)}")
    for column in ("observed (UTC)", "station", "air °C", "wind km/h", "wind chill °C"):
        table.add_column(column, justify="left" if column == "station" else "right")
    for r in rows:
        table.add_row(
            f"{r.observed_at:%Y-%m-%d %H:%M}",
            escape(r.station),
            f"{r.temperature_c:.1f}",
            "" if r.wind_speed_kmh is None else f"{r.wind_speed_kmh:.1f}",
            "" if r.wind_chill_c is None else f"{r.wind_chill_c:.1f}",
        )
    return table


def _print_report(report: IngestReport) -> None:
    for file in report.files:
        if file.refused is not None:
            console.print(f"{escape(file.source)}: refused: {escape(file.refused)}", soft_wrap=True)
            continue
        for alert in file.alerts:
            what = "already stored" if alert.is_duplicate else "stored"
            regions = ", ".join(alert.region_codes) or "no region"
            line = f"{escape(file.source)}: {what} {escape(alert.identifier)}"
            if not alert.is_duplicate:
                line += f" ({escape(regions)})"
            console.print(line, soft_wrap=True)
    console.print(
        f"{report.stored} stored, {report.duplicates} already stored, {report.refused} refused"
    )


def alerts_table(rows: list[AlertRead]) -> Table:
    """One row per alert: id, sent, type, event, severity, state, expires, regions."""
    table = Table(title="CAP alerts")
    for column in ("id", "sent (UTC)", "type", "event", "severity", "state", "expires", "regions"):
        table.add_column(column)
    for a in rows:
        table.add_row(
            str(a.id),
            f"{a.sent:%Y-%m-%d %H:%M}",
            a.msg_type,
            a.event or "",
            a.severity or "",
            a.state,
            f"{a.expires:%Y-%m-%d %H:%M}" if a.expires else "",
            ", ".join(r.region_code for r in a.regions),
        )
    return table
