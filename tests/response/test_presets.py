"""The shipped presets: each loads, cites its sources, and decides as its agency does.

The Beijing replays check ``replay_nights`` under the Toronto preset and under the China preset
with Beijing's local rules against a computation made here from the raw CSV, with the csv
module and a copy of the wind-chill formula.
"""

from __future__ import annotations

import csv
import gzip
import math
from collections import Counter
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from streetrelief.response.decision import ActiveWarning, Conditions
from streetrelief.response.levels import Colour, ResponseLevel
from streetrelief.response.policy import (
    PRESETS,
    ConditionRule,
    ResponsePolicy,
    WarningRule,
    evaluate,
    load_preset,
)
from streetrelief.response.replay import replay_nights
from streetrelief.weather.observations import nightly_minimums, read_observations

AT = datetime(2026, 1, 20, 14, 0, tzinfo=UTC)
DONGSI = "weather/beijing_multisite_PRSA_Dongsi_hourly_2013-2017.csv.gz"
BEIJING = ZoneInfo("Asia/Shanghai")


def level_for(
    policy: ResponsePolicy,
    temperature_c: float,
    wind_chill_c: float | None = None,
    local: time = time(0, 0),
    warnings: tuple[ActiveWarning, ...] = (),
) -> ResponseLevel:
    conditions = Conditions(temperature_c, wind_chill_c, local)
    return evaluate(
        policy, at=AT, active_warnings=warnings, observation_or_forecast=conditions
    ).level


def signal(event: str, colour: str) -> ActiveWarning:
    return ActiveWarning(
        identifier=f"{event}-{colour}",
        event_code=event,
        event_name=event,
        colour=Colour.parse(colour),
        onset=AT - timedelta(hours=1),
        expires=AT + timedelta(hours=12),
    )


class TestEveryPreset:
    @pytest.mark.parametrize("name", PRESETS)
    def test_preset_loads_and_cites_every_source(self, name: str) -> None:
        policy = load_preset(name)
        assert policy.version
        rules: list[WarningRule | ConditionRule] = [*policy.warning_rules, *policy.condition_rules]
        assert rules or policy.provinces
        assert {r.source for r in rules} | {policy.hold.source} <= set(policy.sources)


class TestChina:
    @pytest.mark.parametrize(
        ("event", "colour", "level"),
        [
            ("寒潮", "blue", ResponseLevel.IV),
            ("寒潮", "yellow", ResponseLevel.III),
            ("寒潮", "orange", ResponseLevel.II),
            ("寒潮", "red", ResponseLevel.I),
            ("低温", "yellow", ResponseLevel.III),
            ("暴雪", "blue", ResponseLevel.IV),
            ("暴雪", "red", ResponseLevel.I),
            ("道路结冰", "yellow", ResponseLevel.III),
            ("道路结冰", "red", ResponseLevel.I),
            ("道路结冰", "blue", ResponseLevel.none),  # road icing has no blue signal
            ("大雾", "red", ResponseLevel.none),  # not a cold hazard
        ],
    )
    def test_signal_colour_sets_level(self, event: str, colour: str, level: ResponseLevel) -> None:
        assert level_for(load_preset("china"), 20.0, warnings=(signal(event, colour),)) == level

    def test_highest_signal_wins(self) -> None:
        both = (signal("寒潮", "blue"), signal("道路结冰", "orange"))
        assert level_for(load_preset("china"), 0.0, warnings=both) == ResponseLevel.II

    @pytest.mark.parametrize(
        ("province", "temperature_c", "level"),
        [
            (None, -30.0, ResponseLevel.none),  # default: signals only
            ("650000", -30.0, ResponseLevel.none),  # not listed: the default
            ("110000", -30.0, ResponseLevel.none),  # Beijing: one cold reading is not a spell
            ("810000", 12.0, ResponseLevel.IV),
            ("810000", 12.1, ResponseLevel.none),
        ],
    )
    def test_local_thresholds_per_province(
        self, province: str | None, temperature_c: float, level: ResponseLevel
    ) -> None:
        policy = load_preset("china", province=province)
        assert level_for(policy, temperature_c) == level

    @pytest.mark.parametrize(
        ("earlier", "temperature_c", "level"),
        [
            ((-10.1, -10.1), -10.1, ResponseLevel.IV),
            ((-10.0, -11.0), -11.0, ResponseLevel.none),  # "below -10 °C": -10.0 is not
            ((-11.0,), -11.0, ResponseLevel.none),  # two days are not three
            ((-5.0, -12.5, -12.5), -12.5, ResponseLevel.III),  # only the last three days count
            ((-20.0, -12.1), -13.0, ResponseLevel.III),
            ((-12.0, -15.0), -15.0, ResponseLevel.IV),  # yellow needs all three below -12 °C
        ],
    )
    def test_beijing_persistent_low_temperature(
        self, earlier: tuple[float, ...], temperature_c: float, level: ResponseLevel
    ) -> None:
        policy = load_preset("china", province="110000")
        conditions = Conditions(temperature_c, None, time(0), earlier_min_temperatures_c=earlier)
        decision = evaluate(policy, at=AT, observation_or_forecast=conditions)
        assert decision.level == level

    def test_beijing_persistent_low_temperature_signal(self) -> None:
        warning = signal("持续低温", "yellow")
        assert level_for(load_preset("china"), 0.0, warnings=(warning,)) == ResponseLevel.III


