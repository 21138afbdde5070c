"""CAP 1.2 parsing: every real alert file, the Taiwan Update/Cancel chain, and hostile input.

The expected identifiers and counts were read from the files by eye and grep (``grep -c '<info>'``,
``grep -c '<area>'``), not computed with the code under test.
"""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path

import pytest

from streetrelief.core.errors import CapParseError, InvalidInputError
from streetrelief.weather.cap import CapCircle, parse_atom_index, parse_cap

CAP12 = "urn:oasis:names:tc:emergency:cap:1.2"


@pytest.fixture(scope="module")
def cap_dir(shared_data: Path) -> Path:
    """The real CAP alert files."""
    return shared_data / "cap_alerts"


def _read(cap_dir: Path, name: str) -> bytes:
    return (cap_dir / name).read_bytes()


# file, alerts in it, first identifier, msgTypes, <info> count, <area> count (all alerts)
PARSES = [
    ("dwd_frost_de_2015-11-02.xml", 1, "2.49.0.1.276.DWD.PVW.1446444767375.49", {"Alert"}, 1, 69),
    (
        "dwd_heavy_rain_8_languages_2023-06-23.xml",
        1,
        "2.49.0.0.276.0.DWD.PVW.1687511640000.0d1a4fb5-251a-46fc-aae3-a688d2021e71.MUL",
        {"Update"},
        8,
        32,
    ),
    (
        "eccc_special_weather_statement_en_fr_2019-07-12.xml",
        1,
        "urn:oid:2.49.0.1.124.3026064006.2019",
        {"Alert"},
        2,
        2,
    ),
    (
        "eccc_thunderstorm_watch_update_en_fr_2012-05-02.xml",
        1,
        "2.49.0.1.124.6bddbc91.2012",
        {"Update"},
        2,
        4,
    ),
    (
        "meteoalarm_fr_avalanche_fr_en_update_2022-12-07.xml",
        1,
        "2.49.0.0.250.0.FR.20221207060126.964028",
        {"Update"},
        2,
        12,
    ),
    (
        "meteoalarm_uk_ni_ice_warning_2022-12-07.xml",
        1,
        "2.49.0.0.826.0.GB_221207102835_a705d176.v1.0.SI",
        {"Alert"},
        1,
        10,
    ),
    (
        "smhi_alerts_collection_heavy_snow_2019-03-12.xml",
        17,
        "smhi-bpm-1552396920785",
        {"Alert"},
        17,
        17,
    ),
    (
        "taiwan_cwa_dense_fog_zh-TW_2024-04-23.xml",
        1,
        "CWA-Weather_dense-fog_202404230050001",
        {"Alert"},
        1,
        1,
    ),
    (
        "taiwan_cwa_heavy_rain_1_alert_zh-TW_2024-04-22T1412.xml",
        1,
        "CWA-Weather_extremely-rain_202404221405001",
        {"Alert"},
        1,
        13,
    ),
    (
        "taiwan_cwa_heavy_rain_2_update_zh-TW_2024-04-22T1457.xml",
        1,
        "CWA-Weather_extremely-rain_202404221445001",
        {"Update"},
        2,
        21,
    ),
    (
        "taiwan_cwa_heavy_rain_3_update_zh-TW_2024-04-22T1712.xml",
        1,
        "CWA-Weather_extremely-rain_202404221705001",
        {"Update"},
        1,
        21,
    ),
    (
        "taiwan_cwa_heavy_rain_4_cancel_zh-TW_2024-04-22T2113.xml",
        1,
        "CWA-Weather_extremely-rain_202404222105001",
        {"Cancel"},
        1,
        22,
    ),
    (
        "taiwan_cwa_thunderstorm_polygon_zh-TW_2024-04-22.xml",
        1,
        "cwa.gov.tw_thunderstorm_20240422142300_000",
        {"Alert"},
        1,
        1,
    ),
    (
        "taiwan_wra_reservoir_release_zh-tw_2014-05-14.xml",
        1,
        "WRA_ReservoirWarn_201405142010",
        {"Alert"},
        1,
        1,
    ),
]

# file, why it is refused by parse_cap
REFUSED = [
    ("nws_flash_flood_watch_cap11_2010-08-30.xml", "CAP 1.1 message"),
    ("meteoalarm_uk_feed_ice_snow_2022-12-07.atom.xml", "Atom index of alerts"),
]


