"""The incident lifecycle table: every (from, to) pair of statuses, allowed or refused."""

from __future__ import annotations

from itertools import product

import pytest

from streetrelief.core.errors import ConflictError, IllegalTransitionError
from streetrelief.incidents.lifecycle import ALLOWED, CLOSED, check_transition
from streetrelief.incidents.models import IncidentStatus as S

EXPECTED_STEPS: frozenset[tuple[S, S]] = frozenset(
    {
        (S.new, S.triaged),
        (S.new, S.cancelled),
        (S.triaged, S.dispatched),
        (S.triaged, S.cancelled),
        (S.dispatched, S.en_route),
        # A team close by may report on scene without reporting en route first.
        (S.dispatched, S.on_scene),
        (S.dispatched, S.cancelled),
        (S.en_route, S.on_scene),
        (S.en_route, S.cancelled),
        # Only a team on scene can say the person was helped or not found.
        (S.on_scene, S.resolved),
        (S.on_scene, S.not_found),
        (S.on_scene, S.cancelled),
    }
)
"""Allowed steps, written out from DESIGN.md's lifecycle and the rules documented on ``ALLOWED``
(on scene straight from dispatched; anything open can be cancelled), not read back from it."""

ALL_PAIRS = list(product(S, S))
ALLOWED_PAIRS = [p for p in ALL_PAIRS if p in EXPECTED_STEPS]
REFUSED_PAIRS = [p for p in ALL_PAIRS if p not in EXPECTED_STEPS]


def _id(pair: tuple[S, S]) -> str:
    return f"{pair[0]}->{pair[1]}"


class TestEveryPair:
    def test_pairs_cover_every_status_twice_over(self) -> None:
        assert len(ALL_PAIRS) == len(S) ** 2 == 64
        assert len(ALLOWED_PAIRS) + len(REFUSED_PAIRS) == 64

    @pytest.mark.parametrize(("current", "target"), ALLOWED_PAIRS, ids=map(_id, ALLOWED_PAIRS))
    def test_allowed_step_passes(self, current: S, target: S) -> None:
        check_transition(current, target)
        assert target in ALLOWED[current]

    @pytest.mark.parametrize(("current", "target"), REFUSED_PAIRS, ids=map(_id, REFUSED_PAIRS))
    def test_other_step_is_illegal_transition(self, current: S, target: S) -> None:
        with pytest.raises(IllegalTransitionError) as caught:
            check_transition(current, target)
        err = caught.value
        assert isinstance(err, ConflictError)
        assert err.code == "illegal_transition"
        assert err.status == 409
        assert err.extra == {"current": str(current), "target": str(target)}
        assert str(current) in err.detail
        assert str(target) in err.detail
        assert target not in ALLOWED[current]


class TestTableShape:
    def test_table_is_exactly_the_expected_steps(self) -> None:
        table = {(a, b) for a, nexts in ALLOWED.items() for b in nexts}
        assert table == EXPECTED_STEPS

    def test_every_status_has_a_row(self) -> None:
        assert set(ALLOWED) == set(S)

    def test_closed_statuses_are_the_ends(self) -> None:
        assert {s for s in S if not ALLOWED[s]} == CLOSED == {S.resolved, S.not_found, S.cancelled}

    @pytest.mark.parametrize("status", sorted(set(S) - CLOSED))
    def test_every_open_status_can_be_cancelled(self, status: S) -> None:
        check_transition(status, S.cancelled)

    @pytest.mark.parametrize("status", list(S))
    def test_no_status_steps_to_itself(self, status: S) -> None:
        with pytest.raises(IllegalTransitionError):
            check_transition(status, status)

    @pytest.mark.parametrize("status", sorted(set(S) - CLOSED))
    def test_nothing_steps_back_to_new(self, status: S) -> None:
        with pytest.raises(IllegalTransitionError):
            check_transition(status, S.new)

    def test_every_status_is_reachable_from_new(self) -> None:
        reached, frontier = {S.new}, [S.new]
        while frontier:
            for nxt in ALLOWED[frontier.pop()] - reached:
                reached.add(nxt)
                frontier.append(nxt)
        assert reached == set(S)

    def test_steps_only_go_forward(self) -> None:
        order = list(S)
        for current, target in EXPECTED_STEPS:
            assert order.index(target) > order.index(current), (current, target)

    @pytest.mark.parametrize("status", sorted(CLOSED))
    def test_closed_refusal_says_none_allowed(self, status: S) -> None:
        with pytest.raises(IllegalTransitionError, match=r"none \(closed\)"):
            check_transition(status, S.en_route)
