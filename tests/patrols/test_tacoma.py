"""Replay the real Tacoma encampment clean-up log as check-ins and compare the coverage.

The City of Tacoma's log (shared/data/help_requests, first 2,000 records of the ArcGIS layer)
records field-team visits to encampment sites. The busiest sites become hotspots (one per
4-decimal lon/lat cell, about 10 m); each visit is replayed through the check-in service at its
real position and time; the coverage of the busiest night is then computed a second time in
plain Python over the raw file and the two must agree.
"""

from __future__ import annotations

import gzip
import json
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.orm import Session

from streetrelief.core.clock import FixedClock
from streetrelief.dispatch.travel import StraightLineTravel
from streetrelief.patrols.logic import load_calendar
from streetrelief.patrols.schemas import CheckInCreate
from streetrelief.patrols.service.check_ins import check_in
from streetrelief.patrols.service.coverage import coverage_report
from streetrelief.regions.models import RegionLevel
from streetrelief.regions.schemas import RegionCreate
from streetrelief.regions.service import create_region
from streetrelief.stats.service import compute_statistics
from streetrelief.triage.policy import load_policy
from tests.factories.patrols import make_hotspot
from tests.factories.teams import make_team

TACOMA = ZoneInfo("America/Los_Angeles")
SITES = 12
INTERVAL = timedelta(days=7)

Site = tuple[float, float]


def _raw_visits(shared_data: Path) -> dict[Site, list[tuple[datetime, float, float]]]:
    """Visits by site cell, each (time, lat, lon), straight from the GeoJSON."""
    path = shared_data / "help_requests" / "tacoma_encampment_cleanup_tracking.geojson.gz"
    with gzip.open(path, "rt", encoding="utf-8") as f:
        features = json.load(f)["features"]
    visits: dict[Site, list[tuple[datetime, float, float]]] = defaultdict(list)
    for feature in features:
        lon, lat = feature["geometry"]["coordinates"]
        at = datetime.fromtimestamp(feature["properties"]["work_submitted_date"] / 1000, UTC)
        visits[(round(lat, 4), round(lon, 4))].append((at, lat, lon))
    return visits


def _independent(
    visits: dict[Site, list[tuple[datetime, float, float]]], night: date
) -> tuple[int, int, int]:
    """(sites visited, sites overdue, visits) in the night, by a direct reading of the rule:
    overdue when some stretch of the night, counted from the last earlier visit, went longer
    than the interval without a visit."""
    start = datetime.combine(night, time(12), TACOMA)
    end = start + timedelta(days=1)
    visited = overdue = count = 0
    for times in ([v[0] for v in vs] for vs in visits.values()):
        inside = sorted(t for t in times if start <= t < end)
        earlier = [t for t in times if t < start]
        count += len(inside)
        visited += bool(inside)
        previous = max(earlier) if earlier else start
        worst = timedelta(0)
        for t in [*inside, end]:
            worst = max(worst, t - previous)
            previous = t
        overdue += worst > INTERVAL
    return visited, overdue, count


@pytest.mark.slow
def test_replayed_visit_log_gives_the_independent_coverage(
    session: Session, clock: FixedClock, shared_data: Path
) -> None:
    raw = _raw_visits(shared_data)
    busiest = dict(sorted(raw.items(), key=lambda kv: (-len(kv[1]), kv[0]))[:SITES])
    times = [t for vs in busiest.values() for t, *_ in vs]
    nights = Counter((t.astimezone(TACOMA) - timedelta(hours=12)).date() for t in times)
    night = max(nights, key=lambda n: (nights[n], n))
    create_region(
        session,
        RegionCreate(
            code="5370000",
            name="Tacoma",
            level=RegionLevel.county,
            country_code="US",
            timezone="America/Los_Angeles",
            lat=47.25,
            lon=-122.44,
        ),
    )
    last = max(times)
    clock.set(last + timedelta(hours=1))
    team = make_team(
        session,
        now=clock.now(),
        code="TAC-1",
        region_code="5370000",
        lat=47.25,
        lon=-122.44,
        members=2,
    )
    hotspot_of = {
        site: make_hotspot(
            session,
            now=clock.now(),
            code=f"TAC-{i}",
            region_code="5370000",
            lat=site[0],
            lon=site[1],
            interval_s=int(INTERVAL.total_seconds()),
            radius_m=30,
        ).id
        for i, site in enumerate(busiest)
    }
    policy = load_policy(None)
    travel = StraightLineTravel(detour_factor=1.4, vehicle_speed_kmh=30, walking_speed_kmh=4.5)
    replay = sorted((t, lat, lon, site) for site, vs in busiest.items() for t, lat, lon in vs)
    for at, lat, lon, site in replay:
        check_in(
            session,
            hotspot_of[site],
            CheckInCreate(team_id=team.id, lat=lat, lon=lon, checked_in_at=at),
            clock=clock,
            policy=policy,
            travel=travel,
        )

    report = coverage_report(session, "5370000", night, calendar=load_calendar())
    [figures] = report.regions
    visited, overdue, count = _independent(busiest, night)
    assert (figures.hotspots, figures.visited, figures.overdue, figures.check_ins) == (
        SITES,
        visited,
        overdue,
        count,
    )
    assert count == nights[night] > 0
    stats = compute_statistics(session, "5370000", report.start, report.end, now=clock.now())
    assert stats.patrol_check_ins == count
    assert stats.patrol_person_times == 2  # one team of two, one night
