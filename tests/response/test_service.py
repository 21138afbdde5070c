"""Response levels per region: the real CWA chain, inheritance, overrides and readings."""

from __future__ import annotations

import csv
import gzip
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from streetrelief.core.clock import FixedClock
from streetrelief.core.errors import (
    InvalidInputError,
    PolicyError,
    ResponseNotConfiguredError,
    UnknownRegionError,
)
from streetrelief.db.outbox import Event
from streetrelief.response.levels import ResponseLevel
from streetrelief.response.schemas import WeatherReading
from streetrelief.response.service import (
    clear_override,
    configure_region,
    current_level,
    list_levels,
    override_level,
    reassess_region,
)
from streetrelief.weather.observations import BEIJING
from streetrelief.weather.service import import_observations, ingest_path
from tests.factories.regions import beijing_tree
from tests.factories.response import CWA_CHAIN, FENGLIN, sent_at
from tests.factories.weather import taiwan_tree

CITY = "1101"
DISTRICT = "110105"


def _level_events(session: Session, region_code: str) -> list[Event]:
    stmt = select(Event).where(
        Event.type == "response.level_changed", Event.region_code == region_code
    )
    return list(session.scalars(stmt.order_by(Event.id)))


class TestTaiwanChain:
    def test_chain_raises_holds_and_ends_after_hold(
        self, session: Session, clock: FixedClock, shared_data: Path
    ) -> None:
        taiwan_tree(session)
        configure_region(session, FENGLIN, "taiwan_cwa", now=sent_at(CWA_CHAIN[0][1]))
        levels = []
        for name, sent in CWA_CHAIN:
            clock.set(sent_at(sent))
            ingest_path(session, shared_data / "cap_alerts" / name, now=clock.now())
            levels.append(reassess_region(session, FENGLIN, now=clock.now()).response.level)
        # Alert yellow → III; Update orange → II; Update yellow and Cancel: II is held.
        assert levels == ["III", "II", "II", "II"]

        last = sent_at(CWA_CHAIN[-1][1])
        held = reassess_region(session, FENGLIN, now=last + timedelta(hours=4))
        assert (held.response.level, held.is_held) == ("II", True)
        # 12 h after the orange Update the level steps down to III, 12 h after the yellow
        # Update it ends.
        clock.set(sent_at(CWA_CHAIN[1][1]) + timedelta(hours=12, minutes=1))
        assert reassess_region(session, FENGLIN, now=clock.now()).response.level == "III"
        clock.set(sent_at(CWA_CHAIN[2][1]) + timedelta(hours=12, minutes=1))
        ended = reassess_region(session, FENGLIN, now=clock.now())
        assert (ended.response.level, ended.has_changed) == ("none", True)

        effective = current_level(session, FENGLIN)
        history = list(reversed(effective.history))
        assert [(a.from_level, a.to_level) for a in history] == [
            ("none", "III"),
            ("III", "II"),
            ("II", "III"),
            ("III", "none"),
        ]
        assert [a.trigger_kind for a in history] == ["warning", "warning", "warning", "none"]
        assert {a.trigger_rule for a in history[:3]} == {"cwa_heavy_rain"}
        assert history[0].trigger_warning == "CWA-Weather_extremely-rain_202404221405001"
        assert history[1].trigger_warning == "CWA-Weather_extremely-rain_202404221445001"
        assert history[2].trigger_warning == "CWA-Weather_extremely-rain_202404221705001"
        events = _level_events(session, FENGLIN)
        assert [(e.payload["from_level"], e.payload["to_level"]) for e in events] == [
            (a.from_level, a.to_level) for a in history
        ]
        assert [e.subject_id for e in events] == [a.id for a in history]

    def test_township_outside_the_alerts_stays_none(
        self, session: Session, clock: FixedClock, shared_data: Path
    ) -> None:
        taiwan_tree(session)
        configure_region(session, "1000512", "taiwan_cwa", now=sent_at(CWA_CHAIN[0][1]))
        name, sent = CWA_CHAIN[0]
        ingest_path(session, shared_data / "cap_alerts" / name, now=sent_at(sent))
        result = reassess_region(session, "1000512", now=sent_at(sent))
        assert (result.response.level, result.has_changed) == ("none", False)
        assert _level_events(session, "1000512") == []


