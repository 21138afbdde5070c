"""``streetrelief jobs``: list the scheduled jobs, run them once, or run them as a worker."""

from __future__ import annotations

import typer
from apscheduler.schedulers.blocking import BlockingScheduler
from rich.markup import escape
from rich.table import Table

from streetrelief.cli.common import console, fail_cleanly, log_jobs
from streetrelief.config import get_settings
from streetrelief.jobs.schedule import (
    JOBS,
    http_feed,
    job_names,
    live_context,
    run_once,
    schedule,
)

app = typer.Typer(help="Scheduled jobs: feed polls and reassessment.", no_args_is_help=True)


@app.command("list")
def list_jobs() -> None:
    """Print each job with its interval (from the settings) and what it does."""
    settings = get_settings()
    table = Table(title="Jobs")
    for column in ("name", "every (s)", "does"):
        table.add_column(column)
    for name, job in JOBS.items():
        table.add_row(name, f"{job.interval_s(settings):g}", job.help)
    console.print(table)


@app.command("run")
def run(
    names: list[str] | None = typer.Argument(None, help="Jobs to run (default: all)."),
    once: bool = typer.Option(False, "--once", help="Run each job once, in order, and exit."),
) -> None:
    """Run the jobs on their intervals until stopped (Ctrl-C), or once with --once.

    Several workers may run at once: a feed is polled by one of them, and a region's level
    change is logged once.
    """
    run_jobs(names or [], once=once)


def run_jobs(names: list[str], *, once: bool) -> None:
    """Run ``names`` (all when empty) once or on the schedule; shared with `weather feeds poll`."""
    with fail_cleanly():
        wanted = job_names(names)
        settings = get_settings()
        fetcher = http_feed(settings)
    with fetcher:
        with fail_cleanly():
            ctx = live_context(settings, fetcher=fetcher)
        if once:
            with fail_cleanly():
                for name, summary in run_once(ctx, wanted):
                    console.print(f"{name}: {escape(summary)}", soft_wrap=True)
            return
        log_jobs()
        scheduler = BlockingScheduler(timezone="UTC")
        schedule(scheduler, ctx, wanted)
        console.print(f"running {', '.join(wanted)} (Ctrl-C stops)")
        try:
            scheduler.start()
        except (KeyboardInterrupt, SystemExit):
            scheduler.shutdown(wait=False)
