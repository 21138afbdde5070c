"""Concurrent admissions to the last bed admit exactly one, with real threads and commits, on
SQLite and on PostgreSQL; concurrent issues cannot take the same stock twice."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from streetrelief.core.clock import FixedClock
from streetrelief.core.errors import InsufficientStockError, NoFreePlaceError
from streetrelief.db.engine import make_engine, make_session_factory, session_scope
from streetrelief.db.migrate import upgrade
from streetrelief.service_points.holds import admit, admit_hold, hold_place
from streetrelief.service_points.schemas import AdmitRequest, HoldCreate
from streetrelief.service_points.service import find_service_point_by_code
from streetrelief.supplies.models import MovementKind
from streetrelief.supplies.schemas import MovementCreate, StockCount
from streetrelief.supplies.service import list_stock, record_movement, set_stock
from tests.conftest import _pg_admin
from tests.factories.duty import make_point
from tests.factories.regions import beijing_tree

RACERS = 8


@pytest.fixture(scope="module")
def race_engine(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """A database of its own (the suite's rolls back every test; racers must commit)."""
    if database_url.startswith("sqlite"):
        url = f"sqlite:///{tmp_path_factory.mktemp('race') / 'race.db'}"
        upgrade(url)
        engine = make_engine(url)
        yield engine
        engine.dispose()
        return
    name = f"streetrelief_race_{os.getpid()}_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
    _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _pg_admin(f'CREATE DATABASE "{name}"')
    url = make_url(database_url).set(database=name).render_as_string(hide_password=False)
    upgrade(url)
    engine = make_engine(url)
    yield engine
    engine.dispose()
    _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def factory(race_engine: Engine) -> sessionmaker[Session]:
    made = make_session_factory(race_engine)
    with session_scope(made) as session:
        beijing_tree(session)
    return made


def _race(factory: sessionmaker[Session], act: Callable[[Session], object]) -> list[str]:
    """Run ``act`` in RACERS threads at once, each in its own committed unit of work."""
    start = threading.Barrier(RACERS)
    outcomes: list[str] = []

    def racer() -> None:
        start.wait()
        try:
            with session_scope(factory) as session:
                act(session)
            outcomes.append("won")
        except (NoFreePlaceError, InsufficientStockError) as exc:
            outcomes.append(type(exc).__name__)

    threads = [threading.Thread(target=racer) for _ in range(RACERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


def test_concurrent_admissions_to_the_last_bed_admit_one(
    factory: sessionmaker[Session], clock: FixedClock
) -> None:
    with session_scope(factory) as session:
        point_id = make_point(session, now=clock.now(), code="LAST", capacity=5, occupancy=4).id
    outcomes = _race(factory, lambda s: admit(s, point_id, AdmitRequest(), by="t", now=clock.now()))
    assert sorted(outcomes) == ["NoFreePlaceError"] * (RACERS - 1) + ["won"]
    with session_scope(factory, read_only=True) as session:
        point = find_service_point_by_code(session, "LAST")
        assert point is not None
        assert (point.occupancy, point.held) == (5, 0)


def test_concurrent_holds_on_the_last_bed_hold_one(
    factory: sessionmaker[Session], clock: FixedClock
) -> None:
    with session_scope(factory) as session:
        point_id = make_point(session, now=clock.now(), code="HOLD", capacity=3, occupancy=2).id
    holds: list[int] = []

    def hold(s: Session) -> None:
        holds.append(hold_place(s, point_id, HoldCreate(), by="t", now=clock.now()).id)

    outcomes = _race(factory, hold)
    assert outcomes.count("won") == 1
    with session_scope(factory) as session:
        admit_hold(session, holds[0], now=clock.now())
    with session_scope(factory, read_only=True) as session:
        point = find_service_point_by_code(session, "HOLD")
        assert point is not None
        assert (point.occupancy, point.held) == (3, 0)


def test_concurrent_issues_never_take_stock_below_zero(
    factory: sessionmaker[Session], clock: FixedClock
) -> None:
    with session_scope(factory) as session:
        make_point(session, now=clock.now(), code="STORE")
        set_stock(
            session,
            StockCount(service_point_code="STORE", item="coats", quantity=3),
            now=clock.now(),
        )
    issue = MovementCreate(kind=MovementKind.issue, item="coats", quantity=1, from_point="STORE")
    outcomes = _race(factory, lambda s: record_movement(s, issue, by="t", now=clock.now()))
    assert outcomes.count("won") == 3
    with session_scope(factory, read_only=True) as session:
        [row] = list_stock(session, service_point_code="STORE")
        assert row.quantity == 0
