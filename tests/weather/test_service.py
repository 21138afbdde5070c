"""Storing CAP alerts: every real file, idempotence, the Taiwan chain, and region matching.

Region centres come from `tests.factories.weather`; which alerts cover which regions was read
from the files (their geocodes and polygon), not computed with the code under test.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from streetrelief.core.errors import CapParseError
from streetrelief.db.outbox import Event, events_after
from streetrelief.weather.geocode_tables import load_geocode_tables
from streetrelief.weather.models import Alert, AlertState, AreaMatch
from streetrelief.weather.service import (
    ingest_alert_bytes,
    ingest_path,
    list_alerts,
    require_alert,
)
from tests.factories.weather import FENGLIN_CENTRE, XIULIN_CENTRE, cap_message, taiwan_tree

NOW = datetime(2024, 4, 22, 14, 0, tzinfo=UTC)
CHAIN = [
    "taiwan_cwa_heavy_rain_1_alert_zh-TW_2024-04-22T1412.xml",
    "taiwan_cwa_heavy_rain_2_update_zh-TW_2024-04-22T1457.xml",
    "taiwan_cwa_heavy_rain_3_update_zh-TW_2024-04-22T1712.xml",
    "taiwan_cwa_heavy_rain_4_cancel_zh-TW_2024-04-22T2113.xml",
]
REFUSED = {
    "nws_flash_flood_watch_cap11_2010-08-30.xml": "CAP 1.1 message",
    "meteoalarm_uk_feed_ice_snow_2022-12-07.atom.xml": "Atom index of alerts",
}
ALERTS_IN_FOLDER = 30  # 14 single-alert files + the SMHI collection of 17 - the 2 refused


@pytest.fixture
def cap_dir(shared_data: Path) -> Path:
    """The real CAP alert files."""
    return shared_data / "cap_alerts"


def _count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Alert)) or 0


def _ingest(session: Session, cap_dir: Path, name: str) -> Alert:
    [result] = ingest_alert_bytes(session, (cap_dir / name).read_bytes(), source=name, now=NOW)
    return require_alert(session, result.alert_id)


def _codes(alert: Alert) -> dict[str, AreaMatch]:
    return {r.region_code: r.matched_by for r in alert.regions}


class TestIngestFolder:
    def test_real_folder_stores_cap12_and_refuses_the_rest_with_reasons(
        self, session: Session, cap_dir: Path
    ) -> None:
        report = ingest_path(session, cap_dir, now=NOW)
        refused = {Path(f.source).name: f.refused for f in report.files if f.refused}
        assert set(refused) == set(REFUSED)
        for name, reason in REFUSED.items():
            assert reason in (refused[name] or "")
        assert report.stored == ALERTS_IN_FOLDER == _count(session)
        assert report.duplicates == 0

    def test_second_run_stores_nothing_new(self, session: Session, cap_dir: Path) -> None:
        ingest_path(session, cap_dir, now=NOW)
        events = len(events_after(session, 0, limit=10_000))
        again = ingest_path(session, cap_dir, now=NOW)
        assert (again.stored, again.duplicates) == (0, ALERTS_IN_FOLDER)
        assert _count(session) == ALERTS_IN_FOLDER
        assert len(events_after(session, 0, limit=10_000)) == events

    def test_bad_file_is_skipped_and_the_others_load(
        self, session: Session, tmp_path: Path
    ) -> None:
        (tmp_path / "a_bad.xml").write_bytes(b"<alert><unclosed></alert>")
        (tmp_path / "b_good.xml").write_bytes(cap_message())
        (tmp_path / "notes.txt").write_text("not CAP", encoding="utf-8")
        report = ingest_path(session, tmp_path, now=NOW)
        assert [Path(f.source).name for f in report.files] == ["a_bad.xml", "b_good.xml"]
        assert report.files[0].refused
        assert report.stored == 1

    def test_bad_input_changes_nothing_stored(self, session: Session) -> None:
        ingest_alert_bytes(session, cap_message(), source="t", now=NOW)
        with pytest.raises(CapParseError):
            ingest_alert_bytes(session, b"<alert>", source="t", now=NOW)
        assert _count(session) == 1


class TestTaiwanChain:
    def test_alert_update_update_cancel_ends_cancelled(
        self, session: Session, cap_dir: Path
    ) -> None:
        taiwan_tree(session)
        first, second, third, cancel = (_ingest(session, cap_dir, n) for n in CHAIN)
        session.expire_all()
        states = [require_alert(session, a.id) for a in (first, second, third, cancel)]
        assert [a.state for a in states] == [
            AlertState.superseded,
            AlertState.superseded,
            AlertState.cancelled,
            AlertState.cancelled,
        ]
        assert [a.ended_by_id for a in states[:3]] == [second.id, third.id, cancel.id]
        assert list_alerts(session, active_at=datetime(2024, 4, 22, 8, 0, tzinfo=UTC)) == []
        types = [e.type for e in events_after(session, 0) if e.type.startswith("alert.")]
        assert types.count("alert.received") == 4
        assert types.count("alert.superseded") == 2
        assert types.count("alert.cancelled") == 1

    def test_first_alert_is_in_force_and_matched_by_geocode(
        self, session: Session, cap_dir: Path
    ) -> None:
        taiwan_tree(session)
        first = _ingest(session, cap_dir, CHAIN[0])
        assert first.state == AlertState.in_force
        # The alert names all 13 Hualien townships; the tree has three of them.
        assert _codes(first) == dict.fromkeys(["1001502", "1001504", "1001511"], AreaMatch.geocode)
        at = datetime(2024, 4, 22, 7, 0, tzinfo=UTC)
        assert [a.id for a in list_alerts(session, region_code="10015", active_at=at)] == [first.id]
        assert list_alerts(session, region_code="10005", active_at=at) == []

    def test_cancel_before_its_alert_is_kept_and_applied_on_arrival(
        self, session: Session, cap_dir: Path
    ) -> None:
        cancel = _ingest(session, cap_dir, CHAIN[3])
        third = _ingest(session, cap_dir, CHAIN[2])
        assert third.state == AlertState.cancelled
        assert third.ended_by_id == cancel.id
        second = _ingest(session, cap_dir, CHAIN[1])
        assert second.state == AlertState.superseded


class TestShapes:
    def test_real_polygon_matches_the_township_whose_centre_it_holds(
        self, session: Session, cap_dir: Path
    ) -> None:
        taiwan_tree(session)
        alert = _ingest(session, cap_dir, "taiwan_cwa_thunderstorm_polygon_zh-TW_2024-04-22.xml")
        assert _codes(alert) == {"1001511": AreaMatch.polygon}

    def test_circle_of_radius_zero_is_the_point_region(self, session: Session) -> None:
        taiwan_tree(session)
        lat, lon = FENGLIN_CENTRE
        area = f"<areaDesc>a point</areaDesc><circle>{lat + 0.01},{lon - 0.01} 0</circle>"
        [result] = ingest_alert_bytes(session, cap_message(area=area), source="t", now=NOW)
        assert result.region_codes == ["1001502"]
        assert _codes(require_alert(session, result.alert_id)) == {"1001502": AreaMatch.circle}

    def test_circle_covers_centres_within_its_radius(self, session: Session) -> None:
        taiwan_tree(session)
        lat, lon = XIULIN_CENTRE
        area = f"<areaDesc>10 km</areaDesc><circle>{lat},{lon} 10</circle>"
        [result] = ingest_alert_bytes(session, cap_message(area=area), source="t", now=NOW)
        assert result.region_codes == ["1001504", "1001511"]


class TestGeocodes:
    AREA = (
        "<areaDesc>made up</areaDesc>"
        "<geocode><valueName>MADE_UP_SYSTEM</valueName><value>X1</value></geocode>"
        "<geocode><valueName>Taiwan_Geocode_103</valueName><value> 09007 </value></geocode>"
    )

    def test_unknown_system_is_skipped_not_fatal(self, session: Session) -> None:
        taiwan_tree(session)
        [result] = ingest_alert_bytes(session, cap_message(area=self.AREA), source="t", now=NOW)
        assert result.skipped_geocode_systems == ["MADE_UP_SYSTEM"]
        assert result.region_codes == ["09007"]

    def test_user_table_adds_a_system(self, session: Session, tmp_path: Path) -> None:
        taiwan_tree(session)
        (tmp_path / "mine.yaml").write_text(
            "systems: [MADE_UP_SYSTEM]\ncodes:\n  X1: '1000512'\n", encoding="utf-8"
        )
        tables = load_geocode_tables(tmp_path)
        [result] = ingest_alert_bytes(
            session, cap_message(area=self.AREA), source="t", now=NOW, tables=tables
        )
        assert result.skipped_geocode_systems == []
        assert result.region_codes == ["09007", "1000512"]

    def test_iso3166_table_maps_beijing(self, session: Session) -> None:
        assert load_geocode_tables().region_code("ISO3166-2", " CN-BJ ") == "11"


def test_received_event_names_the_regions(session: Session, cap_dir: Path) -> None:
    taiwan_tree(session)
    alert = _ingest(session, cap_dir, "taiwan_cwa_dense_fog_zh-TW_2024-04-23.xml")
    [event] = [e for e in session.scalars(select(Event)) if e.subject_id == alert.id]
    assert event.type == "alert.received"
    assert event.payload["region_codes"] == ["09007"]
