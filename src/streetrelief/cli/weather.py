"""``streetrelief weather``: ingest CAP alert files and list stored alerts."""

from __future__ import annotations

from pathlib import Path

import typer
from pydantic import TypeAdapter
from rich.markup import escape
from rich.table import Table

from streetrelief.cli.common import cli_session, console, err_console, fail_cleanly
from streetrelief.config import get_settings
from streetrelief.core.clock import SystemClock
from streetrelief.weather.geocode_tables import load_geocode_tables
from streetrelief.weather.schemas import AlertRead, IngestReport
from streetrelief.weather.service import ingest_path, list_alerts

app = typer.Typer(help="Weather: CAP warnings.", no_args_is_help=True)

_ALERTS = TypeAdapter(list[AlertRead])


@app.command("ingest")
def ingest(
    path: Path = typer.Argument(..., help="A CAP 1.2 XML file, or a folder of *.xml files."),
) -> None:
    """Store the CAP alerts of PATH; print what was stored, already known or refused, and why.

    Exits 1 when nothing could be read (every file refused, or no file at all).
    """
    now = SystemClock().now()
    with fail_cleanly():
        tables = load_geocode_tables(get_settings().geocode_tables_dir)
    with cli_session() as session:
        report = ingest_path(session, path, now=now, tables=tables)
    _print_report(report)
    if all(f.refused is not None for f in report.files):
        err_console.print(f"[red]error:[/red] nothing could be read from {escape(str(path))}")
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
