"""Browser tests: a real server on a SQLite file and headless Chromium through Playwright.

Each xdist worker runs its own uvicorn server (in a thread, on a free port) against its
own migrated SQLite file: the browser talks to it over HTTP as a user would, so the test
transaction of the API tests cannot be used here. Records are seeded through the services.
Chromium is Debian's package (``scripts/ensure-chromium.sh``), never Playwright's download.
"""

from __future__ import annotations

import asyncio
import itertools
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from playwright.sync_api import Browser, BrowserContext, Page, Route, expect
from sqlalchemy.orm import Session, sessionmaker

from streetrelief.access.roles import Role
from streetrelief.api.app import create_app
from streetrelief.config import Settings
from streetrelief.core.clock import SystemClock
from streetrelief.db.engine import make_engine, make_session_factory, session_scope
from streetrelief.db.migrate import upgrade
from streetrelief.service_points.models import ServicePointKind
from streetrelief.service_points.schemas import ServicePointCreate
from streetrelief.service_points.service import create_service_point
from tests.factories.access import TEST_PASSWORD, make_user
from tests.factories.regions import beijing_tree
from tests.factories.teams import make_team

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PHONE = {"width": 390, "height": 844}
"""A phone-sized viewport, CSS pixels."""
DONGCHENG = (39.917, 116.416)
"""Centre of the district the tests report in (WGS-84)."""
TIMEOUT_MS = 15_000
"""Longest wait for something to show, milliseconds (events are polled every 0.2 s)."""
SPOT_STEP_DEG = 0.004
"""Distance between the tests' places, degrees of latitude (about 440 m, beyond the 200 m
merge radius of the default triage policy)."""


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Debian's Chromium, making no outbound calls of its own."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/ensure-chromium.sh")
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}


@dataclass(frozen=True)
class LiveServer:
    """The running server: its address and a session factory on its database."""

    url: str
    factory: sessionmaker[Session]
    server: uvicorn.Server
    loop: asyncio.AbstractEventLoop

    def drop_connections(self) -> None:
        """Close every open connection (event streams included), as a lost signal would."""

        def close_all() -> None:
            for connection in list(self.server.server_state.connections):
                connection.transport.close()

        self.loop.call_soon_threadsafe(close_all)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The API and pages on a migrated SQLite file with Beijing's regions, a dispatcher
    (``dispatcher-11``) and a relief station, served by uvicorn in a thread."""
    url = f"sqlite:///{tmp_path_factory.mktemp('web') / 'web.db'}"
    upgrade(url)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    now = SystemClock().now()
    with session_scope(factory) as session:
        beijing_tree(session)
        make_user(
            session, now=now, role=Role.dispatcher, region_code="11", username="dispatcher-11"
        )
        create_service_point(
            session,
            ServicePointCreate(
                code="DC-RS-1",
                name="东城区救助站",
                kind=ServicePointKind.relief_station,
                region_code="110101",
                lat=39.925,
                lon=116.42,
                capacity=40,
                occupancy=12,
            ),
            now=now,
        )
    app = create_app(Settings(database_url=url, event_poll_interval_s=0.2), clock=SystemClock())
    # A port the system picks, so that runs side by side on one machine never collide.
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    loop = asyncio.new_event_loop()
    thread = threading.Thread(
        target=loop.run_until_complete, args=(server.serve(sockets=[listener]),), daemon=True
    )
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail(f"the test server did not start on port {port}")
        time.sleep(0.05)
    yield LiveServer(url=f"http://127.0.0.1:{port}", factory=factory, server=server, loop=loop)
    server.should_exit = True
    thread.join(timeout=10)
    loop.close()
    engine.dispose()


_spots = itertools.count(1)


@dataclass(frozen=True)
class Crew:
    """A patrol team near a test's own place, and the account of one of its members."""

    team_id: int
    team_code: str
    username: str
    lat: float
    lon: float
    """The test's place: where the report is made, 100 m from the team."""


@pytest.fixture
def crew(live_server: LiveServer) -> Crew:
    """A new available team 100 m from a place of this test's own, and a patrol account."""
    n = next(_spots)
    lat = DONGCHENG[0] - 0.02 + n * SPOT_STEP_DEG
    lon = DONGCHENG[1]
    now = SystemClock().now()
    with session_scope(live_server.factory) as session:
        team = make_team(
            session, now=now, code=f"W{n}", lat=lat + 0.0009, lon=lon, region_code="110101"
        )
        make_user(
            session,
            now=now,
            role=Role.patrol,
            region_code="110101",
            username=f"patrol-w{n}",
            team_id=team.id,
        )
        return Crew(team_id=team.id, team_code=team.code, username=f"patrol-w{n}", lat=lat, lon=lon)


@pytest.fixture
def new_context(browser: Browser) -> Iterator[Any]:
    """Make browser contexts (each its own cookies and storage) closed after the test."""
    made: list[BrowserContext] = []

    def make(**options: Any) -> BrowserContext:
        context = browser.new_context(**options)
        made.append(context)
        return context

    yield make
    for context in made:
        context.close()


def sign_in(page: Page, base: str, username: str, next_path: str) -> None:
    """Sign in through the sign-in page and land on ``next_path``."""
    page.goto(f"{base}/sign-in?next={next_path}")
    page.locator("#username").fill(username)
    page.locator("#password").fill(TEST_PASSWORD)
    page.locator("#sign-in button[type=submit]").click()
    page.wait_for_url(f"{base}{next_path}*")


def shoot(page: Page, name: str) -> Path:
    """Save a screenshot of the whole page as a test artifact."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def eventually(check: Callable[[], bool]) -> None:
    """Wait until the server's database shows what ``check`` looks for."""
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while not check():
        assert time.monotonic() < deadline, "the server never got it"
        time.sleep(0.1)


def ready(page: Page) -> None:
    """Wait until the page's script has loaded its data."""
    expect(page.locator("body")).to_have_attribute("data-ready", "1", timeout=TIMEOUT_MS)


def synced(page: Page) -> None:
    """Wait until the field app has sent everything it kept."""
    expect(page.locator("#sync-state")).to_have_attribute("data-waiting", "0", timeout=TIMEOUT_MS)


def lose_first_answer(page: Page, path_pattern: str) -> list[str]:
    """Let the first request whose URL matches ``path_pattern`` reach the server but lose its
    answer (as a phone losing signal mid-request would); later requests pass. Returns the list
    that receives the lost request's ``Idempotency-Key``."""
    lost: list[str] = []

    def handle(route: Route) -> None:
        if lost:
            route.continue_()
            return
        route.fetch()
        lost.append(route.request.headers.get("idempotency-key", ""))
        route.abort("internetdisconnected")

    page.route(re.compile(path_pattern), handle)
    return lost
