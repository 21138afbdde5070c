"""The roster: adding shifts, who is on duty, and hotline gaps across a Beijing midnight."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError
from sqlalchemy.orm import Session

from streetrelief.core.clock import FixedClock
from streetrelief.core.errors import (
    ImportFileError,
    InvalidInputError,
    NotFoundError,
    ShiftOverlapError,
    UnknownRegionError,
)
from streetrelief.duty.importer import import_roster
from streetrelief.duty.models import DutyRole
from streetrelief.duty.schemas import ShiftCreate
from streetrelief.duty.service import coverage_report, to_reads, who_is_on_duty
from tests.factories.duty import make_point, make_shift
from tests.factories.regions import beijing_tree


def bj(text: str) -> datetime:
    """A Beijing wall-clock time, e.g. ``2026-01-20 23:30``."""
    return datetime.fromisoformat(f"{text}+08:00")


@pytest.fixture(autouse=True)
def beijing(session: Session) -> None:
    beijing_tree(session)


class TestAddShift:
    def test_shift_stored_in_utc_and_on_duty_inside_it(
        self, session: Session, clock: FixedClock
    ) -> None:
        make_point(session, now=clock.now(), code="RS1")
        shift = make_shift(
            session,
            now=clock.now(),
            name="王队长",
            station="RS1",
            start_at=bj("2026-01-20 20:00"),
            end_at=bj("2026-01-21 08:00"),
        )
        assert shift.start_at.utcoffset() == timedelta(0)
        assert shift.start_at.hour == 12
        [on] = to_reads(session, who_is_on_duty(session, "11", bj("2026-01-21 07:59")))
        assert (on.person_name, on.station, on.role) == ("王队长", "RS1", "leader_in_charge")
        assert who_is_on_duty(session, "11", bj("2026-01-21 08:00")) == []
        assert who_is_on_duty(session, "110108", bj("2026-01-21 00:00")) == []

    def test_overlapping_shift_of_the_same_person_refused(
        self, session: Session, clock: FixedClock
    ) -> None:
        make_shift(
            session,
            now=clock.now(),
            name="李",
            start_at=bj("2026-01-20 20:00"),
            end_at=bj("2026-01-21 02:00"),
        )
        with pytest.raises(ShiftOverlapError, match="李 is already on shift"):
            make_shift(
                session,
                now=clock.now(),
                name="李",
                role=DutyRole.hotline_operator,
                start_at=bj("2026-01-21 01:00"),
                end_at=bj("2026-01-21 05:00"),
            )
        # Back to back is not an overlap.
        make_shift(
            session,
            now=clock.now(),
            name="李",
            start_at=bj("2026-01-21 02:00"),
            end_at=bj("2026-01-21 06:00"),
        )

    def test_end_before_start_refused(self) -> None:
        with pytest.raises(ValidationError, match="end_at must be after start_at"):
            ShiftCreate(
                region_code="1101",
                role=DutyRole.driver,
                person_name="张",
                start_at=bj("2026-01-21 08:00"),
                end_at=bj("2026-01-20 20:00"),
            )

    def test_unknown_point_and_region_refused(self, session: Session, clock: FixedClock) -> None:
        with pytest.raises(NotFoundError, match="unknown service point NOPE"):
            make_shift(
                session,
                now=clock.now(),
                name="赵",
                station="NOPE",
                start_at=bj("2026-01-20 20:00"),
                end_at=bj("2026-01-21 02:00"),
            )
        with pytest.raises(UnknownRegionError):
            make_shift(
                session,
                now=clock.now(),
                name="赵",
                region_code="99",
                start_at=bj("2026-01-20 20:00"),
                end_at=bj("2026-01-21 02:00"),
            )

    def test_point_of_another_region_refused(self, session: Session, clock: FixedClock) -> None:
        make_point(session, now=clock.now(), code="HD1", region_code="110108")
        with pytest.raises(InvalidInputError, match="not in region 110105"):
            make_shift(
                session,
                now=clock.now(),
                name="钱",
                region_code="110105",
                station="HD1",
                start_at=bj("2026-01-20 20:00"),
                end_at=bj("2026-01-21 02:00"),
            )


class TestHotlineGaps:
    def test_gaps_merged_and_shown_in_beijing_time_across_midnight(
        self, session: Session, clock: FixedClock
    ) -> None:
        for name, role, start, end in [
            ("甲", DutyRole.hotline_operator, "2026-01-20 20:00", "2026-01-20 23:00"),
            ("乙", DutyRole.hotline_operator, "2026-01-20 22:30", "2026-01-20 23:30"),
            ("丙", DutyRole.hotline_operator, "2026-01-21 00:30", "2026-01-21 06:00"),
            # A dispatcher in the gap does not answer the hotline.
            ("丁", DutyRole.dispatcher, "2026-01-20 23:00", "2026-01-21 01:00"),
        ]:
            make_shift(
                session, now=clock.now(), name=name, role=role, start_at=bj(start), end_at=bj(end)
            )
        # The clock stands at 22:00 in Beijing; look 12 hours ahead, to 10:00.
        report = coverage_report(session, "1101", start=clock.now(), hours=12)
        assert report.timezone == "Asia/Shanghai"
        assert [(g.start_local, g.end_local) for g in report.gaps] == [
            ("2026-01-20T23:30:00+08:00", "2026-01-21T00:30:00+08:00"),
            ("2026-01-21T06:00:00+08:00", "2026-01-21T10:00:00+08:00"),
        ]
        assert [g.duration_s for g in report.gaps] == [3600, 4 * 3600]
        assert report.gaps[0].start_at == bj("2026-01-20 23:30")

    def test_window_out_of_range_refused(self, session: Session, clock: FixedClock) -> None:
        with pytest.raises(InvalidInputError, match="hours must be"):
            coverage_report(session, "1101", start=clock.now(), hours=0)


class TestImport:
    def test_roster_csv_imported_all_or_nothing(
        self, session: Session, clock: FixedClock, tmp_path: Path
    ) -> None:
        make_point(session, now=clock.now(), code="RS1")
        good = tmp_path / "roster.csv"
        good.write_text(
            "region_code,station,role,person_name,contact,start_at,end_at\n"
            "1101,,leader_in_charge,王,13800000000,2026-01-20T20:00+08:00,2026-01-21T08:00+08:00\n"
            "110105,RS1,hotline_operator,李,,2026-01-20T20:00+08:00,2026-01-21T08:00+08:00\n"
            "110105,RS1,hotline_operator,李,,2026-01-21T08:00+08:00,2026-01-21T20:00+08:00\n",
            encoding="utf-8",
        )
        assert import_roster(session, good, now=clock.now()).created == 3
        bad = tmp_path / "bad.csv"
        bad.write_text(
            "region_code,station,role,person_name,contact,start_at,end_at\n"
            "1101,,driver,孙,,2026-01-22T20:00+08:00,2026-01-23T08:00+08:00\n"
            "1101,,driver,孙,,2026-01-22T21:00+08:00,2026-01-22T23:00+08:00\n",
            encoding="utf-8",
        )
        with pytest.raises(ImportFileError, match=r"bad.csv, line 3: 孙 is already on shift"):
            import_roster(session, bad, now=clock.now())
        assert who_is_on_duty(session, "11", bj("2026-01-22 22:00")) == []
