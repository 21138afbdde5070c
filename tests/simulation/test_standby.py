"""Standby positions by expected coverage: the greedy MEXCLP step on hand cases, a team on its
way to a site taking a job, and seeded nights that repeat and never beat the bound."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from streetrelief.dispatch.policy import DispatchPolicy
from streetrelief.dispatch.travel import StraightLineTravel
from streetrelief.incidents.models import Priority
from streetrelief.simulation.build import build_night
from streetrelief.simulation.compare import compare
from streetrelief.simulation.night import FieldModel, Night, SimIncident
from streetrelief.simulation.rules import OurRule
from streetrelief.simulation.scenario import load_scenario
from streetrelief.simulation.standby import pick_site, standby_plan
from streetrelief.teams.models import TravelMode
from streetrelief.triage.policy import load_policy
from tests.factories.simulation import sim_incident
from tests.simulation.test_night import scenario_dict, team, write

TRAVEL = StraightLineTravel(detour_factor=1.4, vehicle_speed_kmh=30, walking_speed_kmh=4.5)


class TestGreedyStep:
    # Row 0: where the team is (covers nothing); row 1 covers the heavy node, which another
    # team covers already; row 2 covers the lighter node nobody covers.
    COVERS = np.array([[False, False], [True, False], [False, True]])
    WEIGHTS = np.array([5.0, 3.0])
    COUNTS = np.array([1.0, 0.0])

    def test_the_site_covering_the_most_uncovered_demand_wins(self) -> None:
        # Maximal covering (q = 0): the covered node adds nothing.
        assert pick_site(self.COVERS, self.WEIGHTS, self.COUNTS, 0.0) == 2
        # Expected covering, q = 0.5: 5 * 0.5 * 0.5 = 1.25 against 3 * 1 * 0.5 = 1.5.
        assert pick_site(self.COVERS, self.WEIGHTS, self.COUNTS, 0.5) == 2

    def test_a_second_team_on_heavy_demand_wins_when_teams_are_often_busy(self) -> None:
        # q = 0.8: 5 * 0.8 * 0.2 = 0.8 against 3 * 1 * 0.2 = 0.6.
        assert pick_site(self.COVERS, self.WEIGHTS, self.COUNTS, 0.8) == 1

    def test_a_team_already_near_a_good_site_stays(self) -> None:
        covers = np.array([[False, True], [False, True], [True, True]])
        # Staying gains 3, the best site 3 + 0 (its heavy node is covered and q = 0).
        assert pick_site(covers, self.WEIGHTS, self.COUNTS, 0.0) == 0
        # With nothing to gain anywhere the team stays too.
        assert pick_site(np.zeros((3, 2), dtype=bool), self.WEIGHTS, self.COUNTS, 0.0) == 0


class TestStandbyInTheNight:
    BASE = (34.05, -118.25)
    # 2 km north: 5.6 min at 30 km/h with the 1.4 detour; beyond the 4-minute budget below of
    # the base, within the move limit.
    DEMAND = (34.068, -118.25)
    FAR = (34.2, -118.25)  # 16.7 km north: beyond the move limit

    def night(self, incidents: list[SimIncident]) -> Night:
        plan = standby_plan(
            history=[self.DEMAND] * 5 + [self.FAR],
            sites=[self.BASE],
            modes={TravelMode.vehicle},
            travel=TRAVEL,
            target_s=300,
            lead_s=60,
            seed=1,
        )
        night = Night(
            incidents=incidents,
            teams=[team(0, self.BASE)],
            points=[],
            travel=TRAVEL,
            field_model=FieldModel(turnout_s=60, on_scene_s=1200, handover_s=0),
            rule=OurRule(DispatchPolicy(idle_teams_cover=True), plan),
            horizon_s=6 * 3600,
            wall_time_limit_s=60,
            level_factors=[(0.0, 1.0)],
        )
        night.run()
        return night

    def test_an_idle_team_moves_to_the_site_that_covers_demand(self) -> None:
        night = self.night([])
        assert night.teams[0].pos == self.DEMAND
        assert night.teams[0].is_idle

    def test_a_team_on_its_way_takes_a_job_on_arrival(self) -> None:
        call = sim_incident(0, 60, Priority.critical, self.BASE)
        self.night([call])
        trip_s = TRAVEL.travel(self.BASE, self.DEMAND, TravelMode.vehicle).travel_time_s
        assert call.dispatched_s == 60
        assert call.arrived_s is not None
        # It finished the move, turned out and came back: two trips and the turnout.
        assert abs(call.arrived_s - (2 * trip_s + 60)) < 1e-6


def test_a_seeded_night_with_standby_repeats_and_never_beats_the_bound(
    tmp_path: Path, shared_data: Path
) -> None:
    path = write(tmp_path, scenario_dict())
    inputs = build_night(load_scenario(path), path, load_policy(), shared_data)
    rules = DispatchPolicy(idle_teams_cover=True)
    first, second = compare(inputs, rules), compare(inputs, rules)
    reached = 0
    for name, night in first.results.items():
        again = second.results[name].incidents
        assert [i.arrived_s for i in night.incidents] == [i.arrived_s for i in again]
        for incident in night.incidents:
            if incident.reach_s is not None:
                reached += 1
                assert incident.reach_s >= first.bound[incident.idx] - 1e-6
    assert reached > 0