class TestRealFiles:
    def test_every_file_is_in_a_table(self, cap_dir: Path) -> None:
        named = {row[0] for row in PARSES} | {row[0] for row in REFUSED}
        assert {path.name for path in cap_dir.glob("*.xml")} == named

    @pytest.mark.parametrize(
        ("name", "n_alerts", "identifier", "msg_types", "n_infos", "n_areas"), PARSES
    )
    def test_real_alert_parses_with_expected_shape(
        self,
        cap_dir: Path,
        name: str,
        n_alerts: int,
        identifier: str,
        msg_types: set[str],
        n_infos: int,
        n_areas: int,
    ) -> None:
        data = _read(cap_dir, name)
        alerts = parse_cap(data, source=name)
        assert len(alerts) == n_alerts
        assert alerts[0].identifier == identifier
        assert {alert.msg_type for alert in alerts} == msg_types
        assert sum(len(alert.infos) for alert in alerts) == n_infos
        assert sum(len(info.areas) for alert in alerts for info in alert.infos) == n_areas
        assert all(alert.raw == data and alert.source == name for alert in alerts)
        assert all(alert.cap_version == "1.2" for alert in alerts)
        assert all(alert.sent.tzinfo is UTC for alert in alerts)

    @pytest.mark.parametrize(("name", "reason"), REFUSED)
    def test_non_cap12_file_is_refused_with_reason(
        self, cap_dir: Path, name: str, reason: str
    ) -> None:
        with pytest.raises(CapParseError, match=reason) as caught:
            parse_cap(_read(cap_dir, name), source=name)
        assert isinstance(caught.value, InvalidInputError)
        assert caught.value.source == name

    def test_atom_feed_lists_its_cap_links_once(self, cap_dir: Path) -> None:
        urls = parse_atom_index(_read(cap_dir, "meteoalarm_uk_feed_ice_snow_2022-12-07.atom.xml"))
        base = "https://feeds.meteoalarm.org/api/v1/warnings/feeds-united-kingdom/"
        # 25 entries link to 4 distinct CAP documents (grep 'type="application/cap+xml"' | sort -u)
        assert sorted(urls) == sorted(
            base + uid
            for uid in (
                "3a6219b9-3875-4cb9-9c0d-874f619ec0b2",
                "8dc8fa43-1146-455e-b831-4449ac7e10af",
                "a4647d38-40ea-4c01-b874-4e2b3df383b9",
                "bca9d20a-3857-4406-814e-19d011cb3d14",
            )
        )

    def test_cap_file_is_not_an_atom_feed(self, cap_dir: Path) -> None:
        with pytest.raises(CapParseError, match="not an Atom feed"):
            parse_atom_index(_read(cap_dir, "taiwan_cwa_dense_fog_zh-TW_2024-04-23.xml"))


