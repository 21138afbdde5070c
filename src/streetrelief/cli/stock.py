"""``streetrelief stock``: counts, movements (receive, transfer, issue, write-off), stock per
service point and team, alerts."""

from __future__ import annotations

from datetime import date

import typer
from pydantic import TypeAdapter, ValidationError
from rich.markup import escape
from rich.table import Table

from streetrelief.cli.common import cli_session, console, fail_cleanly
from streetrelief.core.clock import SystemClock
from streetrelief.core.errors import InvalidInputError
from streetrelief.supplies.models import MovementKind
from streetrelief.supplies.schemas import MovementCreate, MovementRead, StockCount, StockRead
from streetrelief.supplies.service import (
    list_movements,
    list_stock,
    record_movement,
    set_stock,
    stock_alerts,
)

app = typer.Typer(help="Stock of supplies per service point.", no_args_is_help=True)

_ROWS = TypeAdapter(list[StockRead])


@app.command("set")
def set_(
    point: str = typer.Argument(..., help="Service point code."),
    item: str = typer.Argument(..., help="Item, lowercase snake, e.g. quilts, hot_meals."),
    quantity: int = typer.Argument(..., help="Units counted."),
) -> None:
    """Record a count of ITEM at POINT (replaces the stored count)."""
    with fail_cleanly():
        count = _count(point, item, quantity)
    now = SystemClock().now()
    with cli_session() as session:
        set_stock(session, count, now=now)
    console.print(f"{escape(point)}: {quantity} {escape(item)}")


@app.command("move")
def move(
    kind: MovementKind = typer.Argument(..., help="receive, transfer, issue or write_off."),
    item: str = typer.Argument(..., help="Item code from the catalogue, e.g. quilts."),
    quantity: int = typer.Argument(..., help="Units of issue, > 0."),
    from_point: str | None = typer.Option(None, "--from-point", help="Source service point."),
    from_team: str | None = typer.Option(None, "--from-team", help="Source team (vehicle)."),
    to_point: str | None = typer.Option(None, "--to-point", help="Destination service point."),
    to_team: str | None = typer.Option(None, "--to-team", help="Destination team (vehicle)."),
    expires: str | None = typer.Option(None, "--expires", help="Lot expiry, YYYY-MM-DD."),
    reason: str | None = typer.Option(None, "--reason", help="Why (required to write off)."),
) -> None:
    """Record a movement of stock; refused when the source holds too little."""
    with fail_cleanly():
        try:
            data = MovementCreate(
                kind=kind,
                item=item,
                quantity=quantity,
                from_point=from_point,
                from_team=from_team,
                to_point=to_point,
                to_team=to_team,
                expires_on=None if expires is None else date.fromisoformat(expires),
                reason=reason,
            )
        except (ValidationError, ValueError) as exc:
            raise InvalidInputError(_problem(exc)) from exc
    with cli_session() as session:
        movement = record_movement(session, data, by="cli", now=SystemClock().now())
        number = movement.id
    console.print(f"movement {number}: {kind} {quantity} {escape(item)}")


@app.command("list")
def list_(
    region: str | None = typer.Option(None, "--region", "-r", help="Region code: subtree root."),
    point: str | None = typer.Option(None, "--point", help="One service point code."),
    team: str | None = typer.Option(None, "--team", help="One team code (its vehicle)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """Print stock by holder and item."""
    with cli_session(read_only=True) as session:
        rows = list_stock(session, region_code=region, service_point_code=point, team_code=team)
    if as_json:
        print(_ROWS.dump_json(rows, indent=2).decode())
        return
    table = Table(title="Stock")
    for column in ("holder", "item", "quantity", "earliest expiry", "updated (UTC)"):
        table.add_column(column)
    for r in rows:
        table.add_row(
            escape(r.service_point_code or f"team {r.team_code}"),
            escape(r.item),
            str(r.quantity),
            "" if r.earliest_expiry_on is None else r.earliest_expiry_on.isoformat(),
            r.updated_at.strftime("%Y-%m-%d %H:%M"),
        )
    console.print(table)


@app.command("movements")
def movements(
    point: str | None = typer.Option(None, "--point", help="One service point code."),
    team: str | None = typer.Option(None, "--team", help="One team code."),
) -> None:
    """Print the ledger of a point or team (all when neither), newest first, as JSON."""
    with cli_session(read_only=True) as session:
        rows = [
            MovementRead.model_validate(m)
            for m in list_movements(session, service_point_code=point, team_code=team)
        ]
    print(TypeAdapter(list[MovementRead]).dump_json(rows, indent=2).decode())


@app.command("alerts")
def alerts(
    region: str | None = typer.Option(None, "--region", "-r", help="Region code: subtree root."),
    team: str | None = typer.Option(None, "--team", help="One team code."),
) -> None:
    """Print low stock and lots near expiry."""
    with cli_session(read_only=True) as session:
        rows = list_stock(session, region_code=region, team_code=team)
        found = stock_alerts(session, rows, today=SystemClock().now().date())
    table = Table(title="Stock alerts")
    for column in ("alert", "holder", "item", "quantity", "threshold / expiry"):
        table.add_column(column)
    for a in found:
        table.add_row(
            a.kind,
            escape(a.holder),
            escape(a.item),
            str(a.quantity),
            str(a.threshold) if a.expires_on is None else a.expires_on.isoformat(),
        )
    console.print(table)


def _count(point: str, item: str, quantity: int) -> StockCount:
    try:
        return StockCount(service_point_code=point, item=item, quantity=quantity)
    except ValidationError as exc:
        raise InvalidInputError(_problem(exc)) from exc


def _problem(exc: ValidationError | ValueError) -> str:
    if not isinstance(exc, ValidationError):
        return str(exc)
    problem = exc.errors()[0]
    where = ".".join(str(p) for p in problem["loc"])
    return f"{where}: {problem['msg']}" if where else str(problem["msg"])
