"""The pure evaluation: raising, holding, lowering, overrides, and refusing broken policies."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from streetrelief.core.errors import InvalidInputError, PolicyError
from streetrelief.response.decision import (
    ActiveWarning,
    Conditions,
    Override,
    ResponseState,
    TriggerKind,
    set_override,
)
from streetrelief.response.levels import Colour, ResponseLevel
from streetrelief.response.policy import (
    ResponsePolicy,
    evaluate,
    load_policy,
    load_preset,
    parse_policy,
)

T0 = datetime(2026, 1, 20, 14, 0, tzinfo=UTC)
MIDNIGHT = time(0, 0)
CHINA = load_preset("china")
TORONTO = load_preset("toronto")
NYC = load_preset("nyc_code_blue")
UK = load_preset("uk_swep")


def cold_wave(
    colour: Colour, *, ident: str = "cw-1", cancelled: bool = False, hours: float = 24
) -> ActiveWarning:
    return ActiveWarning(
        identifier=ident,
        event_code="寒潮",
        event_name="寒潮",
        colour=colour,
        onset=T0,
        expires=T0 + timedelta(hours=hours),
        is_cancelled=cancelled,
    )


def reading(temperature_c: float, wind_chill_c: float | None = None) -> Conditions:
    return Conditions(temperature_c, wind_chill_c, MIDNIGHT)


class TestRaise:
    def test_warning_raises_immediately_with_its_trigger(self) -> None:
        decision = evaluate(CHINA, at=T0, active_warnings=[cold_wave(Colour.orange)])
        assert decision.level == ResponseLevel.II
        assert decision.trigger.kind == TriggerKind.warning
        assert decision.trigger.rule == "cold_wave"
        assert decision.trigger.warning == "cw-1"
        assert decision.has_changed

    def test_reading_raises_immediately_with_its_reading(self) -> None:
        decision = evaluate(TORONTO, at=T0, observation_or_forecast=reading(-16.0, -22.0))
        assert decision.level == ResponseLevel.III
        assert decision.trigger.rule == "ecwa_temperature"
        assert decision.trigger.reading_c == -16.0

    def test_cancelled_warning_ignored(self) -> None:
        decision = evaluate(CHINA, at=T0, active_warnings=[cold_wave(Colour.red, cancelled=True)])
        assert decision.level == ResponseLevel.none
        assert decision.trigger.kind == TriggerKind.none

    def test_warning_before_onset_ignored(self) -> None:
        decision = evaluate(
            CHINA, at=T0 - timedelta(hours=1), active_warnings=[cold_wave(Colour.red)]
        )
        assert decision.level == ResponseLevel.none

    def test_naive_time_refused(self) -> None:
        with pytest.raises(InvalidInputError, match="aware"):
            evaluate(CHINA, at=datetime(2026, 1, 1))  # noqa: DTZ001 - the point of the test


class TestLower:
    """China holds 12 h after the last call."""

    def test_level_held_while_warning_in_force_then_hold_then_lowered(self) -> None:
        warning = cold_wave(Colour.red, hours=6)
        first = evaluate(CHINA, at=T0, active_warnings=[warning])
        during = evaluate(
            CHINA, at=T0 + timedelta(hours=5), active_warnings=[warning], state=first.state
        )
        assert during.level == ResponseLevel.I
        expired = evaluate(
            CHINA, at=T0 + timedelta(hours=6), active_warnings=[warning], state=during.state
        )
        assert expired.level == ResponseLevel.I
        assert expired.is_held
        assert expired.trigger.warning == "cw-1"
        assert expired.held_until == T0 + timedelta(hours=5 + 12)
        lowered = evaluate(
            CHINA, at=T0 + timedelta(hours=17), active_warnings=[warning], state=expired.state
        )
        assert lowered.level == ResponseLevel.none
        assert lowered.has_changed

    def test_cancel_then_hold_then_lowered(self) -> None:
        first = evaluate(CHINA, at=T0, active_warnings=[cold_wave(Colour.yellow)])
        cancelled = cold_wave(Colour.yellow, cancelled=True)
        held = evaluate(
            CHINA, at=T0 + timedelta(hours=1), active_warnings=[cancelled], state=first.state
        )
        assert held.level == ResponseLevel.III
        lowered = evaluate(
            CHINA, at=T0 + timedelta(hours=12), active_warnings=[cancelled], state=held.state
        )
        assert lowered.level == ResponseLevel.none

    def test_steps_down_to_highest_level_called_within_hold(self) -> None:
        states = [evaluate(TORONTO, at=T0, observation_or_forecast=reading(-16.0))]
        for hours, temperature in [(6, -6.0), (24, 2.0)]:
            states.append(
                evaluate(
                    TORONTO,
                    at=T0 + timedelta(hours=hours),
                    observation_or_forecast=reading(temperature),
                    state=states[-1].state,
                )
            )
        assert [d.level for d in states] == [ResponseLevel.III, ResponseLevel.III, ResponseLevel.IV]
        assert states[-1].trigger.rule == "warming_centres"

    def test_going_back_in_time_refused(self) -> None:
        first = evaluate(TORONTO, at=T0)
        with pytest.raises(InvalidInputError, match="before the last"):
            evaluate(TORONTO, at=T0 - timedelta(seconds=1), state=first.state)


class TestOverride:
    def test_override_wins_until_it_ends(self) -> None:
        state = set_override(
            ResponseState(),
            Override(ResponseLevel.I, "mayor's order", T0 + timedelta(hours=3), by="duty lead"),
        )
        during = evaluate(TORONTO, at=T0, observation_or_forecast=reading(5.0), state=state)
        assert during.level == ResponseLevel.I
        assert during.trigger.kind == TriggerKind.override
        assert during.trigger.reason == "mayor's order"
        assert during.automatic_level == ResponseLevel.none
        after = evaluate(
            TORONTO,
            at=T0 + timedelta(hours=3),
            observation_or_forecast=reading(5.0),
            state=during.state,
        )
        assert after.level == ResponseLevel.none
        assert after.state.override is None

    def test_override_can_lower_and_automatic_is_tracked_underneath(self) -> None:
        state = set_override(
            ResponseState(), Override(ResponseLevel.none, "shelters full", T0 + timedelta(hours=1))
        )
        during = evaluate(TORONTO, at=T0, observation_or_forecast=reading(-16.0), state=state)
        assert (during.level, during.automatic_level) == (ResponseLevel.none, ResponseLevel.III)
        after = evaluate(TORONTO, at=T0 + timedelta(hours=2), state=during.state)
        assert after.level == ResponseLevel.III
        assert after.is_held

    def test_override_without_reason_refused(self) -> None:
        with pytest.raises(InvalidInputError, match="reason"):
            Override(ResponseLevel.I, "  ", T0)


GOOD = """
version: t.1
name: test
region: X
sources: {s: {title: a source}}
hold: {duration_s: 3600, source: s}
condition_rules:
  - {id: cold, description: cold, level: III, temperature_at_most_c: -10, source: s}
