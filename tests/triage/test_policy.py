"""The shipped campaign policy, rule by rule, and policy validation."""

from __future__ import annotations

from datetime import time
from pathlib import Path

import pytest
import yaml

from streetrelief.core.errors import PolicyError
from streetrelief.incidents.models import Priority
from streetrelief.triage.policy import load_policy, triage

POLICY = load_policy()
NIGHT = time(23, 0)
DAY = time(12, 0)


@pytest.mark.parametrize(
    ("conditions", "at", "wind_chill", "priority", "deciding", "destination", "measures"),
    [
        (
            {"minor"},
            DAY,
            None,
            Priority.high,
            "minor_escort",
            "relief_station",
            {"police_escort", "transport"},
        ),
        (
            {"disabled"},
            DAY,
            None,
            Priority.high,
            "disabled_escort",
            "relief_station",
            {"police_escort", "transport"},
        ),
        (
            {"elderly"},
            DAY,
            None,
            Priority.high,
            "vulnerable_help_first",
            "relief_station",
            {"transport", "identify_later"},
        ),
        (
            {"confused"},
            NIGHT,
            None,
            Priority.high,
            "vulnerable_help_first",
            "relief_station",
            {"transport", "identify_later"},
        ),
        (
            {"injured"},
            DAY,
            None,
            Priority.critical,
            "medical_emergency",
            "hospital",
            {"medical_handoff", "transport"},
        ),
        (
            {"unresponsive", "minor"},
            DAY,
            None,
            Priority.critical,
            "medical_emergency",
            "hospital",
            {"medical_handoff", "transport", "police_escort"},
        ),
        (
            {"refuses_help"},
            DAY,
            None,
            Priority.normal,
            "refuses_station",
            "on_site",
            {"food_and_clothing", "hotline_card", "revisit"},
        ),
        # A minor cannot refuse: the escort rule decides and no revisit is planned.
        (
            {"refuses_help", "minor"},
            DAY,
            None,
            Priority.high,
            "minor_escort",
            "relief_station",
            {"police_escort", "transport"},
        ),
        (
            {"lying_down"},
            NIGHT,
            None,
            Priority.high,
            "lying_in_cold_at_night",
            "warming_shelter",
            {"food_and_clothing"},
        ),
        (
            {"lying_down"},
            DAY,
            None,
            Priority.normal,
            "default_outreach",
            "on_site",
            {"outreach", "food_and_clothing", "hotline_card"},
        ),
        (
            set(),
            DAY,
            -30.0,
            Priority.high,
            "severe_wind_chill",
            "warming_shelter",
            {"food_and_clothing", "transport"},
        ),
        (
            set(),
            DAY,
            -10.0,
            Priority.normal,
            "default_outreach",
            "on_site",
            {"outreach", "food_and_clothing", "hotline_card"},
        ),
        (
            {"encampment"},
            DAY,
            None,
            Priority.low,
            "encampment_outreach",
            "on_site",
            {"outreach", "food_and_clothing", "hotline_card"},
        ),
        (
            {"stranded_traveller"},
            DAY,
            None,
            Priority.normal,
            "stranded_traveller",
            "relief_station",
            {"transport"},
        ),
    ],
)
def test_campaign_rules(
    conditions: set[str],
    at: time,
    wind_chill: float | None,
    priority: Priority,
    deciding: str,
    destination: str,
    measures: set[str],
) -> None:
    decision = triage(POLICY, conditions, local_time=at, wind_chill_c=wind_chill)
    assert decision.priority == priority
    assert decision.rules[0] == deciding
    assert decision.destination == destination
    assert set(decision.measures) == measures
    assert decision.response_target_s == POLICY.response_targets_s[priority]
    assert decision.policy_version == POLICY.version


class TestNightWindow:
    @pytest.mark.parametrize(
        ("at", "is_night"),
        [
            (time(18, 0), True),
            (time(23, 59), True),
            (time(0, 0), True),
            (time(7, 59), True),
            (time(8, 0), False),
            (time(12, 0), False),
            (time(17, 59), False),
        ],
    )
    def test_window_wraps_past_midnight(self, at: time, is_night: bool) -> None:
        assert POLICY.night.contains(at) is is_night


class TestValidation:
    def test_unknown_condition_refused(self) -> None:
        with pytest.raises(PolicyError):
            triage(POLICY, {"sleepy"}, local_time=DAY)

    def _write(self, tmp_path: Path, change: dict[str, object]) -> Path:
        data = yaml.safe_load(
            (
                Path(__file__).resolve().parents[2]
                / "src"
                / "streetrelief"
                / "triage"
                / "default_policy.yaml"
            ).read_text(encoding="utf-8")
        )
        data.update(change)
        path = tmp_path / "policy.yaml"
        path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        return path

    def test_shipped_policy_round_trips(self, tmp_path: Path) -> None:
        assert load_policy(self._write(tmp_path, {})).version == POLICY.version

    @pytest.mark.parametrize(
        "change",
        [
            {"rules": [{"id": "x", "description": "d", "when_any": ["nope"], "priority": "high"}]},
            {"rules": [{"id": "x", "description": "d", "priority": "high"}]},
            {
                "rules": [
                    {
                        "id": "x",
                        "description": "d",
                        "when_any": ["minor"],
                        "priority": "high",
                        "measures": ["teleport"],
                    }
                ]
            },
            {"response_targets_s": {"critical": 60}},
            {"merge": {"radius_m": -5, "window_s": 60}},
            {"unexpected_key": 1},
        ],
    )
    def test_invalid_policy_refused_with_reason(
        self, tmp_path: Path, change: dict[str, object]
    ) -> None:
        with pytest.raises(PolicyError, match="triage policy"):
            load_policy(self._write(tmp_path, change))

    def test_unreadable_policy_refused(self, tmp_path: Path) -> None:
        path = tmp_path / "bad.yaml"
        path.write_text("rules: [unclosed", encoding="utf-8")
        with pytest.raises(PolicyError):
            load_policy(path)
        with pytest.raises(PolicyError):
            load_policy(tmp_path / "missing.yaml")
