"""``streetrelief revisits``: list revisits of people who refused help, mark one done or
cancel it."""

from __future__ import annotations

from typing import TypeVar

import typer
from pydantic import TypeAdapter, ValidationError
from rich.markup import escape
from rich.table import Table

from streetrelief.cli.common import cli_session, console
from streetrelief.core.clock import SystemClock
from streetrelief.core.errors import InvalidInputError
from streetrelief.revisits.schemas import HandOutcome, RevisitCancel, RevisitComplete, RevisitRead
from streetrelief.revisits.service import cancel_revisit, complete_revisit, list_revisits

app = typer.Typer(help="Revisits of people who refused help.", no_args_is_help=True)

_REVISITS = TypeAdapter(list[RevisitRead])


@app.command("list")
def list_command(
    region: str | None = typer.Option(None, "--region", "-r", help="Region code: subtree root."),
    status: str | None = typer.Option(
        None, "--status", help="scheduled, due, assigned, overdue, done or cancelled."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """Print revisits by due time: place, team holding it, status."""
    with cli_session(read_only=True) as session:
        rows = _REVISITS.validate_python(
            list_revisits(session, region_code=region, status=status), from_attributes=True
        )
    if as_json:
        print(_REVISITS.dump_json(rows, indent=2).decode())
        return
    table = Table(title="Revisits")
    for column in ("id", "region", "place", "due (UTC)", "team", "status", "interval"):
        table.add_column(column)
    for row in rows:
        table.add_row(
            str(row.id),
            escape(row.region_code),
            f"{row.lat:.5f}, {row.lon:.5f}",
            row.due_at.strftime("%Y-%m-%d %H:%M"),
            "-" if row.team_id is None else str(row.team_id),
            row.status.value,
            f"{row.interval_s // 3600} h ({escape(row.interval_source)})",
        )
    console.print(table)


@app.command("complete")
def complete(
    revisit: int = typer.Argument(..., help="Revisit id."),
    outcome: HandOutcome = typer.Option(..., "--outcome", help="What was found."),
    note: str | None = typer.Option(None, "--note", help="A note on the visit."),
    by: str = typer.Option(..., "--by", help="Who made the revisit."),
) -> None:
    """Mark REVISIT done by hand."""
    with cli_session() as session:
        data = _body(RevisitComplete, {"outcome": outcome, "note": note})
        row = complete_revisit(session, revisit, data, by=by, now=SystemClock().now())
        console.print(f"revisit {row.id}: done ({row.outcome}) by {escape(by)}")


@app.command("cancel")
def cancel(
    revisit: int = typer.Argument(..., help="Revisit id."),
    reason: str = typer.Option(..., "--reason", help="Why it is no longer needed."),
    by: str = typer.Option(..., "--by", help="Who cancels."),
) -> None:
    """Cancel REVISIT, saying why."""
    with cli_session() as session:
        data = _body(RevisitCancel, {"reason": reason})
        row = cancel_revisit(session, revisit, data, by=by, now=SystemClock().now())
        console.print(f"revisit {row.id}: cancelled by {escape(by)}")


BodyT = TypeVar("BodyT", RevisitComplete, RevisitCancel)


def _body(model: type[BodyT], values: dict[str, object]) -> BodyT:
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        problem = exc.errors()[0]
        where = ".".join(str(p) for p in problem["loc"])
        raise InvalidInputError(f"{where}: {problem['msg']}") from exc