class TestNycCodeBlue:
    @pytest.mark.parametrize(
        ("temperature_c", "wind_chill_c", "local", "level"),
        [
            (1.0, None, time(22), ResponseLevel.none),
            (0.0, None, time(22), ResponseLevel.III),
            (3.0, -1.0, time(16), ResponseLevel.III),  # wind chill counts
            (-3.0, None, time(7, 59), ResponseLevel.III),
            (-3.0, None, time(8), ResponseLevel.none),  # Code Blue runs 4 PM to 8 AM
            (-3.0, None, time(15, 59), ResponseLevel.none),
            (-10.0, -20.6, time(12), ResponseLevel.II),  # enhanced, any hour
            (-10.0, -20.5, time(23), ResponseLevel.III),
        ],
    )
    def test_code_blue_table(
        self, temperature_c: float, wind_chill_c: float | None, local: time, level: ResponseLevel
    ) -> None:
        policy = load_preset("nyc_code_blue")
        assert level_for(policy, temperature_c, wind_chill_c, local) == level


class TestToronto:
    @pytest.mark.parametrize(
        ("temperature_c", "wind_chill_c", "level"),
        [
            (-4.9, -12.0, ResponseLevel.none),
            (-5.0, None, ResponseLevel.IV),
            (-14.9, -19.9, ResponseLevel.IV),
            (-15.0, None, ResponseLevel.III),
            (-9.0, -20.0, ResponseLevel.III),
            (2.0, None, ResponseLevel.none),
        ],
    )
    def test_toronto_table(
        self, temperature_c: float, wind_chill_c: float | None, level: ResponseLevel
    ) -> None:
        assert level_for(load_preset("toronto"), temperature_c, wind_chill_c) == level


class TestUkSwep:
    @pytest.mark.parametrize(
        ("temperature_c", "wind_chill_c", "warning", "level"),
        [
            (0.1, None, None, ResponseLevel.none),
            (0.0, None, None, ResponseLevel.III),
            (4.0, -0.5, None, ResponseLevel.III),  # feels-like counts
            (5.0, None, ("snow", "yellow"), ResponseLevel.none),
            (5.0, None, ("snow", "amber"), ResponseLevel.III),
            (5.0, None, ("ice", "red"), ResponseLevel.II),
        ],
    )
    def test_swep_table(
        self,
        temperature_c: float,
        wind_chill_c: float | None,
        warning: tuple[str, str] | None,
        level: ResponseLevel,
    ) -> None:
        warnings = (signal(*warning),) if warning else ()
        assert (
            level_for(load_preset("uk_swep"), temperature_c, wind_chill_c, warnings=warnings)
            == level
        )


