"""Pure rules: event patterns, region scope, masking, backoff and the message text."""

from __future__ import annotations

import random
from collections.abc import Mapping

import pytest
from pydantic import ValidationError

from streetrelief.core.errors import InvalidInputError
from streetrelief.notify.logic import (
    EventView,
    check_event_pattern,
    event_region_codes,
    in_region_scope,
    is_excluded,
    mask_payload,
    matches_type,
    recipients_in,
    render,
    retry_delay_s,
)
from tests.factories.notify import notify_settings


@pytest.mark.parametrize(
    ("pattern", "event_type", "expected"),
    [
        ("response.level_changed", "response.level_changed", True),
        ("response.level_changed", "response.leader_notice", False),
        ("response.*", "response.leader_notice", True),
        ("response.*", "responses.x", False),
        ("response.*", "incident.opened", False),
        ("*", "incident.opened", True),
    ],
)
def test_matches_type(pattern: str, event_type: str, expected: bool) -> None:
    assert matches_type(pattern, event_type) is expected


@pytest.mark.parametrize("pattern", ["", "response.", "Response.*", "a..b", "*.x", "x y", "a" * 65])
def test_malformed_pattern_refused(pattern: str) -> None:
    with pytest.raises(InvalidInputError):
        check_event_pattern(pattern)


@pytest.mark.parametrize(
    ("root", "chains", "expected"),
    [
        (None, [], True),
        ("11", [["11", "1101", "110101"]], True),
        ("1101", [["11", "1101"]], True),
        ("110105", [["11", "1101", "110101"]], False),
        ("11", [], False),
        ("110105", [["71"], ["11", "1101", "110105"]], True),
    ],
)
def test_region_scope(root: str | None, chains: list[list[str]], expected: bool) -> None:
    assert in_region_scope(root, chains) is expected


def test_region_codes_from_column_and_payload() -> None:
    payload = {"region_codes": ["110101", "110105"], "region_code": "1101"}
    assert event_region_codes("110101", payload) == ["110101", "1101", "110105"]
    assert event_region_codes(None, {}) == []


def test_personal_events_excluded_and_keys_masked() -> None:
    assert is_excluded("encounter.recorded")
    assert not is_excluded("incident.opened")
    masked = mask_payload(
        {"status": "new", "reporter_contact": "139…", "nested": [{"person_temp_id": "T1", "k": 1}]}
    )
    assert masked == {"status": "new", "nested": [{"k": 1}]}
    place = {"status": "new", "lat": 39.9, "lon": 116.4}
    assert mask_payload(place, subject="incident") == {"status": "new"}
    assert mask_payload(place, subject="team") == place


def test_recipients_are_addresses_only() -> None:
    payload = {"recipients": ["a@x.cn", {"email": "b@x.cn", "name": "王"}, "张三", {"id": 3}]}
    assert recipients_in(payload) == ("a@x.cn", "b@x.cn")
    assert recipients_in({"recipients": "a@x.cn"}) == ()


@pytest.mark.parametrize("attempt", [1, 2, 3, 8, 20])
def test_backoff_doubles_with_jitter_and_cap(attempt: int) -> None:
    rng = random.Random(attempt)
    ceiling = min(600.0, 30.0 * 2 ** (attempt - 1))
    delays = [retry_delay_s(attempt, base_s=30, max_s=600, rng=rng) for _ in range(50)]
    assert all(ceiling / 2 <= d <= ceiling for d in delays)
    assert len(set(delays)) > 1


def _view(type_: str, payload: Mapping[str, object], code: str | None = "110101") -> EventView:
    return EventView(
        type=type_,
        occurred_at="2026-01-20T14:00:00+00:00",
        region_code=code,
        region_name="东城区" if code else None,
        payload=payload,
    )


class TestRender:
    def test_level_change_in_chinese_and_english(self) -> None:
        payload = {
            "from_level": "none",
            "to_level": "III",
            "trigger_kind": "condition",
            "rule": "ecwa_wind_chill",
            "warning": None,
            "reading_c": -19.6,
        }
        text = render(_view("response.level_changed", payload)).text
        zh, en = text.split("\n\n")
        assert zh.startswith("东城区（110101）应急响应调整为Ⅲ级（较大），黄色（原为无）")
        assert "天气实况：-19.6 °C, ecwa_wind_chill" in zh
        assert en.startswith("东城区 (110101): response level III (yellow), was none.")
        assert "Trigger: weather reading: -19.6 °C, ecwa_wind_chill" in en

    def test_warning_trigger_named(self) -> None:
        payload = {
            "from_level": "III",
            "to_level": "II",
            "trigger_kind": "warning",
            "warning": "寒潮橙色预警",
        }
        rendered = render(_view("response.level_changed", payload))
        assert "触发：预警：寒潮橙色预警" in rendered.text
        assert "level II (orange)" in rendered.title

    def test_unknown_type_falls_back(self) -> None:
        payload = {"level": "II", "recipients": ["a@x.cn"]}
        rendered = render(_view("response.leader_notice", payload))
        assert rendered.title == (
            "东城区（110101） 事件 response.leader_notice / 东城区 (110101): response.leader_notice"
        )
        assert "level II (orange)" in rendered.text

    def test_event_without_region(self) -> None:
        rendered = render(_view("alert.received", {"event": "寒潮"}, code=None))
        assert rendered.title.startswith("全域 事件 alert.received / all regions")

    def test_level_change_with_bad_levels_falls_back(self) -> None:
        rendered = render(_view("response.level_changed", {"to_level": "V"}))
        assert "事件 response.level_changed" in rendered.title


def test_lease_must_outlast_a_send() -> None:
    with pytest.raises(ValidationError, match="notify_lease_s must exceed"):
        notify_settings(notify_timeout_s=30.0, notify_lease_s=30.0)
