"""The playbook as policy data: shipped presets carry one, and bad ones fail with clear errors."""

from __future__ import annotations

import pytest
import yaml

from streetrelief.core.errors import PolicyError
from streetrelief.duty.models import DutyRole
from streetrelief.response.levels import ResponseLevel
from streetrelief.response.policy import PRESETS, load_preset, parse_policy
from streetrelief.service_points.models import ServicePointKind

BASE = {
    "version": "t.1",
    "name": "test",
    "region": "CN",
    "sources": {"s": {"title": "test source"}},
    "hold": {"duration_s": 0, "source": "s"},
    "condition_rules": [
        {
            "id": "cold",
            "description": "cold",
            "level": "III",
            "temperature_at_most_c": 0,
            "source": "s",
        }
    ],
}
LEVEL = {"patrol_multiplier": 2, "notify": ["leader_in_charge"], "source": "s"}


def _policy_with(playbook: object) -> str:
    return yaml.safe_dump({**BASE, "playbook": playbook}, allow_unicode=True)


class TestPresets:
    @pytest.mark.parametrize("preset", PRESETS)
    def test_every_preset_has_a_playbook_that_grows_with_the_level(self, preset: str) -> None:
        policy = load_preset(preset)
        assert policy.playbook is not None
        multipliers = [policy.actions(level).patrol_multiplier for level in ResponseLevel]
        assert multipliers == sorted(multipliers)
        assert multipliers[0] == 1.0
        assert DutyRole.leader_in_charge in policy.actions(ResponseLevel.IV).notify

    def test_china_level_ii_actions(self) -> None:
        actions = load_preset("china").actions(ResponseLevel.II)
        assert actions.patrol_multiplier == 3
        assert actions.open_standby_points == {
            ServicePointKind.warming_shelter,
            ServicePointKind.relief_point,
        }
        assert actions.stock_targets[ServicePointKind.relief_station]["quilts"] == 120
        assert actions.refusal_revisit_interval_s == 4 * 3600
        assert actions.admission.relaxed == (
            "admit_intoxicated",
            "admit_without_id",
            "admit_with_pets",
        )

    def test_true_opens_every_kind(self) -> None:
        actions = load_preset("china").actions(ResponseLevel.I)
        assert actions.open_standby_points == set(ServicePointKind)


class TestValidation:
    def test_valid_playbook_loads(self) -> None:
        levels = dict.fromkeys(("IV", "III", "II", "I"), LEVEL)
        policy = parse_policy(_policy_with(levels))
        assert policy.actions(ResponseLevel.III).patrol_multiplier == 2

    @pytest.mark.parametrize(
        ("change", "message"),
        [
            ({"I": {**LEVEL, "patrol_multiplier": 0.5}}, r"playbook.I.patrol_multiplier"),
            ({"II": {**LEVEL, "notify": ["mayor"]}}, r"playbook.II.notify.0"),
            ({"IV": {**LEVEL, "admission": {"admit_dogs": True}}}, r"admission.admit_dogs"),
            ({"III": {**LEVEL, "stock_targets": {"depot": {"quilts": 1}}}}, r"stock_targets.depot"),
            ({"III": {**LEVEL, "stock_targets": {"relief_station": {"Quilts": 1}}}}, "Quilts"),
            ({"III": {**LEVEL, "refusal_revisit_interval_s": 60}}, "refusal_revisit_interval_s"),
            ({"IV": {**LEVEL, "source": "nowhere"}}, r"playbook.IV.source: 'nowhere'"),
            ({"IV": {**LEVEL, "patrol_multiplier": 3}}, "III.patrol_multiplier is below IV's"),
            (
                {"IV": {**LEVEL, "open_standby_points": ["warming_shelter"]}},
                "III.open_standby_points must include IV's",
            ),
        ],
    )
    def test_bad_playbook_names_the_field(self, change: dict[str, object], message: str) -> None:
        levels: dict[str, object] = dict.fromkeys(("IV", "III", "II", "I"), LEVEL)
        levels.update(change)
        with pytest.raises(PolicyError, match=message):
            parse_policy(_policy_with(levels))

    def test_missing_level_refused(self) -> None:
        with pytest.raises(PolicyError, match=r"playbook.II: Field required"):
            parse_policy(_policy_with({"IV": LEVEL, "III": LEVEL, "I": LEVEL}))
