"""``streetrelief response``: configure a region's policy, show, reassess and override levels;
the tasks a level change created (list, acknowledge, done) and the pre-positioning plan."""

from __future__ import annotations

import typer
from pydantic import TypeAdapter, ValidationError
from rich.markup import escape
from rich.table import Table

from streetrelief.cli.common import cli_session, console, parse_time_option
from streetrelief.core.clock import SystemClock
from streetrelief.core.errors import InvalidInputError
from streetrelief.response.levels import ResponseLevel
from streetrelief.response.schemas import ReassessResult, ResponseLevelRead, WeatherReading
from streetrelief.response.service import (
    clear_override,
    configure_region,
    list_levels,
    override_level,
    reassess_region,
)
from streetrelief.response.task_schemas import TaskRead
from streetrelief.response.tasks import (
    acknowledge_task,
    complete_task,
    list_tasks,
    prepositioning_plan,
    task_read,
)

app = typer.Typer(help="Response levels per region.", no_args_is_help=True)

_LEVELS = TypeAdapter(list[ResponseLevelRead])

RICH_COLOUR = {
    "blue": "bold blue",
    "yellow": "bold yellow",
    "orange": "bold dark_orange",
    "red": "bold red",
}
"""Rich style of each level colour (Rich has no plain "orange")."""


@app.command("configure")
def configure(
    region: str = typer.Argument(..., help="Region code."),
    preset: str = typer.Option(..., "--preset", help="A shipped preset, e.g. china, toronto."),
    province: str | None = typer.Option(
        None, "--province", help="Province code for the China preset's local rules."
    ),
) -> None:
    """Give REGION a response policy from a shipped preset."""
    now = SystemClock().now()
    with cli_session() as session:
        row = configure_region(session, region, preset, province=province, now=now)
        level = ResponseLevel(row.level).name
    console.print(f"{escape(region)}: configured with {escape(preset)} (level {level})")