class TestReadings:
    @pytest.mark.parametrize(
        ("temperature_c", "wind_speed_kmh", "level", "rule"),
        [
            (-16.0, None, "III", "ecwa_temperature"),
            (-10.0, 40.0, "III", "ecwa_wind_chill"),
            (-6.0, None, "IV", "warming_centres"),
            (-2.0, 40.0, "none", None),
        ],
    )
    def test_toronto_region_rises_at_once_below_threshold(
        self,
        session: Session,
        clock: FixedClock,
        temperature_c: float,
        wind_speed_kmh: float | None,
        level: str,
        rule: str | None,
    ) -> None:
        beijing_tree(session)
        configure_region(session, CITY, "toronto", now=clock.now())
        reading = WeatherReading(temperature_c=temperature_c, wind_speed_kmh=wind_speed_kmh)
        result = reassess_region(session, CITY, now=clock.now(), conditions=reading)
        assert result.response.level == level
        assert result.response.trigger.rule == rule
        assert len(_level_events(session, CITY)) == (0 if level == "none" else 1)

    def test_district_inherits_its_citys_level(self, session: Session, clock: FixedClock) -> None:
        beijing_tree(session)
        configure_region(session, CITY, "toronto", now=clock.now())
        reassess_region(
            session, CITY, now=clock.now(), conditions=WeatherReading(temperature_c=-16)
        )
        district = current_level(session, DISTRICT)
        assert (district.level, district.colour, district.is_inherited) == ("III", "yellow", True)
        assert district.from_region_code == CITY
        assert len(district.history) == 1
        above = current_level(session, "11")
        assert (above.level, above.from_region_code) == ("none", None)
        assert [r.region_code for r in list_levels(session, region_code="11")] == [CITY]
        assert list_levels(session, region_code=DISTRICT) == []


class TestOverride:
    def test_override_wins_until_its_end(self, session: Session, clock: FixedClock) -> None:
        beijing_tree(session)
        configure_region(session, CITY, "toronto", now=clock.now())
        start = clock.now()
        result = override_level(
            session,
            CITY,
            ResponseLevel.II,
            reason="blizzard forecast, shelters full",
            until=start + timedelta(hours=2),
            by="duty leader Wang",
            now=start,
        )
        assert (result.response.level, result.response.trigger.kind) == ("II", "override")
        assert result.activation is not None
        assert result.activation.is_override
        assert result.activation.by == "duty leader Wang"
        assert result.activation.reason == "blizzard forecast, shelters full"

        mild = WeatherReading(temperature_c=5)
        inside = reassess_region(session, CITY, now=start + timedelta(hours=1), conditions=mild)
        assert inside.response.level == "II"
        after = reassess_region(session, CITY, now=start + timedelta(hours=3), conditions=mild)
        assert (after.response.level, after.has_changed) == ("none", True)
        assert after.activation is not None
        assert not after.activation.is_override
        assert len(_level_events(session, CITY)) == 2

    def test_cleared_override_falls_back_to_policy(
        self, session: Session, clock: FixedClock
    ) -> None:
        beijing_tree(session)
        configure_region(session, CITY, "toronto", now=clock.now())
        override_level(
            session, CITY, ResponseLevel.I, reason="drill", until=None, by="", now=clock.now()
        )
        assert current_level(session, CITY).response is not None
        cleared = clear_override(session, CITY, now=clock.now() + timedelta(minutes=5))
        assert cleared.response.level == "none"
        assert cleared.response.override_until is None

    @pytest.mark.parametrize("reason", ["", "   "])
    def test_override_without_reason_is_refused(
        self, session: Session, clock: FixedClock, reason: str
    ) -> None:
        beijing_tree(session)
        configure_region(session, CITY, "toronto", now=clock.now())
        with pytest.raises(InvalidInputError, match="reason"):
            override_level(
                session, CITY, ResponseLevel.I, reason=reason, until=None, by="", now=clock.now()
            )

    def test_override_ending_in_the_past_is_refused(
        self, session: Session, clock: FixedClock
    ) -> None:
        beijing_tree(session)
        configure_region(session, CITY, "toronto", now=clock.now())
        with pytest.raises(InvalidInputError, match="end after now"):
            override_level(
                session,
                CITY,
                ResponseLevel.I,
                reason="x",
                until=clock.now() - timedelta(hours=1),
                by="",
                now=clock.now(),
            )


class TestBadInput:
    def test_unknown_preset_is_refused(self, session: Session, clock: FixedClock) -> None:
        beijing_tree(session)
        with pytest.raises(PolicyError, match="unknown response preset"):
            configure_region(session, CITY, "atlantis", now=clock.now())

    def test_unknown_region_is_refused(self, session: Session, clock: FixedClock) -> None:
        with pytest.raises(UnknownRegionError):
            configure_region(session, "nowhere", "toronto", now=clock.now())

    def test_reassess_without_configuration_is_refused(
        self, session: Session, clock: FixedClock
    ) -> None:
        beijing_tree(session)
        with pytest.raises(ResponseNotConfiguredError):
            reassess_region(session, DISTRICT, now=clock.now())

    def test_reassess_before_the_last_one_is_refused(
        self, session: Session, clock: FixedClock
    ) -> None:
        beijing_tree(session)
        configure_region(session, CITY, "toronto", now=clock.now())
        reassess_region(session, CITY, now=clock.now())
        with pytest.raises(InvalidInputError, match="before the last one"):
            reassess_region(session, CITY, now=clock.now() - timedelta(minutes=1))

    def test_reconfigure_keeps_the_level(self, session: Session, clock: FixedClock) -> None:
        beijing_tree(session)
        configure_region(session, CITY, "toronto", now=clock.now())
        reassess_region(
            session, CITY, now=clock.now(), conditions=WeatherReading(temperature_c=-16)
        )
        row = configure_region(session, CITY, "china", province="110000", now=clock.now())
        assert (row.preset, row.province, row.level) == ("china", "110000", 2)


