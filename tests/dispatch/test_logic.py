"""Ranking, first responders, the order of waiting work and pre-emption: pure rules."""

from __future__ import annotations

import pytest

from streetrelief.dispatch.logic import TeamOption, first_responder, next_job_order, rank_teams
from streetrelief.dispatch.policy import DispatchPolicy
from streetrelief.dispatch.travel import TravelEstimate
from streetrelief.incidents.models import Priority


def option(
    team_id: int,
    *,
    travel_s: float,
    free_in_s: float = 0.0,
    capabilities: frozenset[str] = frozenset({"outreach"}),
    shift_left_s: float | None = None,
    is_stale: bool = False,
    dispatches: int = 0,
) -> TeamOption:
    return TeamOption(
        team_id=team_id,
        code=f"T{team_id}",
        capabilities=capabilities,
        mode="vehicle",
        estimate=TravelEstimate(distance_m=travel_s * 8.0, travel_time_s=travel_s),
        dispatches_24h=dispatches,
        free_in_s=free_in_s,
        shift_left_s=shift_left_s,
        is_position_stale=is_stale,
    )


class TestRanking:
    def test_busy_team_finishing_nearby_beats_idle_team_far_away(self) -> None:
        idle_far = option(1, travel_s=1800)
        busy_near = option(2, travel_s=120, free_in_s=300)
        ranked = rank_teams([idle_far, busy_near], frozenset())
        assert [r.team_id for r in ranked] == [2, 1]
        assert ranked[0].eta_s == 420
        assert "free in 5 min from its current job" in ranked[0].explanation

    def test_busy_team_finishing_late_loses_to_idle_one(self) -> None:
        ranked = rank_teams(
            [option(1, travel_s=600), option(2, travel_s=60, free_in_s=1200)], frozenset()
        )
        assert ranked[0].team_id == 1

    def test_capable_team_ranks_before_a_nearer_one_without_the_capability(self) -> None:
        near = option(1, travel_s=60)
        medic = option(2, travel_s=900, capabilities=frozenset({"medical"}))
        ranked = rank_teams([near, medic], frozenset({"medical"}))
        assert [r.team_id for r in ranked] == [2, 1]
        assert ranked[0].has_all_capabilities
        assert ranked[1].missing_capabilities == ("medical",)
        assert "lacks medical" in ranked[1].explanation
        assert "has medical" in ranked[0].explanation

    def test_team_whose_shift_ends_before_the_job_ranks_after_one_that_stays(self) -> None:
        leaving = option(1, travel_s=60, shift_left_s=600)
        staying = option(2, travel_s=600, shift_left_s=7200)
        ranked = rank_teams([leaving, staying], frozenset(), expected_on_scene_s=1200)
        assert [r.team_id for r in ranked] == [2, 1]
        assert ranked[1].is_shift_too_short
        assert "shift ends in 10 min, before the job would end" in ranked[1].explanation

    def test_stale_position_ranks_after_a_fresh_one_and_says_so(self) -> None:
        ranked = rank_teams(
            [option(1, travel_s=60, is_stale=True), option(2, travel_s=300)], frozenset()
        )
        assert [r.team_id for r in ranked] == [2, 1]
        assert ranked[1].is_position_stale
        assert "last position is stale" in ranked[1].explanation

    def test_fewer_dispatches_breaks_a_tie_in_time(self) -> None:
        ranked = rank_teams(
            [option(1, travel_s=300, dispatches=4), option(2, travel_s=300, dispatches=1)],
            frozenset(),
        )
        assert ranked[0].team_id == 2
        assert "dispatches in the past 24 h: 1" in ranked[0].explanation

    def test_every_key_in_order_with_the_code_last(self) -> None:
        medical = frozenset({"medical"})
        options = [
            option(1, travel_s=10),  # lacks the capability
            option(2, travel_s=20, capabilities=medical, shift_left_s=600),  # shift too short
            option(3, travel_s=30, capabilities=medical, is_stale=True),
            option(4, travel_s=100, capabilities=medical, dispatches=2),
            option(6, travel_s=100, capabilities=medical, dispatches=1),
            option(5, travel_s=100, capabilities=medical, dispatches=1),
            option(7, travel_s=30, capabilities=medical, free_in_s=60),
        ]
        ranked = rank_teams(options, medical, expected_on_scene_s=1200)
        assert [r.team_id for r in ranked] == [7, 5, 6, 4, 3, 2, 1]
        assert [r.eta_s for r in ranked[:2]] == [90, 100]

    def test_limit_explains_only_the_best(self) -> None:
        options = [option(k, travel_s=100 * (10 - k)) for k in range(10)]
        ranked = rank_teams(options, frozenset(), limit=3)
        assert [r.team_id for r in ranked] == [9, 8, 7]
        assert [r.rank for r in ranked] == [1, 2, 3]

    def test_road_fallback_is_explained(self) -> None:
        fallback = TeamOption(
            team_id=1,
            code="T1",
            capabilities=frozenset(),
            mode="walking",
            estimate=TravelEstimate(distance_m=100, travel_time_s=80, is_fallback=True),
            dispatches_24h=0,
        )
        ranked = rank_teams([fallback], frozenset())
        assert ranked[0].is_estimate_fallback
        assert "straight-line estimate" in ranked[0].explanation


class TestFirstResponder:
    def test_soonest_team_goes_too_when_the_capable_one_is_farther(self) -> None:
        options = [
            option(1, travel_s=60),
            option(2, travel_s=900, capabilities=frozenset({"medical"})),
        ]
        best = rank_teams(options, frozenset({"medical"}))[0]
        assert first_responder({o.team_id: o.reach_s for o in options}, best) == 1

    def test_nobody_extra_when_the_capable_team_is_soonest(self) -> None:
        options = [
            option(1, travel_s=600),
            option(2, travel_s=60, capabilities=frozenset({"medical"})),
        ]
        best = rank_teams(options, frozenset({"medical"}))[0]
        assert first_responder({o.team_id: o.reach_s for o in options}, best) is None


class TestWaitingWork:
    def test_urgency_comes_before_distance(self) -> None:
        far_critical = next_job_order(Priority.critical, travel_s=3000, due_s=10)
        near_low = next_job_order(Priority.low, travel_s=10, due_s=5)
        assert far_critical < near_low

    def test_nearest_first_within_a_priority(self) -> None:
        near = next_job_order(Priority.high, travel_s=100, due_s=9000)
        far = next_job_order(Priority.high, travel_s=900, due_s=10)
        assert near < far


class TestPreemption:
    @pytest.mark.parametrize(
        ("new", "held", "allowed"),
        [
            (Priority.critical, Priority.low, True),
            (Priority.critical, Priority.normal, False),
            (Priority.high, Priority.low, False),
            (Priority.low, Priority.low, False),
        ],
    )
    def test_default_policy(self, new: Priority, held: Priority, allowed: bool) -> None:
        assert DispatchPolicy().may_preempt(new, held) is allowed

    def test_policy_data_decides(self) -> None:
        rules = DispatchPolicy(preempts={Priority.high: frozenset({Priority.normal, Priority.low})})
        assert rules.may_preempt(Priority.high, Priority.normal)
        assert not rules.may_preempt(Priority.critical, Priority.low)

    def test_a_rule_cannot_let_a_lower_priority_take_a_team(self) -> None:
        rules = DispatchPolicy(preempts={Priority.low: frozenset({Priority.critical})})
        assert not rules.may_preempt(Priority.low, Priority.critical)
