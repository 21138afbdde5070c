"""Replaying the real 5-day LA export through the services, checked against the raw file."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from streetrelief.dispatch.travel import StraightLineTravel
from streetrelief.simulation.field import FieldScript
from streetrelief.simulation.replay import Replay
from streetrelief.simulation.sources import ReadCounts, load_mapping, read_reports
from streetrelief.triage.policy import load_policy
from tests.factories.los_angeles import load_los_angeles, raw_encampment_requests

ALL_TYPES = "la_myla311_2017-12-27_to_31_all_types.csv.gz"


@pytest.mark.slow
class TestReplayLosAngeles:
    def test_statistics_follow_from_the_raw_file(self, session: Session, shared_data: Path) -> None:
        path = shared_data / "help_requests" / ALL_TYPES
        raw = raw_encampment_requests(path)
        counts = ReadCounts()
        reports = list(read_reports(path, load_mapping("myla311"), counts))
        assert counts.rows == 9999
        assert counts.kept == len(raw) == 256
        assert {r.source_id for r in reports} == {r.srnumber for r in raw}

        load_los_angeles(session, now=datetime(2017, 12, 27, tzinfo=UTC))
        factory = sessionmaker(
            bind=session.get_bind(),
            join_transaction_mode="create_savepoint",
            expire_on_commit=False,
        )
        script = FieldScript()
        travel = StraightLineTravel(detour_factor=1.4, vehicle_speed_kmh=30, walking_speed_kmh=4.5)
        outcome = Replay(factory, reports, policy=load_policy(), travel=travel, script=script).run(
            stats_region="US-0644000"
        )
        stats = outcome.statistics
        assert stats is not None

        assert outcome.rejected == []
        assert outcome.reports == 256
        assert stats.reports == 256
        assert stats.incidents == outcome.incidents == 256 - outcome.merged
        assert outcome.merged > 0
        # Every incident was reached by one two-person vehicle team, met one person and gave
        # the encampment measures' supplies (a hot meal and a quilt).
        assert stats.dispatches == stats.vehicle_dispatches == stats.incidents
        assert stats.patrol_person_times == 2 * stats.dispatches
        assert stats.person_times_assisted == stats.encounters == stats.incidents
        assert stats.items_distributed == 2 * stats.incidents
        assert stats.arrivals == stats.incidents
        # Only the request forwarded by a council office counts as found by a partner.
        partner = sum(r.source == "Council's Office" for r in raw)
        assert stats.incidents_found_actively == partner == 1
        # Nobody arrives before the dispatcher and the team have done their part.
        floor_s = script.dispatcher_confirm_s + script.turnout_s
        assert stats.response_time_p50_s is not None
        assert stats.response_time_p99_s is not None
        assert floor_s < stats.response_time_p50_s <= stats.response_time_p99_s
        # The replay covers the file's span, in simulated time.
        assert outcome.start == raw[0].created
        assert outcome.end > raw[-1].created + timedelta(seconds=script.on_scene_s)