def _coldest_dongsi_hour(path: Path) -> tuple[datetime, float]:
    """The coldest complete hour of the raw Dongsi file (UTC) and its temperature, via csv."""
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if "NA" not in (r["TEMP"], r["WSPM"])]
    coldest = min(rows, key=lambda r: float(r["TEMP"]))
    local = datetime(  # noqa: DTZ001 - the zone is attached on the next line
        int(coldest["year"]), int(coldest["month"]), int(coldest["day"]), int(coldest["hour"])
    )
    return local.replace(tzinfo=BEIJING).astimezone(UTC), float(coldest["TEMP"])


class TestStoredReadings:
    def test_toronto_district_rises_to_iii_from_the_stored_coldest_hour(
        self, session: Session, shared_data: Path
    ) -> None:
        beijing_tree(session)
        path = shared_data / "weather" / "beijing_multisite_PRSA_Dongsi_hourly_2013-2017.csv.gz"
        coldest_at, coldest_c = _coldest_dongsi_hour(path)
        # The readings belong to the city; the district reads them as its nearest ancestor's.
        import_observations(session, path, region_code="11")
        configure_region(session, "110101", "toronto", now=coldest_at - timedelta(days=1))

        result = reassess_region(session, "110101", now=coldest_at)

        assert coldest_c <= -15
        assert (result.response.level, result.has_changed) == ("III", True)
        assert result.response.trigger.kind == "condition"
        assert result.response.trigger.reading_c is not None
        assert result.response.trigger.reading_c <= coldest_c

    def test_explicit_reading_wins_and_stale_reading_counts_as_none(
        self, session: Session, tmp_path: Path
    ) -> None:
        beijing_tree(session)
        path = tmp_path / "cold.csv"
        path.write_text(
            '"No","year","month","day","hour","TEMP","WSPM","station"\n'
            '1,2016,1,22,6,-16.0,1.0,"Dongsi"\n',
            encoding="utf-8",
        )
        import_observations(session, path, region_code="11")
        reading_at = datetime(2016, 1, 21, 22, 0, tzinfo=UTC)
        configure_region(session, "110101", "toronto", now=reading_at)
        mild = WeatherReading(temperature_c=-2.0)

        given = reassess_region(session, "110101", now=reading_at, conditions=mild)
        assert given.response.level == "none"

        configure_region(session, "110105", "toronto", now=reading_at)
        stale = reassess_region(session, "110105", now=reading_at + timedelta(hours=4))
        assert stale.response.level == "none"
        configure_region(session, "110108", "toronto", now=reading_at)
        fresh = reassess_region(session, "110108", now=reading_at + timedelta(hours=2))
        assert (fresh.response.level, fresh.response.trigger.reading_c) == ("III", -16.0)


class TestLocalRulesOverSeveralDays:
    """Beijing's 持续低温 rules read the minimums of the nights before the reading."""

    @staticmethod
    def _hourly(session: Session, end: datetime, hours: int, temperature_c: float) -> None:
        from streetrelief.weather.models import WeatherObservation  # noqa: PLC0415

        for h in range(hours):
            session.add(
                WeatherObservation(
                    region_code="11",
                    observed_at=end - timedelta(hours=h),
                    is_forecast=False,
                    station="test",
                    temperature_c=temperature_c,
                    wind_speed_kmh=None,
                    wind_chill_c=None,
                    source="test",
                )
            )
        session.flush()

    def test_province_comes_from_the_region(self, session: Session, clock: FixedClock) -> None:
        beijing_tree(session)
        row = configure_region(session, "1101", "china", now=clock.now())
        assert row.province == "110000"
        for wrong in ("99", "110101", "beijing"):
            with pytest.raises(InvalidInputError, match="province-level code"):
                configure_region(session, "1101", "china", province=wrong, now=clock.now())
        assert (
            configure_region(session, "1101", "china", province="31", now=clock.now()).province
            == "310000"
        )

    @pytest.mark.parametrize(
        ("temperature_c", "level"),
        [(-15.0, ResponseLevel.III), (-11.0, ResponseLevel.IV), (-9.0, ResponseLevel.none)],
    )
    def test_three_cold_nights_raise_the_level_live(
        self, session: Session, clock: FixedClock, temperature_c: float, level: ResponseLevel
    ) -> None:
        beijing_tree(session)
        configure_region(session, "1101", "china", now=clock.now())
        self._hourly(session, clock.now(), 4 * 24, temperature_c)
        result = reassess_region(session, "1101", now=clock.now())
        assert result.response.level == level.name

    def test_a_missing_night_breaks_the_run(self, session: Session, clock: FixedClock) -> None:
        beijing_tree(session)
        configure_region(session, "1101", "china", now=clock.now())
        self._hourly(session, clock.now(), 30, -15.0)  # tonight and last night only
        self._hourly(session, clock.now() - timedelta(hours=54), 12, -15.0)  # not 2 nights ago
        assert reassess_region(session, "1101", now=clock.now()).response.level == "none"