@app.command("status")
def status(
    region: str | None = typer.Option(None, "--region", "-r", help="Region code: subtree root."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """Print the configured regions with their level, colour, trigger and since when, and the
    warning feeds that are stale for them (the level then rests on warnings that may be out of
    date)."""
    now = SystemClock().now()
    with cli_session(read_only=True) as session:
        rows = list_levels(session, region_code=region, now=now)
    if as_json:
        print(_LEVELS.dump_json(rows, indent=2).decode())
        return
    console.print(levels_table(rows))


@app.command("reassess")
def reassess(
    region: str = typer.Argument(..., help="A configured region code."),
    temperature: float | None = typer.Option(None, "--temperature", help="Air now, °C."),
    wind_kmh: float | None = typer.Option(None, "--wind-kmh", help="Wind at 10 m now, km/h."),
) -> None:
    """Decide REGION's level now from the warnings in force and a reading.

    The reading is --temperature (and --wind-kmh) when given, else the latest stored
    observation of REGION or its nearest ancestor (see `streetrelief weather import`).
    """
    if temperature is None and wind_kmh is not None:
        raise typer.BadParameter("--wind-kmh needs --temperature", param_hint="--wind-kmh")
    now = SystemClock().now()
    with cli_session() as session:
        reading = None if temperature is None else _reading(temperature, wind_kmh)
        result = reassess_region(session, region, now=now, conditions=reading)
    _print_result(region, result)


@app.command("override")
def override(
    region: str = typer.Argument(..., help="A configured region code."),
    level: str = typer.Argument(..., help="none, IV, III, II or I."),
    reason: str = typer.Option(..., "--reason", help="Why the policy is overridden."),
    until: str | None = typer.Option(
        None, "--until", help="ISO 8601 end with offset, e.g. 2026-01-21T08:00+08:00 (24 h)."
    ),
    by: str = typer.Option("", "--by", help="Who overrides."),
) -> None:
    """Hold REGION at LEVEL until a time, with a reason."""
    try:
        wanted = ResponseLevel.parse(level)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="LEVEL") from exc
    end = parse_time_option(until, "--until")
    now = SystemClock().now()
    with cli_session() as session:
        result = override_level(session, region, wanted, reason=reason, until=end, by=by, now=now)
    _print_result(region, result)


@app.command("clear-override")
def clear_override_command(
    region: str = typer.Argument(..., help="A configured region code."),
) -> None:
    """End a leader's override now; the policy's level applies again."""
    with cli_session() as session:
        result = clear_override(session, region, now=SystemClock().now())
    _print_result(region, result)


def _reading(temperature_c: float, wind_kmh: float | None) -> WeatherReading:
    try:
        return WeatherReading(temperature_c=temperature_c, wind_speed_kmh=wind_kmh)
    except ValidationError as exc:
        problem = exc.errors()[0]
        where = ".".join(str(p) for p in problem["loc"])
        raise InvalidInputError(f"{where}: {problem['msg']}") from exc


def _print_result(region: str, result: ReassessResult) -> None:
    level = result.response.level
    text = f"{escape(region)}: level {_styled(level, result.response.colour)}"
    if result.has_changed:
        text += f" (was {result.previous_level}; {escape(result.response.trigger.reason)})"
    elif result.is_held and result.held_until is not None:
        text += f" (held until {result.held_until.isoformat()})"
    else:
        text += " (unchanged)"
    if result.response.stale_sources:
        names = ", ".join(s.name for s in result.response.stale_sources)
        text += f" [bold red]warning feeds stale: {escape(names)}[/bold red]"
    console.print(text, soft_wrap=True)


def _styled(level: str, colour: str | None) -> str:
    style = RICH_COLOUR.get(colour or "")
    return f"[{style}]{level}[/{style}]" if style else level


def levels_table(rows: list[ResponseLevelRead]) -> Table:
    """One row per configured region: code, preset, level in its colour, trigger, since; and,
    when any warning feed is stale, a column naming the stale feeds of each region."""
    has_stale = any(row.stale_sources for row in rows)
    table = Table(title="Response levels")
    columns = ["region", "preset", "level", "colour", "trigger", "since (UTC)"]
    for column in [*columns, "warning feeds"] if has_stale else columns:
        table.add_column(column)
    for row in rows:
        trigger = row.trigger.rule or row.trigger.kind
        if row.trigger.warning:
            trigger += f" ({row.trigger.warning})"
        elif row.trigger.reading_c is not None:
            trigger += f" ({row.trigger.reading_c:.1f} °C)"
        cells = [
            escape(row.region_code),
            escape(row.preset),
            _styled(row.level, row.colour),
            row.colour or "-",
            escape(trigger),
            row.since_at.strftime("%Y-%m-%d %H:%M"),
        ]
        if has_stale:
            cells.append(_sources(row))
        table.add_row(*cells)
    return table


_TASKS = TypeAdapter(list[TaskRead])


@app.command("tasks")
def tasks(
    region: str | None = typer.Option(None, "--region", "-r", help="Region code: subtree root."),
    status: str | None = typer.Option(
        None, "--status", help="open, acknowledged, done or cancelled."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """Print the tasks level changes created: owner (or UNASSIGNED), due time, status."""
    with cli_session(read_only=True) as session:
        rows = list_tasks(session, region_code=region, status=status)
    if as_json:
        print(_TASKS.dump_json(rows, indent=2).decode())
        return
    table = Table(title="Response tasks")
    for column in ("id", "region", "level", "task", "owner", "due (UTC)", "status"):
        table.add_column(column)
    for row in rows:
        owner = (
            "[bold red]UNASSIGNED[/bold red]" if row.is_unassigned else escape(row.owner_name or "")
        )
        status_text = row.status
        if row.acknowledged_by:
            status_text += f" ({escape(row.acknowledged_by)})"
        table.add_row(
            str(row.id),
            escape(row.region_code),
            row.level,
            escape(row.title),
            owner,
            row.due_at.strftime("%Y-%m-%d %H:%M"),
            status_text,
        )
    console.print(table)


@app.command("ack")
def ack(
    task: int = typer.Argument(..., help="Task id."),
    by: str = typer.Option(..., "--by", help="Who takes the task on."),
) -> None:
    """Acknowledge TASK: record who has taken it on, and when."""
    now = SystemClock().now()
    with cli_session() as session:
        row = task_read(acknowledge_task(session, task, by=by, now=now))
    console.print(f"task {row.id}: {row.status} by {escape(row.acknowledged_by or '')}")


@app.command("done")
def done(
    task: int = typer.Argument(..., help="Task id."),
    by: str = typer.Option(..., "--by", help="Who did it."),
) -> None:
    """Mark TASK done."""
    now = SystemClock().now()
    with cli_session() as session:
        row = task_read(complete_task(session, task, by=by, now=now))
    console.print(f"task {row.id}: done by {escape(row.done_by or '')}")


@app.command("plan")
def plan(
    region: str = typer.Argument(..., help="Region code."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of tables."),
) -> None:
    """Print REGION's supplies pre-positioning plan at its level now: transfers and to procure."""
    now = SystemClock().now()
    with cli_session(read_only=True) as session:
        result = prepositioning_plan(session, region, at=now)
    if as_json:
        print(result.model_dump_json(indent=2))
        return
    table = Table(title=f"Pre-positioning plan, {escape(region)} (level {result.level})")
    for column in ("item", "quantity", "from", "to", "distance (km)"):
        table.add_column(column)
    for t in result.transfers:
        table.add_row(
            escape(t.item),
            str(t.quantity),
            escape(t.from_point),
            escape(t.to_point),
            f"{t.distance_m / 1000:.1f}",
        )
    console.print(table)
    if result.to_procure:
        procure = Table(title="To procure")
        for column in ("item", "quantity", "for"):
            procure.add_column(column)
        for n in result.to_procure:
            procure.add_row(escape(n.item), str(n.quantity), escape(n.point))
        console.print(procure)


def _sources(row: ResponseLevelRead) -> str:
    if not row.stale_sources:
        return "current"
    names = ", ".join(escape(s.name) for s in row.stale_sources)
    return f"[bold red]STALE: {names}[/bold red]"