"""


class TestBrokenPolicy:
    @pytest.mark.parametrize(
        ("old", "new", "field"),
        [
            ("level: III", "level: V", "condition_rules.0.level"),
            ("temperature_at_most_c: -10", "temperature_at_most_c: cold", "condition_rules.0"),
            ("duration_s: 3600", "duration_s: -1", "hold.duration_s"),
            ("-10, source: s}", "-10, source: nowhere}", "(top level)"),
            ("name: test\n", "", "name"),
            ("region: X", "region: X\ncolour: red", "colour"),
            ("level: III,", "level: III, for_days: 8,", "condition_rules.0.for_days"),
            (
                "temperature_at_most_c: -10",
                "feels_like_at_most_c: -10, for_days: 3",
                "condition_rules.0",
            ),
        ],
    )
    def test_broken_policy_refused_naming_the_field(self, old: str, new: str, field: str) -> None:
        text = GOOD.replace(old, new)
        assert text != GOOD
        with pytest.raises(PolicyError) as caught:
            parse_policy(text, name="broken.yaml")
        assert str(caught.value.extra["field"]).startswith(field)
        assert "broken.yaml" in caught.value.detail

    def test_unknown_source_named(self) -> None:
        with pytest.raises(
            PolicyError, match=r"condition_rules\.cold\.source: 'nowhere' is not one of"
        ):
            parse_policy(GOOD.replace("-10, source: s}", "-10, source: nowhere}"))

    def test_road_icing_blue_refused_by_colour_name(self) -> None:
        with pytest.raises(PolicyError, match=r"warning_rules\.0\.levels"):
            parse_policy(
                GOOD + "warning_rules:\n  - {id: w, description: w, events: [x],"
                " levels: {teal: I}, source: s}\n"
            )

    def test_file_not_yaml_refused(self, tmp_path: Path) -> None:
        path = tmp_path / "p.yaml"
        path.write_text("version: [unclosed", encoding="utf-8")
        with pytest.raises(PolicyError, match="not valid YAML"):
            load_policy(path)

    def test_missing_file_refused(self, tmp_path: Path) -> None:
        with pytest.raises(PolicyError, match="cannot read"):
            load_policy(tmp_path / "absent.yaml")

    def test_good_policy_loads(self, tmp_path: Path) -> None:
        path = tmp_path / "p.yaml"
        path.write_text(GOOD, encoding="utf-8")
        assert isinstance(load_policy(path), ResponsePolicy)


# --- properties -----------------------------------------------------------------------------

POLICIES = st.sampled_from([CHINA, TORONTO, NYC, UK, load_preset("china", province="810000")])
TEMPS = st.floats(min_value=-50, max_value=20, allow_nan=False)
DROPS = st.floats(min_value=0, max_value=30, allow_nan=False)
COLOURS = st.sampled_from(list(Colour))
EVENTS = st.sampled_from(["寒潮", "道路结冰", "暴雪", "snow", "ice", "unknown"])
LOCAL = st.times()
LEVELS = st.sampled_from(list(ResponseLevel))


@st.composite
def warnings(draw: st.DrawFn, *, cancelled: bool | None = None) -> ActiveWarning:
    event = draw(EVENTS)
    return ActiveWarning(
        identifier=f"w{draw(st.integers(0, 5))}",
        event_code=event,
        event_name=event,
        colour=draw(COLOURS),
        onset=T0 - timedelta(hours=draw(st.integers(-3, 3))),
        expires=T0 + timedelta(hours=draw(st.integers(-3, 30))),
        is_cancelled=draw(st.booleans()) if cancelled is None else cancelled,
    )


@st.composite
def histories(draw: st.DrawFn) -> ResponseState:
    """A state reached by a few earlier evaluations."""
    policy = draw(POLICIES)
    state = ResponseState()
    at = T0 - timedelta(hours=draw(st.integers(1, 48)))
    for _ in range(draw(st.integers(0, 3))):
        decision = evaluate(
            policy,
            at=at,
            active_warnings=draw(st.lists(warnings(), max_size=2)),
            observation_or_forecast=Conditions(draw(TEMPS), draw(TEMPS), draw(LOCAL)),
            state=state,
        )
        state = decision.state
        at = min(at + timedelta(hours=draw(st.integers(0, 12))), T0)
    return state


class TestProperties:
    @settings(max_examples=300)
    @given(
        policy=POLICIES,
        state=histories(),
        temperature=TEMPS,
        chill=TEMPS,
        colder_by=DROPS,
        chill_colder_by=DROPS,
        local=LOCAL,
        active=st.lists(warnings(), max_size=3),
    )
    def test_colder_weather_never_lowers_the_level(
        self,
        policy: ResponsePolicy,
        state: ResponseState,
        temperature: float,
        chill: float,
        colder_by: float,
        chill_colder_by: float,
        local: time,
        active: list[ActiveWarning],
    ) -> None:
        warm = Conditions(temperature, min(chill, temperature), local)
        cold = Conditions(temperature - colder_by, min(chill, temperature) - chill_colder_by, local)
        args = {"at": T0, "active_warnings": active, "state": state}
        assert (
            evaluate(policy, observation_or_forecast=cold, **args).level  # type: ignore[arg-type]
            >= evaluate(policy, observation_or_forecast=warm, **args).level  # type: ignore[arg-type]
        )

    @settings(max_examples=300)
    @given(
        policy=POLICIES,
        state=histories(),
        temperature=TEMPS,
        active=st.lists(warnings(), max_size=3),
        extra=warnings(cancelled=True),
    )
    def test_adding_a_cancelled_warning_never_raises_the_level(
        self,
        policy: ResponsePolicy,
        state: ResponseState,
        temperature: float,
        active: list[ActiveWarning],
        extra: ActiveWarning,
    ) -> None:
        conditions = reading(temperature)
        without = evaluate(
            policy, at=T0, active_warnings=active, observation_or_forecast=conditions, state=state
        )
        with_it = evaluate(
            policy,
            at=T0,
            active_warnings=[*active, extra],
            observation_or_forecast=conditions,
            state=state,
        )
        assert with_it.level <= without.level

    @settings(max_examples=200)
    @given(
        policy=POLICIES,
        steps=st.lists(
            st.tuples(st.integers(1, 20 * 3600), TEMPS, st.lists(warnings(), max_size=2)),
            min_size=1,
            max_size=12,
        ),
    )
    def test_level_falls_only_after_nothing_called_for_it_for_the_hold(
        self,
        policy: ResponsePolicy,
        steps: list[tuple[int, float, list[ActiveWarning]]],
    ) -> None:
        state = ResponseState()
        at = T0 - timedelta(hours=60)
        history: list[tuple[datetime, ResponseLevel]] = []  # (when, level called for)
        previous = ResponseLevel.none
        for gap_s, temperature, active in steps:
            at += timedelta(seconds=gap_s)
            decision = evaluate(
                policy,
                at=at,
                active_warnings=active,
                observation_or_forecast=reading(temperature),
                state=state,
            )
            history.append((at, decision.called_for.level))
            assert decision.level >= decision.called_for.level  # raise at once
            if decision.level < previous:
                recent = [lv for when, lv in history if at - when < policy.hold_time]
                assert max(recent) <= decision.level < previous
            state, previous = decision.state, decision.level

    @settings(max_examples=200)
    @given(
        policy=POLICIES,
        state=histories(),
        level=LEVELS,
        minutes=st.integers(1, 24 * 60),
        probe=st.integers(0, 48 * 60),
        temperature=TEMPS,
        active=st.lists(warnings(), max_size=2),
    )
    def test_override_wins_until_it_ends(
        self,
        policy: ResponsePolicy,
        state: ResponseState,
        level: ResponseLevel,
        minutes: int,
        probe: int,
        temperature: float,
        active: list[ActiveWarning],
    ) -> None:
        until = T0 + timedelta(minutes=minutes)
        overridden = set_override(state, Override(level, "leader's call", until))
        at = T0 + timedelta(minutes=probe)
        args = {
            "at": at,
            "active_warnings": active,
            "observation_or_forecast": reading(temperature),
        }
        with_override = evaluate(policy, state=overridden, **args)  # type: ignore[arg-type]
        plain = evaluate(policy, state=state, **args)  # type: ignore[arg-type]
        if at < until:
            assert with_override.level == level
            assert with_override.trigger.kind == TriggerKind.override
        else:
            assert with_override.level == plain.level
