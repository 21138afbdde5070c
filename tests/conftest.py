"""Test fixtures: the same suite runs on SQLite and on PostgreSQL.

The schema comes from running the Alembic migrations once per database per worker. Each test
runs inside an outer transaction that is rolled back, with the session joining it through
savepoints, so services may flush (and the API may commit) freely.

PostgreSQL is taken from ``STREETRELIEF_TEST_PG_URL`` (default: the local server on
127.0.0.1:5432 with trust auth); each xdist worker gets a database of its own.
``STREETRELIEF_TEST_DATABASES`` (comma list, default ``sqlite,postgresql``) picks the backends.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from streetrelief.api.app import create_app
from streetrelief.cli.main import app as cli_app
from streetrelief.config import Settings, get_settings
from streetrelief.core.clock import FixedClock
from streetrelief.db.engine import get_engine, make_engine, make_session_factory, session_scope
from streetrelief.db.migrate import upgrade
from tests.factories.access import bearer, make_user
from tests.factories.regions import beijing_tree

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
PG_URL = os.environ.get(
    "STREETRELIEF_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
# Personal fields are encrypted at rest; the suite runs with a key of its own.
os.environ.setdefault("STREETRELIEF_DATA_KEYS", "bSXtUwH2NVuLqVY1w9GnvjK0r3s5mC6Xo9kYz2rpu0Q=")

BACKENDS = [
    b.strip()
    for b in os.environ.get("STREETRELIEF_TEST_DATABASES", "sqlite,postgresql").split(",")
    if b.strip()
]


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


def _pg_admin(statement: str) -> None:
    admin = make_url(PG_URL)
    conninfo = (
        f"host={admin.host or '127.0.0.1'} port={admin.port or 5432} "
        f"user={admin.username or 'postgres'} dbname={admin.database or 'postgres'}"
    )
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(statement.encode())  # our own database names, not user input


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """URL of a migrated, empty database of the parametrised backend."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
        upgrade(url)
        yield url
        return
    # The process id keeps two test runs on one machine from dropping each other's database.
    name = f"streetrelief_test_{os.getpid()}_{_worker()}"
    _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _pg_admin(f'CREATE DATABASE "{name}"')
    url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    upgrade(url)
    yield url
    _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    """The engine of the test database."""
    eng = make_engine(database_url)
    yield eng
    eng.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session inside an outer transaction that is rolled back after the test."""
    conn = engine.connect()
    outer = conn.begin()
    sess = Session(bind=conn, join_transaction_mode="create_savepoint", expire_on_commit=False)
    try:
        yield sess
    finally:
        sess.close()
        outer.rollback()
        conn.close()


@pytest.fixture
def clock() -> FixedClock:
    """A clock standing at a cold night: 2026-01-20 22:00 in Beijing (14:00 UTC)."""
    return FixedClock(datetime(2026, 1, 20, 14, 0, tzinfo=UTC))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real public data beside the checkout."""
    if not SHARED_DATA.is_dir():
        pytest.fail(f"real data folder not found at {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture
def app(session: Session, clock: FixedClock) -> FastAPI:
    """The API on the test transaction, with the fixed clock."""
    factory = sessionmaker(
        bind=session.get_bind(), join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    return create_app(
        Settings(database_url="sqlite://", event_poll_interval_s=0.05, warm_up_on_start=False),
        clock=clock,
        session_factory=factory,
    )


@pytest.fixture
def client(app: FastAPI, session: Session, clock: FixedClock) -> Iterator[TestClient]:
    """An HTTP client for the test API, signed in as an administrator of every region; server
    errors come back as responses, not raised."""
    admin = make_user(session, now=clock.now(), username="test-admin")
    with TestClient(app, raise_server_exceptions=False) as c:
        c.headers.update(bearer(session, admin, now=clock.now()))
        yield c


@pytest.fixture
def anonymous(app: FastAPI) -> Iterator[TestClient]:
    """An HTTP client without credentials (the public)."""
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def cli_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A migrated SQLite file with the Beijing regions, configured for the CLI.

    The tests run in ``tmp_path`` and name files relative to it, as a user would, so that
    messages stay shorter than the console width.
    """
    monkeypatch.chdir(tmp_path)
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("STREETRELIEF_DATABASE_URL", url)
    get_settings.cache_clear()
    get_engine.cache_clear()
    upgraded = CliRunner().invoke(cli_app, ["db", "upgrade"])
    assert upgraded.exit_code == 0, upgraded.output
    with session_scope(make_session_factory(get_engine(url))) as session:
        beijing_tree(session)
    yield url
    get_engine(url).dispose()
    get_settings.cache_clear()
    get_engine.cache_clear()
