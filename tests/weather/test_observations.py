"""Reading the real observation files, per-night minimums, and refusing malformed files.

Expected figures are computed here from the raw files with the csv module, independently of
the reader.
"""

from __future__ import annotations

import csv
import gzip
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from pathlib import Path

import pytest

from streetrelief.core.errors import ImportFileError, InvalidInputError
from streetrelief.weather.observations import (
    BEIJING,
    Observation,
    ObservationFormat,
    ReadCounts,
    nightly_minimums,
    read_observations,
)

DONGSI = "weather/beijing_multisite_PRSA_Dongsi_hourly_2013-2017.csv.gz"
US_EMBASSY = "weather/beijing_us_embassy_PRSA_hourly_2010-2014.csv.gz"
MONTREAL = "weather/montreal_hourly_weather_2012.csv"


def _raw_rows(path: Path) -> list[dict[str, str]]:
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _jag_ti(t: float, v: float) -> float:
    """The 2001 JAG/TI formula, written out again for the test (T °C, V km/h)."""
    if t > 10 or v <= 4.8:
        return t
    v016: float = v**0.16
    return min(t, 13.12 + 0.6215 * t - 11.37 * v016 + 0.3965 * t * v016)


@pytest.fixture(scope="module")
def dongsi_raw(shared_data: Path) -> list[dict[str, str]]:
    return _raw_rows(shared_data / DONGSI)


@pytest.mark.slow
class TestDongsi:
    """The Beijing multi-site file, Dongsi station, 2013-03-01 … 2017-02-28."""

    def test_rows_read_and_skipped_match_raw_count(
        self, shared_data: Path, dongsi_raw: list[dict[str, str]]
    ) -> None:
        missing = sum(1 for r in dongsi_raw if "NA" in (r["TEMP"], r["WSPM"]))
        counts = ReadCounts()
        observations = list(read_observations(shared_data / DONGSI, counts=counts))
        assert len(dongsi_raw) == 35_064
        assert counts.skipped == missing == 20
        assert counts.read == len(observations) == len(dongsi_raw) - missing
        assert {o.station for o in observations} == {"Dongsi"}

    def test_first_row_converted_to_utc_and_kmh(self, shared_data: Path) -> None:
        first = next(read_observations(shared_data / DONGSI))
        # 2013-03-01 00:00 in Beijing (UTC+8); -0.5 °C; WSPM 5.7 m/s.
        assert first.observed_at == datetime(2013, 2, 28, 16, 0, tzinfo=UTC)
        assert first.temperature_c == -0.5
        assert first.wind_speed_kmh == pytest.approx(5.7 * 3.6)

    def test_format_detected_and_named_agree(self, shared_data: Path) -> None:
        named = read_observations(shared_data / DONGSI, fmt=ObservationFormat.prsa_multisite)
        assert next(named) == next(read_observations(shared_data / DONGSI))

    def test_coldest_night_of_winter_2015_2016(
        self, shared_data: Path, dongsi_raw: list[dict[str, str]]
    ) -> None:
        # Independently: night = 18:00 … 07:00 Beijing time, named by its evening's date.
        nights: dict[date, list[tuple[float, float, datetime]]] = defaultdict(list)
        for r in dongsi_raw:
            if "NA" in (r["TEMP"], r["WSPM"]):
                continue
            local = datetime(int(r["year"]), int(r["month"]), int(r["day"]), int(r["hour"]))  # noqa: DTZ001 - Beijing wall clock
            if 8 <= local.hour < 18:
                continue
            night = local.date() - timedelta(days=1 if local.hour < 8 else 0)
            if date(2015, 12, 1) <= night <= date(2016, 2, 28):
                nights[night].append((float(r["TEMP"]), float(r["WSPM"]) * 3.6, local))
        coldest_on = min(nights, key=lambda d: min(t for t, _, _ in nights[d]))
        coldest_c = min(t for t, _, _ in nights[coldest_on])
        chill_t, chill_v, chill_local = min(nights[coldest_on], key=lambda h: _jag_ti(h[0], h[1]))

        # The January 2016 cold wave.
        assert coldest_on == date(2016, 1, 22)
        assert coldest_c == -16.3  # at 07:00; the -16.8 at 08:00 is after the night

        summaries = nightly_minimums(read_observations(shared_data / DONGSI), zone=BEIJING)
        by_night = {s.night_on: s for s in summaries}
        winter = [s for s in summaries if date(2015, 12, 1) <= s.night_on <= date(2016, 2, 28)]
        coldest = min(winter, key=lambda s: s.min_temperature_c)
        assert coldest is by_night[coldest_on]
        assert coldest.min_temperature_c == coldest_c
        assert coldest.hours == len(nights[coldest_on]) == 14
        assert coldest.min_feels_like_c == pytest.approx(_jag_ti(chill_t, chill_v))
        assert coldest.min_feels_like_at == chill_local.replace(tzinfo=BEIJING).astimezone(UTC)
        assert coldest.min_feels_like_c < coldest.min_temperature_c
        # 06:00 on the 23rd: -15.6 °C in a 4.0 m/s wind feels like -23.5 °C.
        assert chill_local == datetime(2016, 1, 23, 6)  # noqa: DTZ001 - Beijing wall clock
        assert coldest.min_feels_like_c == pytest.approx(-23.48, abs=0.01)


