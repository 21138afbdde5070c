"""``streetrelief weather feeds``: add, list and remove CAP feeds, and poll them."""

from __future__ import annotations

import typer
from pydantic import TypeAdapter, ValidationError
from rich.markup import escape
from rich.table import Table

from streetrelief.cli.common import cli_session, console
from streetrelief.cli.jobs import run_jobs
from streetrelief.core.clock import SystemClock
from streetrelief.weather.feeds.schemas import FeedCreate, FeedRead
from streetrelief.weather.feeds.service import add_feed, list_feeds, remove_feed, to_read

app = typer.Typer(help="CAP feeds polled over HTTP(S).", no_args_is_help=True)

_FEEDS = TypeAdapter(list[FeedRead])
STATUS_STYLE = {"fresh": "green", "pending": "cyan", "failing": "yellow", "stale": "bold red"}


@app.command("add")
def add(
    name: str = typer.Argument(..., help="A short unique name."),
    url: str = typer.Argument(..., help="http(s):// URL: a CAP alert, <alerts> or Atom index."),
    region: str | None = typer.Option(
        None, "--region", "-r", help="Region whose warnings it carries (default: every region)."
    ),
    poll_interval: int = typer.Option(300, "--poll-interval", help="Seconds between reads."),
    retry_interval: int = typer.Option(
        60, "--retry-interval", help="Seconds before reading again after a failure."
    ),
    stale_after: int = typer.Option(
        1800, "--stale-after", help="Seconds after the last good read when the feed is stale."
    ),
    disabled: bool = typer.Option(False, "--disabled", help="Add it without polling it."),
) -> None:
    """Add a feed; it is polled at the next `poll` (or by `streetrelief jobs run`)."""
    now = SystemClock().now()
    try:
        data = FeedCreate(
            name=name,
            url=url,
            region_code=region,
            poll_interval_s=poll_interval,
            retry_interval_s=retry_interval,
            stale_after_s=stale_after,
            is_enabled=not disabled,
        )
    except ValidationError as exc:
        problem = exc.errors()[0]
        where = ".".join(str(p) for p in problem["loc"])
        raise typer.BadParameter(f"{where}: {problem['msg']}") from exc
    with cli_session() as session:
        feed = to_read(add_feed(session, data, now=now), now=now)
    console.print(f"feed {escape(feed.name)} added ({escape(feed.url)})", soft_wrap=True)


@app.command("list")
def list_(
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """Print each feed with its status (pending, fresh, failing, stale, disabled)."""
    now = SystemClock().now()
    with cli_session(read_only=True) as session:
        rows = list_feeds(session, now=now)
    if as_json:
        print(_FEEDS.dump_json(rows, indent=2).decode())
        return
    console.print(feeds_table(rows))


@app.command("remove")
def remove(name: str = typer.Argument(..., help="The feed's name.")) -> None:
    """Stop polling a feed; the alerts it brought stay stored."""
    with cli_session() as session:
        remove_feed(session, name)
    console.print(f"feed {escape(name)} removed")


@app.command("poll")
def poll(
    once: bool = typer.Option(False, "--once", help="Poll the due feeds once and exit."),
) -> None:
    """Poll the feeds whose time has come, on the schedule until stopped (or once)."""
    run_jobs(["poll-feeds"], once=once)


def feeds_table(rows: list[FeedRead]) -> Table:
    """One row per feed: name, status, last success, failures, next poll, last error, URL."""
    table = Table(title="CAP feeds")
    for column in ("name", "status", "last success (UTC)", "fails", "next poll", "error", "url"):
        table.add_column(column)
    for f in rows:
        style = STATUS_STYLE.get(f.status.value)
        status = f"[{style}]{f.status.value}[/{style}]" if style else f.status.value
        table.add_row(
            escape(f.name),
            status,
            f"{f.last_success_at:%Y-%m-%d %H:%M}" if f.last_success_at else "-",
            str(f.consecutive_failures),
            f"{f.next_poll_at:%H:%M:%S}" if f.next_poll_at else "now",
            escape(f.last_error or ""),
            escape(f.url),
        )
    return table
