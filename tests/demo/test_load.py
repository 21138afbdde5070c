"""The demo that `make run` loads: needs nothing outside the package, loads once."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from streetrelief.access.service import sign_in
from streetrelief.config import Settings
from streetrelief.core.clock import SystemClock
from streetrelief.db.engine import get_engine, make_session_factory, session_scope
from streetrelief.db.migrate import upgrade
from streetrelief.db.outbox import events_after
from streetrelief.demo.load import DEMO_ACCOUNTS, load_demo, reset_demo_accounts
from streetrelief.regions.boundaries import boundaries_feature_collection, region_by_boundary
from streetrelief.stats.service import compute_statistics
from streetrelief.teams.service import list_teams


def test_demo_loads_once_and_shows_the_whole_loop(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'demo.db'}")
    upgrade(settings.database_url)
    first = load_demo(settings)
    assert first.startswith(
        "demo loaded: 19 regions, 7 teams, 6 service points, 6 hotspots, 8 reports"
    )
    assert "not loaded" in load_demo(settings)

    now = SystemClock().now()
    factory = make_session_factory(get_engine(settings.database_url))
    with session_scope(factory, read_only=True) as session:
        stats = compute_statistics(session, "11", now.replace(year=now.year - 1), now, now=now)
        # One shift for all, ending at 08:00 or 18:00 Beijing time (00:00 or 10:00 UTC).
        (shift_end,) = {t.shift_ends_at for t in list_teams(session)}
        assert shift_end is not None
        assert now + timedelta(hours=1) < shift_end <= now + timedelta(hours=15)
        assert (shift_end.hour, shift_end.minute) in {(0, 0), (10, 0)}
        assert all(now - t.position_at < timedelta(minutes=5) for t in list_teams(session)), (
            "positions are fresh as the demo opens"
        )
    assert stats.incidents == 8
    assert stats.person_times_assisted == 1
    assert stats.items_distributed == 2
    assert stats.service_points_set_up == 6
    assert stats.arrivals == 1
    assert stats.response_time_p50_s is not None
    assert stats.response_time_p50_s < 30 * 60
    # The critical report was dispatched automatically: the capable team and, nearer, the
    # soonest one as first responder (ADR 6); plus the demo's confirmed dispatch.
    assert stats.dispatches == 3
    get_engine(settings.database_url).dispose()


def test_demo_draws_and_places_by_district_outlines(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'demo.db'}")
    upgrade(settings.database_url)
    load_demo(settings)
    factory = make_session_factory(get_engine(settings.database_url))
    with session_scope(factory, read_only=True) as session:
        outlines = boundaries_feature_collection(session, None, None)["features"]
        assert len(outlines) == 16
        assert {f["properties"]["level"] for f in outlines} == {"county"}
        # Stored in WGS-84: the Forbidden City and Beijing railway station, both in 东城区,
        # and the China World towers in 朝阳区.
        for lat, lon, name in [
            (39.9163, 116.3972, "东城区"),
            (39.9029, 116.4270, "东城区"),
            (39.9087, 116.4599, "朝阳区"),
        ]:
            region = region_by_boundary(session, lat, lon)
            assert region is not None
            assert region.name == name
    get_engine(settings.database_url).dispose()


def test_demo_events_follow_each_other_in_time(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'demo.db'}")
    upgrade(settings.database_url)
    load_demo(settings)
    factory = make_session_factory(get_engine(settings.database_url))
    with session_scope(factory, read_only=True) as session:
        times = [e.occurred_at for e in events_after(session, 0, limit=10_000)]
    assert len(times) > 20
    assert times == sorted(times)
    get_engine(settings.database_url).dispose()


def test_every_demo_account_signs_in_with_the_printed_password(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'demo.db'}")
    upgrade(settings.database_url)
    load_demo(settings)
    password, names = reset_demo_accounts(settings)
    assert names == [name for name, _, _ in DEMO_ACCOUNTS]
    again, _ = reset_demo_accounts(settings)
    assert again != password, "a new password each start"
    factory = make_session_factory(get_engine(settings.database_url))
    now = SystemClock().now()
    with session_scope(factory) as session:
        for name in names:
            assert sign_in(session, name, again, now=now, settings=settings).reason == "ok", name
            assert sign_in(session, name, password, now=now, settings=settings).user is None
    get_engine(settings.database_url).dispose()