class TestValues:
    def test_taiwan_chain_references_point_to_previous_messages(self, cap_dir: Path) -> None:
        names = [row[0] for row in PARSES if row[0].startswith("taiwan_cwa_heavy_rain_")]
        chain = [parse_cap(_read(cap_dir, name), source=name)[0] for name in names]
        assert [alert.msg_type for alert in chain] == ["Alert", "Update", "Update", "Cancel"]
        assert chain[0].references == ()
        expected = [
            (
                "CWA-Weather_extremely-rain_202404221405001",
                datetime(2024, 4, 22, 6, 12, 13, tzinfo=UTC),
            ),
            (
                "CWA-Weather_extremely-rain_202404221445001",
                datetime(2024, 4, 22, 6, 57, 48, tzinfo=UTC),
            ),
            (
                "CWA-Weather_extremely-rain_202404221705001",
                datetime(2024, 4, 22, 9, 12, 20, tzinfo=UTC),
            ),
        ]
        for alert, (identifier, sent) in zip(chain[1:], expected, strict=True):
            (reference,) = alert.references
            assert reference.sender == "weather@cwa.gov.tw"
            assert reference.identifier == identifier
            assert reference.sent == sent
        for earlier, later in pairwise(chain):
            assert later.references[0].identifier == earlier.identifier

    def test_eccc_update_keeps_both_references(self, cap_dir: Path) -> None:
        name = "eccc_thunderstorm_watch_update_en_fr_2012-05-02.xml"
        (alert,) = parse_cap(_read(cap_dir, name), source=name)
        assert [r.identifier for r in alert.references] == [
            "2.49.0.1.124.a3f342a4.2012",
            "2.49.0.1.124.60f31a3a.2012",
        ]
        assert alert.sent == datetime(2012, 5, 2, 23, 21, 4, tzinfo=UTC)  # "-00:00" is UTC

    def test_offset_is_converted_to_utc(self, cap_dir: Path) -> None:
        name = "dwd_heavy_rain_8_languages_2023-06-23.xml"
        (alert,) = parse_cap(_read(cap_dir, name), source=name)
        assert alert.sent == datetime(2023, 6, 23, 9, 14, tzinfo=UTC)  # 11:14+02:00
        assert {info.language[:2] for info in alert.infos} == {
            "de",
            "en",
            "es",
            "fr",
            "pl",
            "ru",
            "tr",
            "ar",
        }

    def test_polygon_is_lat_first_closed_ring(self, cap_dir: Path) -> None:
        name = "taiwan_cwa_thunderstorm_polygon_zh-TW_2024-04-22.xml"
        (alert,) = parse_cap(_read(cap_dir, name), source=name)
        (area,) = alert.infos[0].areas
        (ring,) = area.polygons
        assert area.area_desc == "花蓮縣三棧溪"
        assert ring[0] == (24.102318, 121.623587)
        assert ring[0] == ring[-1]
        assert len(ring) == 5
        assert area.geocodes == ()

    def test_geocodes_are_value_name_pairs(self, cap_dir: Path) -> None:
        name = "meteoalarm_uk_ni_ice_warning_2022-12-07.xml"
        (alert,) = parse_cap(_read(cap_dir, name), source=name)
        assert all(
            value_name == "EMMA_ID" and value.startswith("UK")
            for area in alert.infos[0].areas
            for value_name, value in area.geocodes
        )

    def test_missing_language_defaults_to_en_us_and_values_are_stripped(self) -> None:
        (alert,) = parse_cap(
            _alert(info="\n  <event>  Extreme cold \n</event>", sent="2026-01-20T22:00:00+08:00"),
            source="test",
        )
        (info,) = alert.infos
        assert info.language == "en-US"
        assert info.event == "Extreme cold"
        assert alert.sent == datetime(2026, 1, 20, 14, 0, tzinfo=UTC)

    def test_circle_radius_zero_is_a_point(self) -> None:
        (alert,) = parse_cap(_alert(area="<circle> 39.9,116.4 0 </circle>"), source="test")
        assert alert.infos[0].areas[0].circles == (CapCircle(39.9, 116.4, 0.0),)

    def test_empty_collection_is_no_alerts(self) -> None:
        assert parse_cap(f'<alerts xmlns="{CAP12}"/>'.encode(), source="test") == []


def _alert(
    *,
    identifier: str = "<identifier>SR-TEST-1</identifier>",
    sent: str = "2026-01-20T22:00:00+08:00",
    info: str = "<event>Cold wave</event>",
    area: str = "",
) -> bytes:
    """A minimal schema-valid CAP 1.2 alert with one info block and one area."""
    event = info if "<event>" in info else f"{info}<event>Cold wave</event>"
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="{CAP12}">
  {identifier}
  <sender>test@example.org</sender>
  <sent>{sent}</sent>
  <status>Actual</status>
  <msgType>Alert</msgType>
  <scope>Public</scope>
  <info>
    <category>Met</category>
    {event}
    <urgency>Immediate</urgency>
    <severity>Severe</severity>
    <certainty>Observed</certainty>
    <area><areaDesc>Test area</areaDesc>{area}</area>
  </info>