class TestOtherFormats:
    def test_us_embassy_has_temperature_but_no_wind(self, shared_data: Path) -> None:
        counts = ReadCounts()
        observations = list(read_observations(shared_data / US_EMBASSY, counts=counts))
        raw = _raw_rows(shared_data / US_EMBASSY)
        assert counts.read + counts.skipped == len(raw) == 43_824
        assert all(o.wind_speed_kmh is None for o in observations)
        assert min(o.temperature_c for o in observations) == -19

    def test_montreal_is_local_standard_time(self, shared_data: Path) -> None:
        counts = ReadCounts()
        observations = list(read_observations(shared_data / MONTREAL, counts=counts))
        assert counts.read == 8_784
        assert counts.skipped == 0
        assert observations[0].observed_at == datetime(2012, 1, 1, 5, tzinfo=UTC)
        # UTC-5 all year: July too, and every hour exactly one hour after the last.
        july = next(o for o in observations if o.observed_at.month == 7)
        assert july.observed_at == datetime(2012, 7, 1, 0, tzinfo=UTC)
        steps = {b.observed_at - a.observed_at for a, b in pairwise(observations)}
        assert steps == {timedelta(hours=1)}
        assert observations[0].station == "montreal_hourly_weather_2012"
        assert min(o.temperature_c for o in observations) == -23.3


class TestMalformedFiles:
    """Every bad file is an ImportFileError naming the file and line."""

    def _write(self, tmp_path: Path, text: str) -> Path:
        path = tmp_path / "obs.csv"
        path.write_text(text, encoding="utf-8")
        return path

    def test_missing_file_refused(self, tmp_path: Path) -> None:
        with pytest.raises(ImportFileError, match=r"nope\.csv"):
            list(read_observations(tmp_path / "nope.csv"))

    def test_wrong_header_refused_at_line_1(self, tmp_path: Path) -> None:
        path = self._write(tmp_path, "when,temp\n2012-01-01,1\n")
        with pytest.raises(ImportFileError, match=r"obs\.csv, line 1: header fits no") as info:
            list(read_observations(path))
        assert info.value.line == 1

    def test_named_format_not_matching_header_refused(self, tmp_path: Path) -> None:
        path = self._write(tmp_path, "Date/Time,Temp (C),Wind Spd (km/h)\n")
        with pytest.raises(ImportFileError, match=r"lacks the prsa_multisite columns"):
            list(read_observations(path, fmt="prsa_multisite"))

    def test_unknown_format_name_refused(self, tmp_path: Path) -> None:
        path = self._write(tmp_path, "Date/Time,Temp (C),Wind Spd (km/h)\n")
        with pytest.raises(ImportFileError, match=r"unknown observation format"):
            list(read_observations(path, fmt="metar"))

    def test_empty_file_refused(self, tmp_path: Path) -> None:
        with pytest.raises(ImportFileError, match="empty file"):
            list(read_observations(self._write(tmp_path, "")))

    @pytest.mark.parametrize(
        ("row", "message"),
        [
            ("2012-01-01 01:00:00,minus two,10", "could not convert"),
            ("2012-01-01 01:00:00,-2.0,-5", "cannot be negative"),
            ("2012-01-01 01:00:00,-200,5", "outside any recorded temperature"),
            ("2012-13-01 01:00:00,-2.0,5", "does not match format"),
            ("2012-01-01 01:00:00,-2.0", "expected 3 fields, found 2"),
        ],
    )
    def test_bad_row_refused_naming_line(self, tmp_path: Path, row: str, message: str) -> None:
        header = "Date/Time,Temp (C),Wind Spd (km/h)"
        path = self._write(tmp_path, f"{header}\n2012-01-01 00:00:00,-1.8,4\n{row}\n")
        with pytest.raises(ImportFileError, match=message) as info:
            list(read_observations(path))
        assert info.value.line == 3
        assert "obs.csv, line 3" in str(info.value)

    def test_bad_number_in_gzip_names_line(self, tmp_path: Path) -> None:
        path = tmp_path / "obs.csv.gz"
        header = '"No","year","month","day","hour","TEMP","WSPM","station"'
        with gzip.open(path, "wt", encoding="utf-8") as handle:
            handle.write(f'{header}\n1,2013,3,1,0,-0.5,5.7,"Dongsi"\n2,2013,3,1,1,x,3.9,"Dongsi"\n')
        with pytest.raises(ImportFileError, match=r"obs\.csv\.gz, line 3"):
            list(read_observations(path))

    def test_corrupt_gzip_refused(self, tmp_path: Path) -> None:
        path = tmp_path / "obs.csv.gz"
        path.write_bytes(b"not gzip at all")
        with pytest.raises(ImportFileError, match="cannot read the file"):
            list(read_observations(path))

    def test_missing_values_skipped_and_counted(self, tmp_path: Path) -> None:
        header = "Date/Time,Temp (C),Wind Spd (km/h)"
        rows = "2012-01-01 00:00:00,-1.8,4\n2012-01-01 01:00:00,,4\n2012-01-01 02:00:00,-2,NA\n"
        counts = ReadCounts()
        observations = list(
            read_observations(self._write(tmp_path, header + "\n" + rows), counts=counts)
        )
        assert len(observations) == counts.read == 1
        assert counts.skipped == 2
        assert counts.skipped_lines == [3, 4]


