"""``streetrelief roster``: import and add shifts, who is on duty, hotline coverage gaps."""

from __future__ import annotations

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
    parse_time_option,
)
from streetrelief.core.clock import SystemClock
from streetrelief.core.errors import InvalidInputError
from streetrelief.duty.importer import import_roster
from streetrelief.duty.models import DutyRole
from streetrelief.duty.schemas import ShiftCreate, ShiftRead
from streetrelief.duty.service import add_shift, coverage_report, to_reads, who_is_on_duty

app = typer.Typer(
    help="The duty roster: shifts, who is on duty, hotline gaps.", no_args_is_help=True
)

_SHIFTS = TypeAdapter(list[ShiftRead])


@app.command("import")
def import_(
    file: Path = typer.Argument(..., help="Roster CSV (see `streetrelief roster add`)."),
) -> None:
    """Add every shift of a CSV: region_code,station,role,person_name,contact,start_at,end_at."""
    import_records(import_roster, file)


@app.command("add")
def add(
    region: str = typer.Option(..., "--region", help="Region code."),
    role: DutyRole = typer.Option(..., "--role", help="The role on this shift."),
    name: str = typer.Option(..., "--name", help="Staff member's name."),
    start: str = typer.Option(..., "--start", help="ISO 8601 with offset."),
    end: str = typer.Option(..., "--end", help="ISO 8601 with offset (exclusive)."),
    station: str | None = typer.Option(
        None, "--station", help="Service point code; the command centre when left out."
    ),
    contact: str | None = typer.Option(None, "--contact", help="Phone or call sign."),
) -> None:
    """Put one shift on the roster."""
    with fail_cleanly():
        data = _shift(
            region_code=region,
            station=station,
            role=role,
            person_name=name,
            contact=contact,
            start_at=parse_time_option(start, "--start"),
            end_at=parse_time_option(end, "--end"),
        )
    now = SystemClock().now()
    with cli_session() as session:
        shift = add_shift(session, data, now=now)
        shift_id = shift.id
    console.print(f"shift {shift_id}: {escape(name)} ({role.value}) added")


@app.command("on-duty")
def on_duty(
    region: str = typer.Option(..., "--region", "-r", help="Region code: subtree root."),
    at: str | None = typer.Option(None, "--at", help="ISO 8601 with offset; now by default."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """Print who is on duty in a region's subtree, with role, station and shift end."""
    when = parse_time_option(at, "--at") or SystemClock().now()
    with cli_session(read_only=True) as session:
        rows = to_reads(session, who_is_on_duty(session, region, when))
    if as_json:
        print(_SHIFTS.dump_json(rows, indent=2).decode())
        return
    table = Table(title=f"On duty, {escape(region)}")
    for column in ("shift", "role", "name", "station", "contact", "until (UTC)"):
        table.add_column(column)
    for r in rows:
        table.add_row(
            str(r.id),
            r.role.value,
            escape(r.person_name),
            escape(r.station),
            escape(r.contact or ""),
            r.end_at.strftime("%Y-%m-%d %H:%M"),
        )
    console.print(table)


@app.command("gaps")
def gaps(
    region: str = typer.Option(..., "--region", "-r", help="Region code: subtree root."),
    hours: int = typer.Option(48, "--hours", help="How far ahead to look, hours."),
    role: DutyRole = typer.Option(DutyRole.hotline_operator, "--role", help="Role to check."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of lines."),
) -> None:
    """List the periods of the next HOURS with nobody in ROLE on duty, in local time."""
    now = SystemClock().now()
    with cli_session(read_only=True) as session:
        report = coverage_report(session, region, start=now, hours=hours, role=role)
    if as_json:
        print(report.model_dump_json(indent=2))
        return
    if not report.gaps:
        console.print(f"{escape(region)}: {role.value} covered for the next {hours} h")
        return
    console.print(f"{escape(region)}: {role.value} gaps in the next {hours} h ({report.timezone})")
    for gap in report.gaps:
        console.print(
            f"  {gap.start_local[:16].replace('T', ' ')} to "
            f"{gap.end_local[:16].replace('T', ' ')} ({gap.duration_s / 3600:g} h)"
        )


def _shift(**values: object) -> ShiftCreate:
    try:
        return ShiftCreate.model_validate(values)
    except ValidationError as exc:
        problem = exc.errors()[0]
        where = ".".join(str(p) for p in problem["loc"]) or "shift"
        message = str(problem["msg"]).removeprefix("Value error, ")
        raise InvalidInputError(f"{where}: {message}") from exc
