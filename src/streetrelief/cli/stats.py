"""``streetrelief stats``: the campaign's figures for a region subtree."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import typer
from rich.table import Table

from streetrelief.cli.common import cli_session, console
from streetrelief.core.clock import SystemClock
from streetrelief.core.errors import InvalidInputError
from streetrelief.regions.service import require_region
from streetrelief.stats.schemas import Statistics
from streetrelief.stats.service import compute_statistics


def _parse_time(value: str | None, name: str, zone: ZoneInfo) -> datetime | None:
    if value is None:
        return None
    try:
        at = datetime.fromisoformat(value)
    except ValueError as exc:
        raise InvalidInputError(f"--{name} {value!r} is not an ISO 8601 time") from exc
    return at if at.tzinfo is not None else at.replace(tzinfo=zone)


def stats(
    region: str = typer.Option(..., "--region", "-r", help="Region code: root of the subtree."),
    start: str | None = typer.Option(
        None, help="From, ISO 8601; the region's local time if no offset; 24 h ago."
    ),
    end: str | None = typer.Option(
        None, help="Until, ISO 8601; the region's local time if no offset; now."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """Print person-times assisted, patrol person-times, vehicle dispatches, items, points,
    the share found actively and response-time percentiles."""
    now = SystemClock().now()
    with cli_session(read_only=True) as session:
        zone = ZoneInfo(require_region(session, region).timezone)
        until = _parse_time(end, "end", zone) or now
        since = _parse_time(start, "start", zone) or until - timedelta(days=1)
        figures = compute_statistics(session, region, since, until, now=now)
    if as_json:
        print(figures.model_dump_json(indent=2))
    else:
        console.print(statistics_table(figures))


def statistics_table(figures: Statistics) -> Table:
    """A two-column Rich table of the figures, durations in minutes, the range in local time."""
    zone = ZoneInfo(figures.timezone)
    start, end = figures.start.astimezone(zone), figures.end.astimezone(zone)
    table = Table(
        title=f"Statistics for {figures.region_code}, "
        f"{start:%Y-%m-%d %H:%M} – {end:%Y-%m-%d %H:%M} {figures.timezone}"
    )
    table.add_column("figure")
    table.add_column("value", justify="right")
    for name, value in figures.model_dump(
        exclude={"region_code", "timezone", "start", "end"}
    ).items():
        if value is None or value == {}:
            shown = "–"
        elif isinstance(value, dict):
            shown = ", ".join(f"{key} {count:,}" for key, count in value.items())
        elif name.endswith("_s"):
            shown = f"{value / 60:.1f} min"
        elif name.startswith("share"):
            shown = f"{value:.1%}"
        else:
            shown = f"{value:,}"
        table.add_row(name.removesuffix("_s").replace("_", " "), shown)
    return table