def _obs(local: datetime, temperature_c: float, wind_speed_kmh: float | None) -> Observation:
    return Observation(
        local.replace(tzinfo=BEIJING).astimezone(UTC), temperature_c, wind_speed_kmh, "test"
    )


class TestNightlyMinimums:
    def test_hours_assigned_to_evening_date(self) -> None:
        evening = datetime(2016, 1, 22, 18)  # noqa: DTZ001 - Beijing wall clock, see _obs
        observations = [
            _obs(evening - timedelta(hours=1), -30.0, 0.0),  # 17:00: daytime, ignored
            _obs(evening, -10.0, 0.0),
            _obs(evening + timedelta(hours=9), -12.0, 20.0),  # 03:00 next day
            _obs(evening + timedelta(hours=13), -14.0, 0.0),  # 07:00 next day
            _obs(evening + timedelta(hours=14), -40.0, 0.0),  # 08:00: the night has ended
        ]
        [night] = nightly_minimums(observations, zone=BEIJING)
        assert night.night_on == date(2016, 1, 22)
        assert night.hours == 3
        assert night.min_temperature_c == -14.0
        assert night.min_feels_like_c == pytest.approx(_jag_ti(-12.0, 20.0))
        assert night.min_feels_like_at == observations[2].observed_at

    def test_unknown_wind_counts_air_temperature(self) -> None:
        [night] = nightly_minimums(
            [_obs(datetime(2016, 1, 22, 23), -5.0, None)],  # noqa: DTZ001 - Beijing wall clock
            zone=BEIJING,
        )
        assert night.min_feels_like_c == -5.0
        assert night.hours_without_wind == 1

    def test_same_day_window(self) -> None:
        observations = [_obs(datetime(2016, 1, 22, h), -float(h), 0.0) for h in range(24)]  # noqa: DTZ001 - Beijing wall clock
        [night] = nightly_minimums(observations, zone=BEIJING, night_start=0, night_end=6)
        assert (night.night_on, night.hours, night.min_temperature_c) == (date(2016, 1, 22), 6, -5)

    @pytest.mark.parametrize(("start", "end"), [(18, 18), (24, 8), (18, -1)])
    def test_bad_hours_refused(self, start: int, end: int) -> None:
        with pytest.raises(InvalidInputError):
            nightly_minimums([], zone=BEIJING, night_start=start, night_end=end)

    def test_naive_time_refused(self) -> None:
        with pytest.raises(InvalidInputError, match="aware UTC"):
            Observation(datetime(2016, 1, 22, 18), -5.0, None, "test")  # noqa: DTZ001 - the point
