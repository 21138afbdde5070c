"""Two workers at once on PostgreSQL: a delivery one worker has claimed is skipped by the
other (``FOR UPDATE SKIP LOCKED``), and a leased one is not taken again until its lease ends.

This needs committed rows seen from two connections, so it runs on a database of its own.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from streetrelief.core.clock import FixedClock
from streetrelief.db.engine import make_engine, make_session_factory, session_scope
from streetrelief.db.migrate import upgrade
from streetrelief.db.outbox import emit
from streetrelief.notify.service import claim_due, fan_out
from tests.conftest import BACKENDS, PG_URL, _pg_admin
from tests.factories.notify import subscribe_to, webhook_channel
from tests.factories.regions import beijing_tree

LEASE = timedelta(minutes=2)


@pytest.fixture
def pg_factory() -> Iterator[sessionmaker[Session]]:
    if "postgresql" not in BACKENDS:
        pytest.skip("PostgreSQL is not among STREETRELIEF_TEST_DATABASES")
    name = f"streetrelief_notify_{os.getpid()}_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
    _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _pg_admin(f'CREATE DATABASE "{name}"')
    url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    upgrade(url)
    engine = make_engine(url)
    try:
        yield make_session_factory(engine)
    finally:
        engine.dispose()
        _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_two_workers_never_claim_the_same_delivery(
    pg_factory: sessionmaker[Session], clock: FixedClock
) -> None:
    with session_scope(pg_factory) as session:
        beijing_tree(session)
        webhook_channel(session, clock, "http://127.0.0.1:9/hook")
        subscribe_to(session, clock, "hq-webhook", "team.*")
        for _ in range(2):
            emit(
                session,
                type_="team.updated",
                subject="team",
                subject_id=1,
                at=clock.now(),
                region_code="110101",
                payload={},
            )
    with session_scope(pg_factory) as session:
        assert fan_out(session, now=clock.now()).deliveries_created == 2

    now = clock.now()
    first, second = pg_factory(), pg_factory()
    try:
        # The first worker's claim is not committed yet: its row stays locked.
        [a] = claim_due(first, now=now, limit=1, lease=LEASE)
        # Without SKIP LOCKED the second claim would wait for the first: fail, don't hang.
        second.execute(text("SET LOCAL lock_timeout = '5s'"))
        [b] = claim_due(second, now=now, limit=10, lease=LEASE)
        assert a.delivery_id != b.delivery_id
        first.commit()
        second.commit()
    finally:
        first.close()
        second.close()

    with session_scope(pg_factory) as session:
        assert claim_due(session, now=now, limit=10, lease=LEASE) == []
    with session_scope(pg_factory) as session:
        later = claim_due(session, now=now + LEASE, limit=10, lease=LEASE)
    # A worker that died mid-send leaves its deliveries to the next one after the lease.
    assert sorted(c.delivery_id for c in later) == sorted([a.delivery_id, b.delivery_id])
    assert {c.attempt for c in later} == {1}
