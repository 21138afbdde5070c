"""The scheduled jobs by name, and how they are put on an APScheduler 3 scheduler.

``poll-feeds`` polls every CAP feed whose time has come (each feed keeps its own poll and retry
intervals; this only says how often to look) and, when it stored new alerts, reassesses at once;
``reassess`` decides every configured region's level on an interval, so levels follow warnings
that begin or expire and readings that age even when no feed brings anything new;
``expire-holds`` gives back the places of referral holds whose time is up; ``dispatch-timers``
re-sends dispatches nobody acknowledged and raises response-target breaches; ``revisit-timers``
makes due revisits of people who refused help patrol tasks and escalates overdue ones;
``thank-reporters``
puts a thank-you to each social reporter whose reported incident closed on the outbox. Each run
gets sessions of its own. A run that raises is logged by the scheduler and the next run goes ahead;
a run never overlaps itself (``max_instances=1``) and missed runs are coalesced into one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta

from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.orm import Session, sessionmaker

from streetrelief.config import Settings
from streetrelief.core.clock import Clock, SystemClock
from streetrelief.core.errors import InvalidInputError
from streetrelief.db.engine import get_engine, make_session_factory
from streetrelief.dispatch.timers import escalate_unacknowledged, raise_target_breaches
from streetrelief.dispatch.travel import TravelTimeProvider
from streetrelief.integrations.cap_http import HttpAlertFeed
from streetrelief.reporters.service import thank_reporters
from streetrelief.response.jobs import reassess_configured_regions
from streetrelief.revisits.service import assign_due_revisits, escalate_overdue_revisits
from streetrelief.routing.configured import travel_from_settings
from streetrelief.service_points.holds import expire_holds
from streetrelief.triage.policy import TriagePolicy, load_policy
from streetrelief.weather.feeds.jobs import PollSettings, poll_due_feeds
from streetrelief.weather.geocode_tables import GeocodeTables, load_geocode_tables
from streetrelief.weather.ports import AlertFeed

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class JobContext:
    """What the jobs run with: sessions, the clock, settings, geocode tables, the feed adapter,
    and the triage policy and travel provider, loaded once rather than on every run."""

    factory: sessionmaker[Session]
    clock: Clock
    settings: Settings
    tables: GeocodeTables
    fetcher: AlertFeed
    policy: TriagePolicy
    travel: TravelTimeProvider


@dataclass(frozen=True, slots=True)
class Job:
    """A named job: what it does and its interval (seconds) from the settings."""

    run: Callable[[JobContext], str]
    interval_s: Callable[[Settings], float]
    help: str


def poll_feeds(ctx: JobContext) -> str:
    """Poll the due feeds; reassess every configured region when new alerts were stored.

    Returns:
        A one-line summary.
    """
    settings = PollSettings(
        claim_for=timedelta(seconds=ctx.settings.feed_claim_s),
        max_entries=ctx.settings.feed_max_entries_per_poll,
    )
    with ctx.factory() as session:
        outcomes = poll_due_feeds(
            session, clock=ctx.clock, fetcher=ctx.fetcher, settings=settings, tables=ctx.tables
        )
    stored = sum(o.stored for o in outcomes)
    failed = [o.feed for o in outcomes if not o.is_success]
    summary = f"{len(outcomes)} feeds polled, {stored} alerts stored, {len(failed)} failed"
    if failed:
        summary += f" ({', '.join(failed)})"
    if stored:
        summary += "; " + reassess(ctx)
    return summary


def reassess(ctx: JobContext) -> str:
    """Reassess every configured region now.

    Returns:
        A one-line summary.
    """
    with ctx.factory() as session:
        results = reassess_configured_regions(session, clock=ctx.clock)
    changed = [
        f"{r.response.region_code} {r.previous_level}->{r.response.level}"
        for r in results
        if r.has_changed
    ]
    stale = sorted({s.name for r in results for s in r.response.stale_sources})
    summary = f"{len(results)} regions reassessed, {len(changed)} changed"
    if changed:
        summary += f" ({', '.join(changed)})"
    if stale:
        summary += f"; stale warning feeds: {', '.join(stale)}"
    return summary


def expire_referral_holds(ctx: JobContext) -> str:
    """Expire the referral holds whose time is up and give their places back.

    Returns:
        A one-line summary.
    """
    with ctx.factory.begin() as session:
        expired = expire_holds(session, now=ctx.clock.now())
    summary = f"{expired} referral holds expired"
    return summary


def dispatch_timers(ctx: JobContext) -> str:
    """Replace teams that did not acknowledge in time; raise response-target breaches.

    Returns:
        A one-line summary.
    """
    now = ctx.clock.now()
    with ctx.factory() as session:
        timeouts = escalate_unacknowledged(session, policy=ctx.policy, travel=ctx.travel, now=now)
        breaches = raise_target_breaches(session, now=now)
        session.commit()
    summary = (
        f"{len(timeouts)} dispatches not acknowledged "
        f"({sum(1 for t in timeouts if t.next_team_id is not None)} re-sent), "
        f"{len(breaches)} response targets breached"
    )
    return summary


def revisit_timers(ctx: JobContext) -> str:
    """Make due revisits patrol tasks of the nearest free outreach team; escalate those still
    open ``revisit_grace_s`` after their due time.

    Returns:
        A one-line summary.
    """
    now = ctx.clock.now()
    with ctx.factory.begin() as session:
        assigned = assign_due_revisits(session, travel=ctx.travel, now=now)
        overdue = escalate_overdue_revisits(session, grace_s=ctx.settings.revisit_grace_s, now=now)
    summary = f"{len(assigned)} revisits assigned to teams, {len(overdue)} overdue escalated"
    return summary


def thank_social_reporters(ctx: JobContext) -> str:
    """Thank the social reporters of reports whose incident has closed (once per report).

    Returns:
        A one-line summary.
    """
    with ctx.factory.begin() as session:
        thanked = thank_reporters(session, now=ctx.clock.now())
    summary = f"{thanked} social reporters' reports thanked"
    return summary


JOBS: dict[str, Job] = {
    "poll-feeds": Job(
        run=poll_feeds,
        interval_s=lambda s: s.feed_check_interval_s,
        help="Poll the CAP feeds that are due; reassess when new alerts arrive.",
    ),
    "reassess": Job(
        run=reassess,
        interval_s=lambda s: s.reassess_interval_s,
        help="Reassess every configured region's response level.",
    ),
    "expire-holds": Job(
        run=expire_referral_holds,
        interval_s=lambda s: s.hold_sweep_interval_s,
        help="Expire referral holds whose time is up; their places are free again.",
    ),
    "dispatch-timers": Job(
        run=dispatch_timers,
        interval_s=lambda s: s.dispatch_timers_interval_s,
        help="Re-send dispatches not acknowledged in time; raise response-target breaches.",
    ),
    "revisit-timers": Job(
        run=revisit_timers,
        interval_s=lambda s: s.revisit_timers_interval_s,
        help="Make due revisits patrol tasks of the nearest team; escalate overdue ones.",
    ),
    "thank-reporters": Job(
        run=thank_social_reporters,
        interval_s=lambda s: s.thank_reporters_interval_s,
        help="Thank social reporters, with the public outcome, when their incident closes.",
    ),
}
"""The jobs by name, in the order a single pass runs them (poll first, then reassess)."""


def job_names(names: Sequence[str]) -> list[str]:
    """The jobs to run: those named (checked), or all in order when none are.

    Raises:
        InvalidInputError: a name that is not a job.
    """
    unknown = [n for n in names if n not in JOBS]
    if unknown:
        raise InvalidInputError(
            f"no job named {', '.join(unknown)}; jobs: {', '.join(JOBS)}", field="name"
        )
    return [n for n in JOBS if n in names] if names else list(JOBS)


def run_once(ctx: JobContext, names: Sequence[str] = ()) -> list[tuple[str, str]]:
    """Run the named jobs (all when none) once each, in order.

    Returns:
        (job name, summary) per job.

    Raises:
        InvalidInputError: a name that is not a job.
    """
    return [(name, _run_logged(name, ctx)) for name in job_names(names)]


def _run_logged(name: str, ctx: JobContext) -> str:
    """Run job ``name`` once and log its one-line summary (INFO, ``name: summary``).

    Returns:
        The summary.
    """
    summary = JOBS[name].run(ctx)
    log.info("%s: %s", name, summary)
    return summary


def schedule(scheduler: BaseScheduler, ctx: JobContext, names: Sequence[str] = ()) -> None:
    """Put the named jobs (all when none) on ``scheduler``, each on its interval from the
    settings, first run at once; start the scheduler afterwards.

    Raises:
        InvalidInputError: a name that is not a job.
    """
    for name in job_names(names):
        job = JOBS[name]
        scheduler.add_job(
            _run_logged,
            trigger=IntervalTrigger(seconds=job.interval_s(ctx.settings)),
            args=[name, ctx],
            id=name,
            name=name,
            max_instances=1,
            coalesce=True,
            replace_existing=True,
            next_run_time=ctx.clock.now(),
        )


def live_context(
    settings: Settings, *, fetcher: AlertFeed, clock: Clock | None = None
) -> JobContext:
    """The jobs' context for a live process: the configured database, the wall clock (unless
    given) and the configured geocode tables, with ``fetcher`` (e.g. `http_feed`)."""
    return JobContext(
        factory=make_session_factory(get_engine(settings.database_url)),
        clock=clock or SystemClock(),
        settings=settings,
        tables=load_geocode_tables(settings.geocode_tables_dir),
        fetcher=fetcher,
        policy=load_policy(settings.triage_policy_path),
        travel=travel_from_settings(settings),
    )


def http_feed(settings: Settings) -> HttpAlertFeed:
    """The HTTP(S) feed adapter with the configured timeout and size cap; close it when done."""
    return HttpAlertFeed(timeout_s=settings.feed_timeout_s, max_bytes=settings.feed_max_bytes)