class TestMeteoAlarm:
    @pytest.mark.parametrize(
        ("event", "colour", "level"),
        [
            ("6; low-temperature", "yellow", ResponseLevel.III),
            ("low-temperature", "orange", ResponseLevel.II),
            ("2; snow-ice", "red", ResponseLevel.I),
            ("3; thunderstorm", "red", ResponseLevel.none),
        ],
    )
    def test_awareness_level_sets_level(
        self, event: str, colour: str, level: ResponseLevel
    ) -> None:
        assert (
            level_for(load_preset("meteoalarm"), 20.0, warnings=(signal(event, colour),)) == level
        )


# --- the Beijing replay ------------------------------------------------------------------------


def _wind_chill_copy(t: float, v_kmh: float) -> float:
    """Independent copy of the 2001 JAG/TI index; the air where undefined, never above it."""
    if t > 10 or v_kmh <= 4.8:
        return t
    return min(
        t, 13.12 + 0.6215 * t - 11.37 * math.pow(v_kmh, 0.16) + 0.3965 * t * math.pow(v_kmh, 0.16)
    )


def _raw_nights(path: Path) -> dict[date, tuple[float, float]]:
    """Per night (18:00 to 08:00 Beijing time, named by its evening): min air, min feels-like."""
    nights: dict[date, tuple[float, float]] = {}
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["TEMP"] == "NA" or row["WSPM"] == "NA":
                continue
            hour = int(row["hour"])
            day = date(int(row["year"]), int(row["month"]), int(row["day"]))
            if hour >= 18:
                night = day
            elif hour < 8:
                night = day - timedelta(days=1)
            else:
                continue
            t = float(row["TEMP"])
            felt = _wind_chill_copy(t, float(row["WSPM"]) * 3.6)
            low, low_felt = nights.get(night, (math.inf, math.inf))
            nights[night] = (min(low, t), min(low_felt, felt))
    return nights


def _toronto_by_hand(raw: dict[date, tuple[float, float]], night: date) -> ResponseLevel:
    low, low_felt = raw[night]
    if low <= -15 or low_felt <= -20:
        return ResponseLevel.III
    if low <= -5:
        return ResponseLevel.IV
    return ResponseLevel.none


def _beijing_by_hand(raw: dict[date, tuple[float, float]], night: date) -> ResponseLevel:
    """Beijing's 持续低温 criteria: the night and the two before it all below -12 / -10 °C."""
    spell = [night - timedelta(days=back) for back in range(3)]
    if not all(day in raw for day in spell):
        return ResponseLevel.none
    warmest = max(raw[day][0] for day in spell)
    if warmest < -12:
        return ResponseLevel.III
    if warmest < -10:
        return ResponseLevel.IV
    return ResponseLevel.none


def _is_winter(night: date) -> bool:
    return night.month in {11, 12, 1, 2, 3}


def _replayed(shared_data: Path, policy: ResponsePolicy) -> dict[date, ResponseLevel]:
    nights = nightly_minimums(read_observations(shared_data / DONGSI), zone=BEIJING)
    return {
        n.night_on: n.level
        for n in replay_nights(policy, nights, zone=BEIJING)
        if _is_winter(n.night_on)
    }


def _by_hand(
    shared_data: Path,
    policy: ResponsePolicy,
    calls: Callable[[dict[date, tuple[float, float]], date], ResponseLevel],
) -> dict[date, ResponseLevel]:
    raw = _raw_nights(shared_data / DONGSI)
    called = {night: calls(raw, night) for night in raw}
    hold_days = policy.hold.duration_s / 86400
    # A night keeps the highest level called within the hold (nights are 24 h apart).
    held = {
        night: max(
            level
            for other, level in called.items()
            if (night - other).days >= 0 and (night - other).days < hold_days
        )
        for night in called
    }
    return {night: level for night, level in held.items() if _is_winter(night)}


