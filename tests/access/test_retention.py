"""Retention: the purge de-identifies exactly the persons not met within their region's
period, keeps statistics equal, is audited, and a dry run changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from streetrelief.access.principal import SYSTEM
from streetrelief.cli.main import app as cli_app
from streetrelief.core.clock import FixedClock
from streetrelief.db.engine import get_engine, make_session_factory, session_scope
from streetrelief.people.models import Encounter, Person
from streetrelief.privacy.service import purge, set_retention
from streetrelief.stats.service import compute_statistics
from tests.access.world import DONGCHENG, HAIDIAN, World, build_world


@pytest.fixture
def world(session: Session, client: TestClient, clock: FixedClock) -> World:
    """Persons met on 2026-01-20 in both districts; then one more 东城 encounter 400 days on."""
    return build_world(session, client, clock)


def _stats(session: Session, now: datetime) -> dict[str, object]:
    figures = compute_statistics(
        session, "11", datetime(2025, 1, 1, tzinfo=UTC), datetime(2028, 1, 1, tzinfo=UTC), now=now
    ).model_dump()
    return figures


def test_purge_removes_exactly_the_old_and_keeps_statistics(
    session: Session, world: World, clock: FixedClock
) -> None:
    set_retention(session, HAIDIAN, 30, by=SYSTEM, now=clock.now())  # 海淀 keeps 30 days
    recent = session.get(Person, world.districts[DONGCHENG].person_id)
    assert recent is not None
    later = clock.now() + timedelta(days=45)
    recent.last_met_at = later  # met again: still in use
    session.flush()
    now = later + timedelta(days=1)
    before = _stats(session, now)

    dry = purge(session, now=now, default_days=365, dry_run=True)
    old_id = world.districts[HAIDIAN].person_id
    assert [p[0] for p in dry.persons] == [old_id]
    assert session.get(Person, old_id).name is not None  # type: ignore[union-attr]

    done = purge(session, now=now, default_days=365, dry_run=False)
    assert [p[0] for p in done.persons] == [old_id]
    session.expire_all()
    gone = session.get(Person, old_id)
    assert gone is not None
    assert (gone.name, gone.id_number, gone.phone, gone.health_notes) == (None, None, None, None)
    assert gone.deidentified_at == now
    kept = session.get(Person, world.districts[DONGCHENG].person_id)
    assert kept is not None
    assert kept.name == "张三丰"
    child = session.get(Person, world.child_id)
    assert child is not None
    assert child.name is not None, "东城 keeps the default 365 days"
    [enc] = session.scalars(select(Encounter).where(Encounter.person_id == old_id)).all()
    assert enc.notes is None
    raw = session.execute(text("SELECT name FROM persons WHERE id = :i"), {"i": old_id}).scalar()
    assert raw is None
    assert _stats(session, now) == before
    assert purge(session, now=now, default_days=365, dry_run=False).persons == [], "runs twice"


def test_cli_dry_run_shows_what_would_go(cli_database: str, clock: FixedClock) -> None:
    factory = make_session_factory(get_engine(cli_database))
    old = datetime(2019, 1, 5, 14, tzinfo=UTC)  # beyond the default seven years
    with session_scope(factory) as session:
        for temp_id, met in (("T-OLD", old), ("T-NEW", datetime.now(UTC))):
            session.add(
                Person(
                    temp_id=temp_id,
                    region_code=DONGCHENG,
                    is_identified=True,
                    name=f"name of {temp_id}",
                    description="",
                    is_minor=False,
                    keep_local=False,
                    first_met_at=met,
                    last_met_at=met,
                )
            )
    r = CliRunner().invoke(cli_app, ["privacy", "purge", "--dry-run"])
    assert r.exit_code == 0, r.output
    assert "T-OLD" in r.output
    assert "T-NEW" not in r.output
    assert "1 persons" in r.output
    with session_scope(factory, read_only=True) as session:
        assert (
            session.scalars(select(Person.name).where(Person.temp_id == "T-OLD")).one() is not None
        )
    r = CliRunner().invoke(cli_app, ["privacy", "purge"])
    assert r.exit_code == 0, r.output
    with session_scope(factory, read_only=True) as session:
        names = dict(session.execute(select(Person.temp_id, Person.name)).all())
    assert names == {"T-OLD": None, "T-NEW": "name of T-NEW"}
    r = CliRunner().invoke(cli_app, ["audit", "search", "--action", "purge"])
    assert r.exit_code == 0, r.output
    assert "purge" in r.output
