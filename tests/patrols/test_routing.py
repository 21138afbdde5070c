"""The route planner on small problems: windows kept, every left-out visit with its reason."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from streetrelief.dispatch.travel import StraightLineTravel
from streetrelief.patrols import routing
from streetrelief.patrols.routing import PlanningProblem, Stop, Vehicle, solve_plan
from streetrelief.teams.models import TravelMode

T0 = datetime(2026, 12, 20, 10, 0, tzinfo=UTC)
BASE = (39.917, 116.416)
TRAVEL = StraightLineTravel(detour_factor=1.4, vehicle_speed_kmh=30, walking_speed_kmh=4.5)
LIMIT_S = 0.5


def _stop(key: str, dlat: float, start_h: float, end_h: float, service_s: int = 600) -> Stop:
    return Stop(
        key,
        BASE[0] + dlat,
        BASE[1],
        T0 + timedelta(hours=start_h),
        T0 + timedelta(hours=end_h),
        service_s,
    )


def _team(key: str = "1", hours: float = 8, mode: TravelMode = TravelMode.vehicle) -> Vehicle:
    return Vehicle(key, BASE, T0, T0 + timedelta(hours=hours), mode)


class TestSolvePlan:
    def test_every_visit_fits_inside_its_window(self) -> None:
        stops = [_stop(str(i), 0.005 * i, i % 3, i % 3 + 3) for i in range(1, 10)]
        plan = solve_plan(
            PlanningProblem(stops, [_team("1"), _team("2")]), TRAVEL, time_limit_s=LIMIT_S
        )
        visits = {v.key: v for r in plan.routes for v in r.visits}
        assert sorted(visits) == sorted(s.key for s in stops)
        assert plan.unassigned == []
        assert plan.is_partial is False
        for s in stops:
            assert s.earliest_at <= visits[s.key].arrive_at <= s.latest_at
        for r in plan.routes:
            assert r.back_at is None or r.back_at <= T0 + timedelta(hours=8)
            arrivals = [v.arrive_at for v in r.visits]
            assert arrivals == sorted(arrivals)

    @pytest.mark.parametrize(
        ("stop", "reason"),
        [
            (_stop("x", 0.001, 3, 2), routing.IMPOSSIBLE_WINDOW),
            (_stop("x", 0.001, 9, 10), routing.OUTSIDE_SHIFT),
            (_stop("x", 0.9, 0, 1), routing.UNREACHABLE),  # 100 km away, one hour's window
        ],
    )
    def test_visits_no_team_can_make_say_why(self, stop: Stop, reason: str) -> None:
        plan = solve_plan(PlanningProblem([stop], [_team()]), TRAVEL, time_limit_s=LIMIT_S)
        assert plan.unassigned == [routing.Unassigned("x", reason)]
        assert reason in plan.message

    def test_a_full_shift_leaves_visits_out_for_lack_of_time(self) -> None:
        # Six one-hour visits in a two-hour shift: at most two fit.
        stops = [_stop(str(i), 0.0001 * i, 0, 1, service_s=3600) for i in range(6)]
        plan = solve_plan(PlanningProblem(stops, [_team(hours=2)]), TRAVEL, time_limit_s=LIMIT_S)
        fitted = sum(len(r.visits) for r in plan.routes)
        assert fitted >= 1
        assert len(plan.unassigned) == 6 - fitted
        assert {u.reason for u in plan.unassigned} == {routing.NO_TIME}

    def test_no_teams_gives_a_partial_plan_with_every_visit_listed(self) -> None:
        plan = solve_plan(
            PlanningProblem([_stop("a", 0.001, 0, 2)], []), TRAVEL, time_limit_s=LIMIT_S
        )
        assert plan.is_partial is True
        assert plan.unassigned == [routing.Unassigned("a", routing.NO_TEAMS)]

    def test_walking_teams_reach_less_than_vehicles(self) -> None:
        far = _stop("far", 0.05, 0, 0.5)  # about 7.8 km by road: 15 min by car, 1.7 h on foot
        walking = solve_plan(
            PlanningProblem([far], [_team(mode=TravelMode.walking)]), TRAVEL, time_limit_s=LIMIT_S
        )
        driving = solve_plan(PlanningProblem([far], [_team()]), TRAVEL, time_limit_s=LIMIT_S)
        assert [u.reason for u in walking.unassigned] == [routing.UNREACHABLE]
        assert driving.unassigned == []

    def test_a_time_limit_is_required(self) -> None:
        with pytest.raises(ValueError, match="time limit"):
            solve_plan(PlanningProblem([], [_team()]), TRAVEL, time_limit_s=0)
