"""Storing observations: the real Dongsi file, idempotent re-import, latest conditions by
region and ancestor, and refusing bad files.

Expected figures are computed here from the raw file with the csv module, independently of the
reader and of the importer.
"""

from __future__ import annotations

import csv
import gzip
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from streetrelief.core.errors import ImportFileError, UnknownRegionError
from streetrelief.weather.models import WeatherObservation
from streetrelief.weather.observations import BEIJING, ReadCounts, read_observations
from streetrelief.weather.service import (
    import_observations,
    latest_conditions,
    list_observations,
)
from streetrelief.weather.windchill import wind_chill_c
from tests.factories.regions import beijing_tree

DONGSI = "weather/beijing_multisite_PRSA_Dongsi_hourly_2013-2017.csv.gz"
CITY = "11"
DISTRICT = "110101"  # Dongcheng, where the Dongsi station stands


def _raw_rows(path: Path) -> list[dict[str, str]]:
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _is_complete(row: dict[str, str]) -> bool:
    return row["TEMP"] != "NA" and row["WSPM"] != "NA"


def _utc(row: dict[str, str]) -> datetime:
    local = datetime(  # noqa: DTZ001 - the zone is attached on the next line
        int(row["year"]), int(row["month"]), int(row["day"]), int(row["hour"])
    )
    return local.replace(tzinfo=BEIJING).astimezone(UTC)


def _stored(session: Session, region_code: str) -> int:
    stmt = select(func.count()).where(WeatherObservation.region_code == region_code)
    return session.scalar(stmt) or 0


def _hourly_csv(path: Path, rows: list[str]) -> Path:
    header = '"No","year","month","day","hour","TEMP","WSPM","station"'
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


class TestDongsiImport:
    def test_counts_match_reader_and_raw_file_and_reimport_stores_nothing(
        self, session: Session, shared_data: Path
    ) -> None:
        beijing_tree(session)
        path = shared_data / DONGSI
        raw = _raw_rows(path)
        complete = [r for r in raw if _is_complete(r)]
        counts = ReadCounts()
        for _ in read_observations(path, counts=counts):
            pass

        first = import_observations(session, path, region_code=CITY)

        assert (first.read, first.skipped) == (counts.read, counts.skipped)
        assert (first.read, first.skipped) == (len(complete), len(raw) - len(complete))
        assert first.stored == len({_utc(r) for r in complete})
        assert first.already_stored == first.read - first.stored
        assert _stored(session, CITY) == first.stored

        again = import_observations(session, path, region_code=CITY)
        assert (again.stored, again.already_stored) == (0, first.read)
        assert _stored(session, CITY) == first.stored

    def test_coldest_stored_hour_matches_file_with_its_wind_chill(
        self, session: Session, shared_data: Path
    ) -> None:
        beijing_tree(session)
        path = shared_data / DONGSI
        complete = [r for r in _raw_rows(path) if _is_complete(r)]
        coldest = min(complete, key=lambda r: (float(r["TEMP"]), _utc(r)))
        import_observations(session, path, region_code=CITY)

        stmt = select(WeatherObservation).order_by(
            WeatherObservation.temperature_c, WeatherObservation.observed_at
        )
        stored = session.scalars(stmt.limit(1)).one()

        assert stored.observed_at == _utc(coldest)
        assert stored.temperature_c == float(coldest["TEMP"])
        wind_kmh = float(coldest["WSPM"]) * 3.6
        assert stored.wind_speed_kmh == pytest.approx(wind_kmh)
        assert stored.wind_chill_c == pytest.approx(wind_chill_c(stored.temperature_c, wind_kmh))
        assert (stored.station, stored.is_forecast, stored.issued_at) == ("Dongsi", False, None)

    def test_wind_chill_is_none_outside_its_range(self, session: Session, tmp_path: Path) -> None:
        beijing_tree(session)
        path = _hourly_csv(
            tmp_path / "s.csv",
            [
                '1,2016,1,22,0,-10.0,5.0,"S"',  # 18 km/h: inside the range
                '2,2016,1,22,1,-10.0,1.0,"S"',  # 3.6 km/h: too little wind
                '3,2016,1,22,2,12.0,5.0,"S"',  # above 10 °C
            ],
        )
        import_observations(session, path, region_code=CITY)
        rows = list_observations(session, region_code=CITY)
        assert [r.wind_chill_c is None for r in rows] == [False, True, True]


class TestLatestConditions:
    def test_region_reads_its_own_then_its_nearest_ancestor(
        self, session: Session, tmp_path: Path
    ) -> None:
        beijing_tree(session)
        city = _hourly_csv(tmp_path / "city.csv", ['1,2016,1,22,6,-16.0,3.0,"City"'])
        district = _hourly_csv(tmp_path / "d.csv", ['1,2016,1,22,4,-12.0,2.0,"Dongsi"'])
        import_observations(session, city, region_code=CITY)
        import_observations(session, district, region_code=DISTRICT)
        at = datetime(2016, 1, 21, 23, 0, tzinfo=UTC)  # 07:00 in Beijing

        own = latest_conditions(session, DISTRICT, at=at)
        inherited = latest_conditions(session, "110105", at=at)

        assert own is not None
        assert (own.region_code, own.temperature_c) == (DISTRICT, -12.0)
        assert inherited is not None
        assert (inherited.region_code, inherited.temperature_c) == (CITY, -16.0)

    def test_nothing_before_at_or_older_than_max_age_is_none(
        self, session: Session, tmp_path: Path
    ) -> None:
        beijing_tree(session)
        path = _hourly_csv(tmp_path / "c.csv", ['1,2016,1,22,6,-16.0,3.0,"City"'])
        import_observations(session, path, region_code=CITY)
        reading_at = datetime(2016, 1, 21, 22, 0, tzinfo=UTC)

        assert latest_conditions(session, CITY, at=reading_at - timedelta(minutes=1)) is None
        late = reading_at + timedelta(hours=5)
        assert latest_conditions(session, CITY, at=late, max_age=timedelta(hours=3)) is None
        assert latest_conditions(session, CITY, at=late) is not None


class TestBadInput:
    def test_bad_line_is_refused_with_its_line(self, session: Session, tmp_path: Path) -> None:
        beijing_tree(session)
        path = _hourly_csv(
            tmp_path / "bad.csv", ['1,2016,1,22,0,-10.0,5.0,"S"', '2,2016,1,22,1,cold,5.0,"S"']
        )
        with pytest.raises(ImportFileError, match=r"bad\.csv, line 3: ") as caught:
            import_observations(session, path, region_code=CITY)
        assert caught.value.line == 3

    def test_unknown_header_and_missing_file_are_refused(
        self, session: Session, tmp_path: Path
    ) -> None:
        beijing_tree(session)
        (tmp_path / "odd.csv").write_text("a,b\n1,2\n", encoding="utf-8")
        with pytest.raises(ImportFileError, match="line 1: header fits no observation format"):
            import_observations(session, tmp_path / "odd.csv", region_code=CITY)
        with pytest.raises(ImportFileError, match="cannot read the file"):
            import_observations(session, tmp_path / "none.csv", region_code=CITY)

    def test_unknown_region_is_refused(self, session: Session, tmp_path: Path) -> None:
        path = _hourly_csv(tmp_path / "s.csv", ['1,2016,1,22,0,-10.0,5.0,"S"'])
        with pytest.raises(UnknownRegionError):
            import_observations(session, path, region_code="99")