@pytest.fixture(scope="module")
def replayed(shared_data: Path) -> dict[date, ResponseLevel]:
    return _replayed(shared_data, load_preset("toronto"))


@pytest.fixture(scope="module")
def by_hand(shared_data: Path) -> dict[date, ResponseLevel]:
    return _by_hand(shared_data, load_preset("toronto"), _toronto_by_hand)


@pytest.fixture(scope="module")
def replayed_china(shared_data: Path) -> dict[date, ResponseLevel]:
    return _replayed(shared_data, load_preset("china", province="110000"))


@pytest.fixture(scope="module")
def by_hand_china(shared_data: Path) -> dict[date, ResponseLevel]:
    return _by_hand(shared_data, load_preset("china", province="110000"), _beijing_by_hand)


@pytest.mark.slow
class TestBeijingReplay:
    """Dongsi, winters 2013/14 to 2016/17 (606 nights, Nov-Mar), under the Toronto preset."""

    def test_same_nights_and_levels_as_computed_by_hand(
        self, replayed: dict[date, ResponseLevel], by_hand: dict[date, ResponseLevel]
    ) -> None:
        assert replayed == by_hand

    def test_nights_per_level(self, replayed: dict[date, ResponseLevel]) -> None:
        counts = Counter(replayed.values())
        assert counts == {
            ResponseLevel.none: EXPECTED_NONE,
            ResponseLevel.IV: EXPECTED_IV,
            ResponseLevel.III: EXPECTED_III,
        }

    def test_coldest_night_2016_01_22(
        self, shared_data: Path, replayed: dict[date, ResponseLevel]
    ) -> None:
        raw = _raw_nights(shared_data / DONGSI)
        coldest = min(raw, key=lambda night: raw[night][0])
        assert coldest == date(2016, 1, 22)
        low, low_felt = raw[coldest]
        # -16.8 °C came at 08:00 on the 23rd, the first hour after the night (18:00 to 08:00).
        assert low == pytest.approx(-16.3)
        assert low_felt == pytest.approx(-23.48, abs=0.01)
        nights = nightly_minimums(read_observations(shared_data / DONGSI), zone=BEIJING)
        [summary] = [n for n in nights if n.night_on == coldest]
        assert summary.min_temperature_c == pytest.approx(low)
        assert summary.min_feels_like_c == pytest.approx(low_felt, abs=1e-9)
        assert replayed[coldest] == ResponseLevel.III


EXPECTED_NONE = 424
EXPECTED_IV = 179
EXPECTED_III = 3  # the nights of 2016-01-18 (-15.1 °C), 2016-01-22 and 2016-01-23


@pytest.mark.slow
class TestBeijingReplayChina:
    """Dongsi, the same 606 winter nights, under the China preset with Beijing's local rules."""

    def test_same_nights_and_levels_as_computed_by_hand(
        self,
        replayed_china: dict[date, ResponseLevel],
        by_hand_china: dict[date, ResponseLevel],
    ) -> None:
        assert replayed_china == by_hand_china

    def test_nights_per_level(self, replayed_china: dict[date, ResponseLevel]) -> None:
        assert Counter(replayed_china.values()) == {
            ResponseLevel.none: CHINA_EXPECTED_NONE,
            ResponseLevel.IV: CHINA_EXPECTED_IV,
        }

    def test_only_spell_is_january_2016(
        self, shared_data: Path, replayed_china: dict[date, ResponseLevel]
    ) -> None:
        [night] = [n for n, level in replayed_china.items() if level > ResponseLevel.none]
        assert night == date(2016, 1, 23)
        raw = _raw_nights(shared_data / DONGSI)
        spell = [raw[night - timedelta(days=back)][0] for back in (2, 1, 0)]
        # Three nights below -10 °C; the warmest of them is not below -12 °C, so blue, not yellow.
        assert all(low < -10 for low in spell)
        assert max(spell) >= -12


CHINA_EXPECTED_NONE = 605
CHINA_EXPECTED_IV = 1  # the night of 2016-01-23, after 2016-01-21 and 2016-01-22
