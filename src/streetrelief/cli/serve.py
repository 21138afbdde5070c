"""``streetrelief serve``: migrate, optionally load the demo, and run the API server."""

from __future__ import annotations

from contextlib import ExitStack

import typer
import uvicorn
from apscheduler.schedulers.background import BackgroundScheduler

from streetrelief.cli.common import console, fail_cleanly, log_jobs
from streetrelief.config import get_settings
from streetrelief.db import migrate
from streetrelief.jobs.schedule import http_feed, live_context, schedule
from streetrelief.privacy import crypto
from streetrelief.routing.configured import travel_from_settings


def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, min=1, max=65535, help="Port to listen on."),
    demo: bool = typer.Option(False, help="Load the generated demo data if the database is empty."),
    workers: int = typer.Option(1, min=1, help="Worker processes."),
) -> None:
    """Bring the database schema up to date and serve the API (docs at /docs); with
    STREETRELIEF_RUN_JOBS_IN_SERVER=true, also run the scheduled jobs (see `jobs list`)."""
    with fail_cleanly():
        settings = get_settings()
        if demo and settings.data_keys is None and not settings.data_key_file.exists():
            crypto.write_key_file(settings.data_key_file)
            console.print(f"demo: new data key in {settings.data_key_file}")
        crypto.cipher()  # refuse to start without a usable key for personal data
        migrate.upgrade(settings.database_url)
        # Read (and cache) the road network now: a bad file stops here in one line, not in
        # a traceback from every server worker.
        travel_from_settings(settings, progress=console.print)
        if demo:
            from streetrelief.demo.load import (  # noqa: PLC0415 - only when asked
                load_demo,
                reset_demo_accounts,
            )

            console.print(load_demo(settings))
            password, names = reset_demo_accounts(settings)
            console.print(f"demo accounts {', '.join(names)}; password for this run: {password}")
    console.print(
        f"streetrelief on http://{host}:{port}  (API docs: /docs, database: "
        f"{settings.database_url.split('@')[-1]})"
    )
    with ExitStack() as stack:
        if settings.run_jobs_in_server:
            log_jobs()
            # One scheduler in this process, whatever the number of workers; a worker started
            # with `streetrelief jobs run` beside it is safe too (see streetrelief.jobs).
            fetcher = stack.enter_context(http_feed(settings))
            scheduler = BackgroundScheduler(timezone="UTC")
            schedule(scheduler, live_context(settings, fetcher=fetcher))
            scheduler.start()
            stack.callback(scheduler.shutdown, wait=False)
            console.print("jobs: " + ", ".join(j.id for j in scheduler.get_jobs()))
        uvicorn.run(
            "streetrelief.api.app:create_app",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_level="info",
        )