</alert>""".encode()


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol9 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
]>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>&lol9;</identifier></alert>"""

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE alert [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>&xxe;</identifier></alert>"""

EXTERNAL_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE alert SYSTEM "http://example.org/evil.dtd">
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"/>"""


class TestBadInput:
    @pytest.mark.parametrize(
        ("data", "message"),
        [
            pytest.param(BILLION_LAUGHS, "XML bombs", id="billion-laughs"),
            pytest.param(XXE, "external-entity", id="xxe-etc-passwd"),
            pytest.param(EXTERNAL_DTD, "DOCTYPE", id="external-dtd"),
            pytest.param(
                b'<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>x</alert>',
                r"malformed XML at line 1, column \d+",
                id="malformed",
            ),
            pytest.param(
                b"<!DOCTYPE html>\n<html><body><h1>502 Bad Gateway</h1></body></html>",
                "HTML page",
                id="html",
            ),
            pytest.param(
                b'<html xmlns="http://www.w3.org/1999/xhtml"><body/></html>',
                "HTML page",
                id="xhtml",
            ),
            pytest.param(b"  \n", "empty document", id="empty"),
            pytest.param(b'<rss version="2.0"/>', "not a CAP 1.2 message", id="rss"),
            pytest.param(
                _alert(identifier=""), "not valid CAP 1.2.*identifier", id="missing-identifier"
            ),
            pytest.param(
                _alert().replace(b"<urgency>Immediate", b"<urgency>Very"),
                "not valid CAP 1.2.*/alert/info/urgency",
                id="schema-invalid-urgency",
            ),
            pytest.param(
                _alert(area="<polygon>39.9,116.4 40.0,116.5 40.0 39.9,116.4</polygon>"),
                "'40.0' is not a 'lat,lon' pair",
                id="polygon-odd-numbers",
            ),
            pytest.param(
                _alert(area="<polygon>39.9,116.4 40.0,116.5 40.0,116.3 39.8,116.2</polygon>"),
                "polygon is not closed",
                id="polygon-not-closed",
            ),
            pytest.param(
                _alert(area="<polygon>39.9,116.4 40.0,116.5 39.9,116.4</polygon>"),
                "at least 4",
                id="polygon-too-short",
            ),
            pytest.param(
                _alert(area="<polygon>95.0,116.4 40.0,116.5 40.0,116.3 95.0,116.4</polygon>"),
                "outside WGS-84",
                id="polygon-latitude-out-of-range",
            ),
            pytest.param(
                _alert(area="<circle>39.9,116.4 -5</circle>"),
                "circle radius -5.0 km is negative",
                id="circle-negative-radius",
            ),
            pytest.param(
                _alert(area="<circle>39.9,116.4</circle>"),
                "not 'lat,lon radius_km'",
                id="circle-without-radius",
            ),
            pytest.param(
                _alert().replace(
                    b"<scope>Public</scope>",
                    b"<scope>Public</scope><references>a@b,only-two</references>",
                ),
                "is not 'sender,identifier,sent'",
                id="reference-not-a-triple",
            ),
            pytest.param(
                _alert().replace(
                    b"<scope>Public</scope>",
                    b"<scope>Public</scope><references>a@b,id-1,yesterday</references>",
                ),
                "<references> 'yesterday' is not a CAP date-time",
                id="reference-bad-date",
            ),
            pytest.param(
                _alert().replace(
                    b"<scope>Public</scope>",
                    b"<scope>Public</scope><references>a@b,id-1,2026-01-20T22:00:00</references>",
                ),
                "has no time zone offset",
                id="reference-naive-date",
            ),
            pytest.param(
                _alert(area="<polygon>abc,116.4 40.0,116.5 40.0,116.3 abc,116.4</polygon>"),
                "latitude 'abc' is not a number",
                id="polygon-not-numbers",
            ),
            pytest.param(
                _alert(area="<circle>nan,116.4 1</circle>"),
                "latitude 'nan' is not a finite number",
                id="circle-nan",
            ),
            pytest.param(
                _alert(area="<altitude>high</altitude>"),
                "not valid CAP 1.2.* at /alert/info/area/altitude",
                id="schema-invalid-altitude",
            ),
            pytest.param(
                f'<alerts xmlns="{CAP12}"><feed/></alerts>'.encode(),
                "alert 1 of the <alerts> collection: not a CAP 1.2 message",
                id="collection-with-stranger",
            ),
        ],
    )
    def test_bad_input_is_refused_with_clear_message(self, data: bytes, message: str) -> None:
        with pytest.raises(CapParseError, match=message) as caught:
            parse_cap(data, source="bad.xml")
        assert caught.value.code == "invalid_cap_message"
        assert str(caught.value).startswith("bad.xml: ")

    def test_atom_index_refuses_entities_too(self) -> None:
        with pytest.raises(CapParseError, match="XML bombs"):
            parse_atom_index(BILLION_LAUGHS)


class TestAtomIndex:
    def test_entry_without_cap_link_falls_back_to_alternate(self) -> None:
        feed = b"""<feed xmlns="http://www.w3.org/2005/Atom">
          <entry><link href=" https://alerts.example.org/a1.cap "/>
            <link rel="alternate" type="text/html" href="https://example.org/a1.html"/></entry>
          <entry><link rel="self" href="https://example.org/self"/></entry>
        </feed>"""
        assert parse_atom_index(feed) == ["https://alerts.example.org/a1.cap"]
