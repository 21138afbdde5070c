"""Merging shifts and finding coverage gaps: pure interval arithmetic."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from streetrelief.duty.logic import coverage_gaps, merge_intervals

T0 = datetime(2026, 1, 20, 12, 0, tzinfo=UTC)


def h(n: float) -> datetime:
    return T0 + timedelta(hours=n)


class TestMerge:
    @pytest.mark.parametrize(
        ("intervals", "merged"),
        [
            ([], []),
            ([(h(0), h(2)), (h(1), h(3))], [(h(0), h(3))]),
            ([(h(2), h(3)), (h(0), h(2))], [(h(0), h(3))]),  # touching joins
            ([(h(0), h(1)), (h(2), h(3))], [(h(0), h(1)), (h(2), h(3))]),
            ([(h(0), h(5)), (h(1), h(2))], [(h(0), h(5))]),  # contained
            ([(h(1), h(1))], []),  # empty dropped
        ],
    )
    def test_overlapping_and_touching_intervals_merge(
        self,
        intervals: list[tuple[datetime, datetime]],
        merged: list[tuple[datetime, datetime]],
    ) -> None:
        assert merge_intervals(intervals) == merged


class TestGaps:
    @pytest.mark.parametrize(
        ("covered", "gaps"),
        [
            ([], [(h(0), h(10))]),
            ([(h(-1), h(11))], []),
            ([(h(0), h(4)), (h(3), h(6))], [(h(6), h(10))]),
            ([(h(2), h(4)), (h(5), h(12))], [(h(0), h(2)), (h(4), h(5))]),
            ([(h(-5), h(-1)), (h(11), h(14))], [(h(0), h(10))]),  # outside the window
        ],
    )
    def test_uncovered_parts_of_the_window(
        self,
        covered: list[tuple[datetime, datetime]],
        gaps: list[tuple[datetime, datetime]],
    ) -> None:
        assert coverage_gaps(covered, h(0), h(10)) == gaps
