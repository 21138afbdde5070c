"""``streetrelief stock``: record counts of supplies per service point, and list them."""

from __future__ import annotations

import typer
from pydantic import TypeAdapter, ValidationError
from rich.markup import escape
from rich.table import Table

from streetrelief.cli.common import cli_session, console, fail_cleanly
from streetrelief.core.clock import SystemClock
from streetrelief.core.errors import InvalidInputError
from streetrelief.supplies.schemas import StockCount, StockRead
from streetrelief.supplies.service import list_stock, set_stock

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


@app.command("list")
def list_(
    region: str | None = typer.Option(None, "--region", "-r", help="Region code: subtree root."),
    point: str | None = typer.Option(None, "--point", help="One service point code."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """Print stock by service point and item."""
    with cli_session(read_only=True) as session:
        rows = list_stock(session, region_code=region, service_point_code=point)
    if as_json:
        print(_ROWS.dump_json(rows, indent=2).decode())
        return
    table = Table(title="Stock")
    for column in ("point", "item", "quantity", "counted (UTC)"):
        table.add_column(column)
    for r in rows:
        table.add_row(
            escape(r.service_point_code),
            escape(r.item),
            str(r.quantity),
            r.updated_at.strftime("%Y-%m-%d %H:%M"),
        )
    console.print(table)


def _count(point: str, item: str, quantity: int) -> StockCount:
    try:
        return StockCount(service_point_code=point, item=item, quantity=quantity)
    except ValidationError as exc:
        problem = exc.errors()[0]
        where = ".".join(str(p) for p in problem["loc"])
        raise InvalidInputError(f"{where}: {problem['msg']}") from exc
