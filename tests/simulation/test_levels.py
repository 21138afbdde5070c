"""Response levels over a simulated night: incidents triaged under a level get its target
factor, and a rise shortens the targets of incidents no team has reached yet."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from streetrelief.cli.main import app
from streetrelief.dispatch.policy import DispatchPolicy
from streetrelief.dispatch.travel import StraightLineTravel
from streetrelief.incidents.models import Priority
from streetrelief.response.levels import ResponseLevel
from streetrelief.response.policy import load_preset
from streetrelief.simulation.build import build_night
from streetrelief.simulation.night import FieldModel, Night
from streetrelief.simulation.rules import OurRule
from streetrelief.simulation.scenario import load_scenario
from streetrelief.triage.policy import load_policy
from tests.factories.simulation import sim_incident
from tests.simulation.test_night import scenario_dict, team, write

III = load_preset("china").actions(ResponseLevel.III).response_target_factor
HERE, FAR = (34.05, -118.25), (34.20, -118.45)


def test_a_rise_shortens_the_target_of_an_incident_still_waiting_only() -> None:
    reached = sim_incident(0, 0, Priority.normal, HERE)
    waiting = sim_incident(1, 100, Priority.normal, FAR)
    night = Night(
        incidents=[reached, waiting],
        teams=[team(0, HERE)],
        points=[],
        travel=StraightLineTravel(detour_factor=1.4, vehicle_speed_kmh=30, walking_speed_kmh=4.5),
        field_model=FieldModel(turnout_s=60, on_scene_s=1200, handover_s=0),
        rule=OurRule(DispatchPolicy()),
        horizon_s=4 * 3600,
        wall_time_limit_s=60,
        level_factors=[(0.0, 1.0), (600.0, 0.5)],
    )
    night.run()
    assert reached.arrived_s is not None
    assert reached.arrived_s < 600
    assert reached.target_s == 720
    assert waiting.arrived_s is not None
    assert waiting.arrived_s > 600
    assert waiting.target_s == 360


def test_incidents_are_triaged_under_the_level_of_their_report(
    tmp_path: Path, shared_data: Path
) -> None:
    levels = {"preset": "china", "changes": [{"at": "20:00", "level": "III"}]}
    path = write(tmp_path, scenario_dict(levels=levels))
    inputs = build_night(load_scenario(path), path, load_policy(), shared_data)
    assert inputs.level_factors == [(0.0, 1.0), (7200.0, III)]
    before = [i for i in inputs.incidents if i.reported_s < 7200]
    after = [i for i in inputs.incidents if i.reported_s >= 7200]
    assert before
    assert after
    assert all(i.target_s == i.base_target_s for i in before)
    assert all(i.target_s == round(i.base_target_s * III) for i in after)
    assert any(i.target_s < i.base_target_s for i in after)


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ([{"at": "22:00", "level": "III"}, {"at": "20:00", "level": "II"}], "follow each other"),
        ([{"at": "22:00", "level": "V"}], "levels.changes.0.level"),
        ([], "levels.changes"),
    ],
)
def test_a_bad_timeline_is_named(tmp_path: Path, changes: list[object], named: str) -> None:
    path = write(tmp_path, scenario_dict(levels={"changes": changes}))
    result = CliRunner().invoke(app, ["simulate", str(path)])
    assert result.exit_code == 1
    assert named in result.output
    assert "Traceback" not in result.output
