"""Pure rules: active hours, effective intervals, visits due, coverage, the holiday calendar."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from streetrelief.core.errors import InvalidInputError, PolicyError
from streetrelief.patrols import logic

SHANGHAI = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 12, 20, 10, 0, tzinfo=UTC)  # 18:00 in Beijing


class TestActiveHours:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            (None, None),
            ("", None),
            ("18:00-08:00", (time(18), time(8))),
            ("00:00-24:00", (time(0), time(0))),
            ("22:30-23:45", (time(22, 30), time(23, 45))),
        ],
    )
    def test_valid_forms_parse(self, text: str | None, expected: object) -> None:
        assert logic.parse_active_hours(text) == expected

    @pytest.mark.parametrize("text", ["18-08", "25:00-02:00", "night", "08:00-08:00"])
    def test_bad_forms_are_refused(self, text: str) -> None:
        with pytest.raises(InvalidInputError):
            logic.parse_active_hours(text)

    def test_span_wrapping_midnight_is_cut_to_the_shift(self) -> None:
        # Shift 18:00-06:00 local; active 22:00-05:00 -> one span 22:00-05:00.
        spans = logic.active_spans((time(22), time(5)), T0, T0 + timedelta(hours=12), SHANGHAI)
        assert [(a.astimezone(SHANGHAI).hour, b.astimezone(SHANGHAI).hour) for a, b in spans] == [
            (22, 5)
        ]

    def test_morning_hours_outside_an_evening_shift_give_nothing(self) -> None:
        spans = logic.active_spans((time(6), time(9)), T0, T0 + timedelta(hours=4), SHANGHAI)
        assert spans == []


class TestEffectiveInterval:
    @pytest.mark.parametrize(
        ("multiplier", "holiday", "recent", "expected"),
        [
            (1.0, 1.0, False, 14400),
            (2.0, 1.0, False, 7200),
            (2.0, 1.5, False, 4800),
            (1.0, 1.0, True, 9600),
            (12.0, 4.0, True, logic.MIN_INTERVAL_S),
        ],
    )
    def test_factors_divide_the_base_interval(
        self, multiplier: float, holiday: float, recent: bool, expected: int
    ) -> None:
        got = logic.effective_interval_s(
            14400, level_multiplier=multiplier, holiday_factor=holiday, has_recent_findings=recent
        )
        assert got == expected


class TestVisitsDue:
    def test_one_visit_per_interval_slot_the_last_shorter(self) -> None:
        due = logic.visits_due(
            7, spans=[(T0, T0 + timedelta(hours=5))], interval_s=7200, service_s=60
        )
        assert [(v.earliest_at - T0, v.latest_at - T0) for v in due] == [
            (timedelta(0), timedelta(hours=2)),
            (timedelta(hours=2), timedelta(hours=4)),
            (timedelta(hours=4), timedelta(hours=5)),
        ]
        assert {v.hotspot_id for v in due} == {7}

    def test_no_span_no_visit(self) -> None:
        assert logic.visits_due(1, spans=[], interval_s=3600, service_s=60) == []


class TestCoverage:
    END = T0 + timedelta(hours=24)

    @pytest.mark.parametrize(
        ("offsets_h", "visits", "overdue", "gap_h"),
        [
            ([], 0, True, 24),
            ([-1, 3, 7, 11, 15, 19, 23], 6, False, 4),
            ([-1, 3, 7, 15, 19, 23], 5, True, 8),
            ([-30], 0, True, 54),
            ([25], 0, True, 24),
        ],
    )
    def test_gaps_decide_blind_spots(
        self, offsets_h: list[int], visits: int, overdue: bool, gap_h: int
    ) -> None:
        cov = logic.coverage(
            1,
            [T0 + timedelta(hours=h) for h in offsets_h],
            start=T0,
            end=self.END,
            interval_s=4 * 3600 + 1,
        )
        assert (cov.visits, cov.is_overdue, cov.longest_gap_s) == (visits, overdue, gap_h * 3600)
        assert cov.is_visited is bool(visits)

    def test_night_runs_local_noon_to_noon(self) -> None:
        start, end = logic.night_bounds(date(2026, 12, 20), SHANGHAI)
        assert start == datetime(2026, 12, 20, 4, 0, tzinfo=UTC)
        assert end - start == timedelta(days=1)


class TestHolidayCalendar:
    def test_shipped_calendar_has_spring_festival_strongest(self) -> None:
        calendar = logic.load_calendar()
        assert calendar.factor_on(date(2027, 2, 6)) == (1.5, "Spring Festival 2027")
        assert calendar.factor_on(date(2027, 1, 25)) == (1.25, "Spring Festival travel rush 2027")
        assert calendar.factor_on(date(2026, 12, 20)) == (1.0, None)

    def test_a_broken_calendar_is_refused_with_its_path(self, tmp_path: Path) -> None:
        bad = tmp_path / "holidays.yaml"
        bad.write_text(
            "source: x\nperiods:\n  - name: a\n    start_on: 2027-01-02\n"
            "    end_on: 2027-01-01\n    patrol_factor: 2\n"
        )
        with pytest.raises(PolicyError, match=r"holidays\.yaml"):
            logic.load_calendar(bad)


class TestCoverageInvariants:
    @given(
        offsets=st.lists(st.integers(min_value=-48 * 60, max_value=48 * 60), max_size=12),
        extra=st.integers(min_value=0, max_value=24 * 60 - 1),
        interval_min=st.integers(min_value=15, max_value=24 * 60),
    )
    def test_one_more_visit_never_makes_a_longer_gap(
        self, offsets: list[int], extra: int, interval_min: int
    ) -> None:
        def cov(minutes: list[int]) -> logic.Coverage:
            return logic.coverage(
                1,
                [T0 + timedelta(minutes=m) for m in minutes],
                start=T0,
                end=T0 + timedelta(days=1),
                interval_s=interval_min * 60,
            )

        before, after = cov(offsets), cov([*offsets, extra])
        assert after.longest_gap_s <= before.longest_gap_s
        assert after.visits == before.visits + 1
        assert not (before.is_overdue is False and after.is_overdue is True)
