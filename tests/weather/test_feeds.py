"""Polling CAP feeds over real HTTP: conditional GETs, Atom indexes, collections, bad answers,
retries, staleness and the poller end to end.

Every feed is a real local HTTP server (`tests.factories.feeds.FeedServer`) serving the real
CAP files of ``shared/data/cap_alerts`` or hostile documents; time is a `FixedClock` moved by
hand, never slept.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from streetrelief.config import Settings
from streetrelief.core.clock import FixedClock
from streetrelief.core.errors import InvalidInputError
from streetrelief.db.outbox import Event
from streetrelief.integrations.cap_http import HttpAlertFeed
from streetrelief.jobs.schedule import JobContext, run_once, schedule
from streetrelief.response.models import ResponseActivation
from streetrelief.response.service import configure_region, current_level, list_levels
from streetrelief.routing.configured import travel_from_settings
from streetrelief.triage.policy import load_policy
from streetrelief.weather.feeds.jobs import PollSettings, poll_due_feeds
from streetrelief.weather.feeds.logic import FeedStatus
from streetrelief.weather.feeds.models import CapFeed
from streetrelief.weather.feeds.schemas import FeedCreate, FeedPolled
from streetrelief.weather.feeds.service import (
    add_feed,
    claim_feed,
    list_feeds,
    read_url,
    remove_feed,
    to_read,
)
from streetrelief.weather.geocode_tables import load_geocode_tables
from streetrelief.weather.models import Alert
from streetrelief.weather.ports import AlertFeed, FeedResponse
from streetrelief.weather.service import list_alerts
from tests.factories.feeds import (
    ATOM_TYPE,
    EXTERNAL_ENTITY,
    HTML_PAGE,
    XML_BOMB,
    FeedServer,
    atom_index,
)
from tests.factories.response import CWA_CHAIN, FENGLIN, sent_at
from tests.factories.weather import cap_message, taiwan_tree

POLL = PollSettings(claim_for=timedelta(minutes=5), max_entries=10)
INTERVAL = timedelta(seconds=300)
RETRY = timedelta(seconds=60)
WINDOW = timedelta(seconds=1800)
FOG = "taiwan_cwa_dense_fog_zh-TW_2024-04-23.xml"
SMHI = "smhi_alerts_collection_heavy_snow_2019-03-12.xml"
LINKED = [
    "dwd_frost_de_2015-11-02.xml",
    "nws_flash_flood_watch_cap11_2010-08-30.xml",
    "meteoalarm_uk_ni_ice_warning_2022-12-07.xml",
    FOG,
]


@pytest.fixture
def cap_dir(shared_data: Path) -> Path:
    """The real CAP alert files."""
    return shared_data / "cap_alerts"


def _add(session: Session, clock: FixedClock, url: str, **extra: object) -> CapFeed:
    data = FeedCreate.model_validate(
        {
            "name": "cwa",
            "url": url,
            "poll_interval_s": int(INTERVAL.total_seconds()),
            "retry_interval_s": int(RETRY.total_seconds()),
            "stale_after_s": int(WINDOW.total_seconds()),
            **extra,
        }
    )
    feed = add_feed(session, data, now=clock.now())
    session.commit()
    return feed


def _poll(
    session: Session, clock: FixedClock, fetcher: AlertFeed, settings: PollSettings = POLL
) -> list[FeedPolled]:
    return poll_due_feeds(session, clock=clock, fetcher=fetcher, settings=settings)


def _alerts(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Alert)) or 0


def _events(session: Session, type_: str | None = None) -> list[Event]:
    stmt = select(Event)
    if type_ is not None:
        stmt = stmt.where(Event.type == type_)
    return list(session.scalars(stmt.order_by(Event.id)))


def _feed(session: Session) -> CapFeed:
    session.expire_all()
    [feed] = session.scalars(select(CapFeed)).all()
    return feed


class TestConditionalGet:
    def test_200_then_304_sends_validators_and_stores_nothing_again(
        self,
        session: Session,
        clock: FixedClock,
        fetcher: HttpAlertFeed,
        feed_server: FeedServer,
        cap_dir: Path,
    ) -> None:
        url = feed_server.serve("/cwa.xml", (cap_dir / FOG).read_bytes())
        _add(session, clock, url)
        [first] = _poll(session, clock, fetcher)
        assert (first.is_success, first.is_not_modified, first.stored) == (True, False, 1)
        events = len(_events(session))

        clock.advance(INTERVAL)
        [second] = _poll(session, clock, fetcher)
        assert (second.is_success, second.is_not_modified, second.stored) == (True, True, 0)
        route = feed_server.routes["/cwa.xml"]
        [_, again] = feed_server.hits("/cwa.xml")
        assert again.headers["If-None-Match"] == route.etag
        assert again.headers["If-Modified-Since"] == route.last_modified
        assert _alerts(session) == 1
        assert len(_events(session)) == events
        feed = _feed(session)
        assert feed.last_success_at == clock.now()
        assert to_read(feed, now=clock.now()).status == FeedStatus.fresh

    def test_last_modified_alone_gives_304(
        self,
        session: Session,
        clock: FixedClock,
        fetcher: HttpAlertFeed,
        feed_server: FeedServer,
        cap_dir: Path,
    ) -> None:
        url = feed_server.serve("/cwa.xml", (cap_dir / FOG).read_bytes(), has_etag=False)
        _add(session, clock, url)
        _poll(session, clock, fetcher)
        clock.advance(INTERVAL)
        [second] = _poll(session, clock, fetcher)
        assert second.is_not_modified
        assert "If-None-Match" not in feed_server.hits("/cwa.xml")[1].headers

    def test_feed_not_due_is_not_read_again_and_a_claim_is_taken_once(
        self,
        session: Session,
        clock: FixedClock,
        fetcher: HttpAlertFeed,
        feed_server: FeedServer,
        cap_dir: Path,
    ) -> None:
        url = feed_server.serve("/cwa.xml", (cap_dir / FOG).read_bytes())
        feed_id = _add(session, clock, url).id
        assert claim_feed(session, feed_id, now=clock.now(), hold=POLL.claim_for) is not None
        assert claim_feed(session, feed_id, now=clock.now(), hold=POLL.claim_for) is None
        # Held by a poller that died: free again once its claim ends.
        clock.advance(POLL.claim_for)
        assert len(_poll(session, clock, fetcher)) == 1
        assert _poll(session, clock, fetcher) == []
        assert len(feed_server.hits("/cwa.xml")) == 1

    def test_feed_removed_while_it_is_read_keeps_what_it_brought(
        self,
        session: Session,
        clock: FixedClock,
        fetcher: HttpAlertFeed,
        feed_server: FeedServer,
        cap_dir: Path,
    ) -> None:
        url = feed_server.serve("/cwa.xml", (cap_dir / FOG).read_bytes())
        _add(session, clock, url)
        [polled] = _poll(session, clock, _RemovedWhileRead(fetcher, session, "cwa"))
        assert (polled.is_claimed, polled.stored) == (True, 1)
        assert session.scalars(select(CapFeed)).all() == []
        assert _alerts(session) == 1


class _RemovedWhileRead:
    """The real HTTP adapter; the feed is removed (as by another process) while it is read."""

    def __init__(self, inner: HttpAlertFeed, session: Session, name: str) -> None:
        self._inner, self._session, self._name = inner, session, name

    def fetch(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> FeedResponse:
        remove_feed(self._session, self._name)
        self._session.commit()
        return self._inner.fetch(url, etag=etag, last_modified=last_modified)


class TestDocuments:
    def test_atom_index_fetches_each_linked_real_alert_once_within_the_cap(
        self,
        session: Session,
        clock: FixedClock,
        fetcher: HttpAlertFeed,
        feed_server: FeedServer,
        cap_dir: Path,
    ) -> None:
        hrefs = []
        for i, name in enumerate(LINKED):
            url = feed_server.serve(f"/cap/{name}", (cap_dir / name).read_bytes())
            hrefs.append(url if i % 2 else f"cap/{name}")  # relative and absolute links
        index = atom_index(feed_server.base, hrefs)
        url = feed_server.serve("/index.atom", index, content_type=ATOM_TYPE)
        _add(session, clock, url)
        capped = PollSettings(claim_for=POLL.claim_for, max_entries=3)

        [first] = _poll(session, clock, fetcher, capped)
        assert (first.is_success, first.stored) == (True, 2)
        feed = _feed(session)
        [[refused_url, reason]] = feed.last_refusals
        assert refused_url.endswith(LINKED[1])
        assert "CAP 1.1 message" in reason
        assert feed.etag is None  # one link left for later: read the index in full next time
        assert len(feed_server.hits(f"/cap/{LINKED[3]}")) == 0

        clock.advance(INTERVAL)
        [second] = _poll(session, clock, fetcher, capped)
        assert second.stored == 1
        assert "If-None-Match" not in feed_server.hits("/index.atom")[1].headers
        for name in (LINKED[0], LINKED[2]):
            assert len(feed_server.hits(f"/cap/{name}")) == 1  # stored: not fetched again
        assert len(feed_server.hits(f"/cap/{LINKED[3]}")) == 1

        clock.advance(INTERVAL)
        [third] = _poll(session, clock, fetcher, capped)
        assert third.is_not_modified
        assert len(feed_server.requests) == 1 + 3 + 1 + 2 + 1
        assert _alerts(session) == 3
        assert {a.source for a in list_alerts(session)} == {
            feed_server.base + f"/cap/{n}" for n in (LINKED[0], LINKED[2], LINKED[3])
        }

    def test_atom_entry_of_a_stored_alert_is_not_fetched_from_another_link(
        self,
        session: Session,
        clock: FixedClock,
        fetcher: HttpAlertFeed,
        feed_server: FeedServer,
        cap_dir: Path,
    ) -> None:
        body = (cap_dir / FOG).read_bytes()
        read_url(
            session,
            feed_server.serve("/fog.xml", body),
            fetcher=fetcher,
            now=clock.now(),
            max_entries=5,
        )
        mirror = feed_server.serve("/mirror/fog.xml", body)
        other = feed_server.serve("/mirror/frost.xml", (cap_dir / LINKED[0]).read_bytes())
        # The fog alert again under another URL, named by its identifier and sent (+08:00).
        keys = {mirror: ("CWA-Weather_dense-fog_202404230050001", "2024-04-23T00:59:37+08:00")}
        index = atom_index(feed_server.base, [mirror, other], keys=keys)
        _add(session, clock, feed_server.serve("/index.atom", index, content_type=ATOM_TYPE))
        [polled] = _poll(session, clock, fetcher)
        assert (polled.is_success, polled.stored) == (True, 1)
        assert feed_server.hits("/mirror/fog.xml") == []
        assert len(feed_server.hits("/mirror/frost.xml")) == 1

    def test_real_alerts_collection_stores_every_alert(
        self,
        session: Session,
        clock: FixedClock,
        fetcher: HttpAlertFeed,
        feed_server: FeedServer,
        cap_dir: Path,
    ) -> None:
        url = feed_server.serve("/smhi.xml", (cap_dir / SMHI).read_bytes())
        _add(session, clock, url)
        [polled] = _poll(session, clock, fetcher)
        assert (polled.is_success, polled.stored) == (True, 17)
        assert _feed(session).last_refusals == []

    def test_bad_member_of_a_collection_is_recorded_and_stops_none_of_the_rest(
        self,
        session: Session,
        clock: FixedClock,
        fetcher: HttpAlertFeed,
        feed_server: FeedServer,
    ) -> None:
        def member(identifier: str) -> str:
            text = cap_message(identifier=identifier).decode()
            return text.split("?>", 1)[1]

        broken = member("B-2").replace("<event>cold wave</event>", "")
        body = f"<alerts>{member('A-1')}{broken}{member('C-3')}</alerts>".encode()
        url = feed_server.serve("/collection.xml", body)
        _add(session, clock, url)
        [polled] = _poll(session, clock, fetcher)
        assert (polled.is_success, polled.stored) == (True, 2)
        assert {a.identifier for a in list_alerts(session)} == {"A-1", "C-3"}
        [[_, reason]] = _feed(session).last_refusals
        assert reason.startswith("alert 2 of the <alerts> collection is not valid CAP 1.2")
        assert "event" in reason

    def test_unknown_geocode_system_is_stored_unmatched_and_named(
        self,
        session: Session,
        clock: FixedClock,
        fetcher: HttpAlertFeed,
        feed_server: FeedServer,
    ) -> None:
        area = (
            "<areaDesc>somewhere</areaDesc>"
            "<geocode><valueName>NO_SUCH_SYSTEM</valueName><value>42</value></geocode>"
        )
        url = feed_server.serve("/geo.xml", cap_message(area=area))
        _add(session, clock, url)
        [polled] = _poll(session, clock, fetcher)
        [file] = polled.files
        [alert] = file.alerts
        assert alert.skipped_geocode_systems == ["NO_SUCH_SYSTEM"]
        assert alert.region_codes == []


class TestBadAnswers:
    @pytest.mark.parametrize(
        ("body", "content_type", "reason"),
        [
            (HTML_PAGE, "text/html; charset=utf-8", "got an HTML page (Content-Type text/html)"),
            (HTML_PAGE, "application/xml", "got an HTML page"),
            (b"Service temporarily unavailable", "application/xml", "malformed XML at line 1"),
            (XML_BOMB, "application/cap+xml", "refused a DOCTYPE/entity declaration"),
            (EXTERNAL_ENTITY, "application/cap+xml", "refused a DOCTYPE/entity declaration"),
            (
                cap_message().replace(b"<identifier>TEST-1</identifier>", b""),
                "application/cap+xml",
                "not valid CAP 1.2",
            ),
        ],
        ids=["html", "html-as-xml", "not-xml", "xml-bomb", "external-entity", "no-identifier"],
    )
    def test_refused_answer_is_a_failure_with_its_reason_and_stores_nothing(
        self,
        session: Session,
        clock: FixedClock,
        fetcher: HttpAlertFeed,
        feed_server: FeedServer,
        body: bytes,
        content_type: str,
        reason: str,
    ) -> None:
        url = feed_server.serve("/bad", body, content_type=content_type)
        _add(session, clock, url)
        [polled] = _poll(session, clock, fetcher)
        assert not polled.is_success
        assert reason in (polled.error or "")
        feed = _feed(session)
        assert reason in (feed.last_error or "")
        assert feed.consecutive_failures == 1
        assert feed.etag is None
        assert to_read(feed, now=clock.now()).status == FeedStatus.failing
        assert _alerts(session) == 0
        assert _events(session) == []

    def test_500_waits_for_the_retry_interval_then_recovers(
        self,
        session: Session,
        clock: FixedClock,
        fetcher: HttpAlertFeed,
        feed_server: FeedServer,
        cap_dir: Path,
    ) -> None:
        url = feed_server.serve("/cwa.xml", b"oops", status=500, content_type="text/plain")
        _add(session, clock, url)
        [failed] = _poll(session, clock, fetcher)
        assert failed.error == "HTTP 500 Internal Server Error"
        assert _feed(session).next_poll_at == clock.now() + RETRY

        clock.advance(RETRY - timedelta(seconds=1))
        assert _poll(session, clock, fetcher) == []
        assert len(feed_server.hits("/cwa.xml")) == 1

        clock.advance(timedelta(seconds=1))
        [again] = _poll(session, clock, fetcher)
        assert not again.is_success
        assert _feed(session).consecutive_failures == 2

        feed_server.serve("/cwa.xml", (cap_dir / FOG).read_bytes())
        clock.advance(RETRY)
        [recovered] = _poll(session, clock, fetcher)
        assert (recovered.is_success, recovered.stored) == (True, 1)
        feed = _feed(session)
        assert (feed.consecutive_failures, feed.last_error) == (0, None)
        assert feed.next_poll_at == clock.now() + INTERVAL

    def test_answer_that_never_comes_is_a_timeout(
        self, session: Session, clock: FixedClock, feed_server: FeedServer
    ) -> None:
        url = feed_server.hang("/slow")
        _add(session, clock, url)
        with HttpAlertFeed(timeout_s=0.5, max_bytes=1000) as impatient:
            [polled] = _poll(session, clock, impatient)
        assert polled.error == "no answer within 0.5 s (timeout)"
        assert _feed(session).consecutive_failures == 1

    def test_answer_over_the_size_cap_is_refused(
        self, session: Session, clock: FixedClock, feed_server: FeedServer, cap_dir: Path
    ) -> None:
        url = feed_server.serve("/big.xml", (cap_dir / SMHI).read_bytes())
        _add(session, clock, url)
        with HttpAlertFeed(timeout_s=10, max_bytes=1000) as small:
            [polled] = _poll(session, clock, small)
        assert "response larger than 1000 bytes" in (polled.error or "")
        assert _alerts(session) == 0

    def test_read_url_once_stores_then_reports_duplicates(
        self,
        session: Session,
        clock: FixedClock,
        fetcher: HttpAlertFeed,
        feed_server: FeedServer,
        cap_dir: Path,
    ) -> None:
        url = feed_server.serve("/cwa.xml", (cap_dir / FOG).read_bytes())
        first = read_url(session, url, fetcher=fetcher, now=clock.now(), max_entries=5)
        again = read_url(session, url, fetcher=fetcher, now=clock.now(), max_entries=5)
        assert (first.stored, again.stored, again.duplicates) == (1, 0, 1)
        assert "If-None-Match" not in feed_server.hits("/cwa.xml")[1].headers


class TestStaleness:
    def test_stale_feed_keeps_the_level_and_every_read_says_so(
        self,
        session: Session,
        clock: FixedClock,
        fetcher: HttpAlertFeed,
        feed_server: FeedServer,
        cap_dir: Path,
    ) -> None:
        taiwan_tree(session)
        name, sent = CWA_CHAIN[0]
        clock.set(sent_at(sent))
        configure_region(session, FENGLIN, "taiwan_cwa", now=clock.now())
        configure_region(session, "1000512", "taiwan_cwa", now=clock.now())  # Miaoli
        url = feed_server.serve("/cwa.xml", (cap_dir / name).read_bytes())
        _add(session, clock, url, region_code="10015")  # Hualien
        ctx = _context(session, clock, fetcher)
        run_once(ctx)
        session.expire_all()
        assert current_level(session, FENGLIN, now=clock.now()).level == "III"

        feed_server.serve("/cwa.xml", b"down", status=503, content_type="text/plain")
        clock.advance(WINDOW)
        run_once(ctx)
        session.expire_all()
        [feed] = list_feeds(session, now=clock.now())
        assert (feed.status, feed.stale_since) == (FeedStatus.stale, clock.now())
        levels = {r.region_code: r for r in list_levels(session, now=clock.now())}
        # The yellow warning has not expired: the level stays, and says its source is stale.
        assert levels[FENGLIN].level == "III"
        assert [s.name for s in levels[FENGLIN].stale_sources] == ["cwa"]
        assert levels["1000512"].stale_sources == []
        recorded = {r.region_code: r.stale_sources for r in list_levels(session)}
        assert [s.name for s in recorded[FENGLIN]] == ["cwa"]  # as at the last reassessment
        [stale] = _events(session, "response.sources_stale")
        assert (stale.region_code, stale.payload["stale_sources"]) == (FENGLIN, ["cwa"])

        clock.advance(RETRY)
        run_once(ctx)  # still failing: no second event
        assert len(_events(session, "response.sources_stale")) == 1

        feed_server.serve("/cwa.xml", (cap_dir / name).read_bytes())
        clock.advance(RETRY)
        run_once(ctx)
        session.expire_all()
        assert current_level(session, FENGLIN, now=clock.now()).response is not None
        assert all(r.stale_sources == [] for r in list_levels(session, now=clock.now()))
        current = _events(session, "response.sources_stale")[-1]
        assert (current.payload["stale_sources"], current.payload["was"]) == ([], ["cwa"])


def _context(session: Session, clock: FixedClock, fetcher: HttpAlertFeed) -> JobContext:
    factory = sessionmaker(
        bind=session.get_bind(), join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    settings = Settings(database_url="sqlite://")
    return JobContext(
        factory=factory,
        clock=clock,
        settings=settings,
        tables=load_geocode_tables(),
        fetcher=fetcher,
        policy=load_policy(),
        travel=travel_from_settings(settings),
    )


class TestPollerEndToEnd:
    def test_served_alert_raises_the_level_and_the_served_cancel_ends_it(
        self,
        session: Session,
        clock: FixedClock,
        fetcher: HttpAlertFeed,
        feed_server: FeedServer,
        cap_dir: Path,
    ) -> None:
        taiwan_tree(session)
        clock.set(sent_at(CWA_CHAIN[0][1]))
        configure_region(session, FENGLIN, "taiwan_cwa", now=clock.now())
        url = feed_server.serve("/cwa.xml", b"", status=404, content_type="text/plain")
        _add(session, clock, url, region_code="TW")
        ctx = _context(session, clock, fetcher)
        levels = []
        for name, sent in CWA_CHAIN:
            clock.set(sent_at(sent))
            feed_server.serve("/cwa.xml", (cap_dir / name).read_bytes())
            summaries = dict(run_once(ctx))
            assert summaries["poll-feeds"].startswith("1 feeds polled, 1 alerts stored, 0 failed")
            session.expire_all()
            levels.append(current_level(session, FENGLIN, now=clock.now()).level)
        assert levels == ["III", "II", "II", "II"]
        assert list_alerts(session, active_at=clock.now()) == []  # the Cancel ended the chain

        # Twelve hours after the last warning the hold ends; the feed answers 304 and is fresh.
        clock.set(sent_at(CWA_CHAIN[2][1]) + timedelta(hours=12, minutes=1))
        run_once(ctx)
        session.expire_all()
        level = current_level(session, FENGLIN, now=clock.now())
        assert (level.level, level.response and level.response.stale_sources) == ("none", [])
        assert feed_server.hits("/cwa.xml")[-1].headers["If-None-Match"]
        history = [(a.from_level, a.to_level) for a in reversed(level.history)]
        assert history == [("none", "III"), ("III", "II"), ("II", "none")]
        assert [a.trigger_kind for a in reversed(level.history)] == ["warning", "warning", "none"]

    def test_running_the_jobs_twice_at_once_changes_nothing_more(
        self,
        session: Session,
        clock: FixedClock,
        fetcher: HttpAlertFeed,
        feed_server: FeedServer,
        cap_dir: Path,
    ) -> None:
        taiwan_tree(session)
        name, sent = CWA_CHAIN[0]
        clock.set(sent_at(sent))
        configure_region(session, FENGLIN, "taiwan_cwa", now=clock.now())
        _add(session, clock, feed_server.serve("/cwa.xml", (cap_dir / name).read_bytes()))
        ctx = _context(session, clock, fetcher)
        run_once(ctx)
        activations = session.scalar(select(func.count()).select_from(ResponseActivation))
        events = len(_events(session))
        again = dict(run_once(ctx))
        assert again["poll-feeds"].startswith("0 feeds polled")
        assert session.scalar(select(func.count()).select_from(ResponseActivation)) == activations
        assert len(_events(session)) == events
        assert len(feed_server.hits("/cwa.xml")) == 1


class TestSchedule:
    def test_jobs_go_on_the_scheduler_without_overlap(
        self, session: Session, clock: FixedClock, fetcher: HttpAlertFeed
    ) -> None:
        scheduler = BackgroundScheduler(timezone="UTC")
        schedule(scheduler, _context(session, clock, fetcher))
        jobs = {j.id: j for j in scheduler.get_jobs()}
        assert list(jobs) == [
            "poll-feeds",
            "reassess",
            "expire-holds",
            "dispatch-timers",
            "revisit-timers",
            "thank-reporters",
        ]
        for job in jobs.values():
            assert (job.max_instances, job.coalesce) == (1, True)
            assert isinstance(job.trigger, IntervalTrigger)
        assert jobs["reassess"].trigger.interval == timedelta(seconds=300)
        with pytest.raises(InvalidInputError, match="no job named nope"):
            schedule(scheduler, _context(session, clock, fetcher), ["nope"])
