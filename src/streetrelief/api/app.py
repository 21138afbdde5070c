"""The FastAPI application factory."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager

from anyio import to_thread
from fastapi import FastAPI
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.staticfiles import StaticFiles
from sqlalchemy.orm import Session, sessionmaker

from streetrelief import __version__
from streetrelief.api.errors import install_error_handlers
from streetrelief.api.limits import BodySizeLimit, IntakeThrottle
from streetrelief.api.routers import (
    access,
    alert_feeds,
    alerts,
    audit,
    auth,
    events,
    health,
    hotspots,
    incidents,
    notify,
    open311,
    partner_feeds,
    patrols,
    persons,
    regions,
    reports,
    response_levels,
    response_tasks,
    revisits,
    roster,
    service_points,
    social_reporters,
    stats,
    stock,
    teams,
    weather,
)
from streetrelief.config import Settings, get_settings
from streetrelief.core.clock import Clock, SystemClock
from streetrelief.db.engine import get_engine, make_session_factory
from streetrelief.dispatch.travel import TravelTimeProvider
from streetrelief.notify.jobs import BackgroundWorker, DeliveryWorker
from streetrelief.patrols.logic import load_calendar
from streetrelief.routing.configured import travel_from_settings
from streetrelief.triage.policy import TriagePolicy, load_policy
from streetrelief.weather.geocode_tables import load_geocode_tables
from streetrelief.web import pages

GZIP_MIN_BYTES = 1400
"""Answers smaller than about one TCP segment go uncompressed: nothing to gain."""


def create_app(
    settings: Settings | None = None,
    *,
    clock: Clock | None = None,
    session_factory: sessionmaker[Session] | None = None,
    triage_policy: TriagePolicy | None = None,
    travel: TravelTimeProvider | None = None,
) -> FastAPI:
    """Build the API with its collaborators; each defaults to the configured one."""
    settings = settings or get_settings()
    app = FastAPI(
        title="streetrelief",
        version=__version__,
        description="Command and dispatch for winter street relief.",
        lifespan=_lifespan,
    )
    app.state.settings = settings
    app.state.clock = clock or SystemClock()
    app.state.session_factory = session_factory or make_session_factory(
        get_engine(settings.database_url)
    )
    app.state.triage_policy = triage_policy or load_policy(settings.triage_policy_path)
    app.state.travel = travel or travel_from_settings(settings)
    app.state.geocode_tables = load_geocode_tables(settings.geocode_tables_dir)
    app.state.holiday_calendar = load_calendar(settings.holiday_calendar_path)
    app.state.intake_throttle = IntakeThrottle(
        settings.public_rate_limit, settings.client_rate_limit
    )
    install_error_handlers(app)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    # Lists and maps of thousands of records shrink about tenfold; the event stream is left
    # alone (Starlette never compresses text/event-stream).
    app.add_middleware(GZipMiddleware, minimum_size=GZIP_MIN_BYTES)
    app.include_router(health.router)
    app.include_router(open311.router)
    for module in (
        auth,
        access,
        audit,
        persons,
        partner_feeds,
        reports,
        social_reporters,
        incidents,
        teams,
        service_points,
        hotspots,
        patrols,
        regions,
        stats,
        events,
        alert_feeds,  # before alerts, whose /alerts/{alert_id} would take /alerts/feeds
        alerts,
        response_levels,
        response_tasks,
        revisits,
        roster,
        stock,
        weather,
        notify,
    ):
        app.include_router(module.router, prefix="/api/v1")
    app.include_router(incidents.map_router, prefix="/api/v1")
    app.include_router(pages.router)
    app.add_exception_handler(pages.SignInRequiredError, pages.sign_in_redirect)
    app.mount("/static", StaticFiles(directory=pages.STATIC_DIR), name="static")
    return app


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Prepare the routes, freeze the start-up heap (``_frozen_start_up``) and run the
    notification delivery worker beside the server when the settings ask for it.

    FastAPI analyses each route's parameters and dependencies on the first request that reaches
    it; building the OpenAPI schema does it for every route at once, so that the first request
    (a dispatcher's console after a restart) does not wait for it (0.4 to 0.9 s measured on a
    busy 2-core machine, bench/console.py). It runs before the freeze, so what it builds is
    frozen with the rest.
    """
    settings: Settings = app.state.settings
    if settings.warm_up_on_start:
        await to_thread.run_sync(app.openapi)
    with _frozen_start_up():
        if not settings.notify_worker_in_serve:
            yield
            return
        worker = BackgroundWorker(
            DeliveryWorker(
                factory=app.state.session_factory, clock=app.state.clock, settings=settings
            )
        )
        worker.start()
        try:
            yield
        finally:
            await to_thread.run_sync(worker.stop)


@contextmanager
def _frozen_start_up() -> Iterator[None]:
    """Keep the objects alive at start-up (modules, settings, policy, road graph: hundreds of
    thousands) out of the cyclic garbage collector's full collections while serving.

    A full collection walks every tracked object; with the start-up heap in it (about 300,000
    objects) one takes about 170 ms of CPU, which set the p99 of the recommendation route
    (bench/dispatch.py measures both). ``gc.freeze()`` moves the objects tracked so far to a
    permanent generation that collections ignore: a constant-time list splice, with no
    collection first (that would add its own pause to every start, tests included).
    ``gc.unfreeze()`` at shut-down hands them back. The collection thresholds stay CPython's
    defaults: a ten times larger first threshold measured no better once the heap is frozen.
    Source: Python documentation of ``gc.freeze`` (added in 3.7 for servers whose long-lived
    start-up objects made collections slow, bpo-31558).
    """
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
