"""Region import: the real NBS, Vonng and cpca tables, the generic CSV, and bad files."""

from __future__ import annotations

import csv
import gzip
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from streetrelief.core.errors import ImportFileError
from streetrelief.core.geo import gcj02_to_wgs84, haversine_m
from streetrelief.regions import repository
from streetrelief.regions.importer import (
    ImportProgress,
    RegionFileFormat,
    import_regions,
    order_for_import,
)
from streetrelief.regions.models import Region
from streetrelief.regions.service import list_regions

MODOOD = [
    "modood_provinces.csv",
    "modood_cities.csv",
    "modood_areas.csv",
    "modood_streets.csv.gz",
    "modood_villages.csv.gz",
]
VONNG_TOWNS = "vonng_adcode2016_country_to_town.csv.gz"
VONNG_VILLAGES = "vonng_adcode2016_villages_with_coords.csv.gz"
CPCA = "cpca_adcodes_with_coords.csv"


@pytest.fixture
def china(shared_data: Path) -> Path:
    """The folder of the real Chinese division tables."""
    return shared_data / "china_admin_divisions"


def _load(session: Session, paths: list[Path]) -> None:
    for path in order_for_import(paths):
        import_regions(session, path)


def _beijing_slice(source: Path, target: Path) -> Path:
    """Copy the header, the country row and Beijing's rows (codes 11...) of a Vonng table."""
    with gzip.open(source, "rt", encoding="utf-8", newline="") as src:
        lines = [line for i, line in enumerate(src) if i == 0 or line.startswith(("11", "1000"))]
    with gzip.open(target, "wt", encoding="utf-8", newline="") as out:
        out.writelines(lines)
    return target


def _region(session: Session, code: str) -> Region:
    """The stored region ``code``, which the test expects to be there."""
    region = repository.get(session, code)
    assert region is not None, code
    return region


def _vonng_row(source: Path, code: str) -> dict[str, str]:
    with gzip.open(source, "rt", encoding="utf-8", newline="") as src:
        return next(r for r in csv.DictReader(src) if r["code"] == code)


class TestModood:
    @pytest.mark.slow
    def test_five_levels_in_any_argument_order_load_the_official_counts(
        self, session: Session, china: Path
    ) -> None:
        progress: list[ImportProgress] = []
        for path in order_for_import([china / name for name in reversed(MODOOD)]):
            import_regions(session, path, progress=progress.append)

        assert repository.count_by_level(session) == {
            "country": 1,
            "province": 31,
            "prefecture": 342,
            "county": 2978,
            "township": 41352,
            "village": 620573,
        }
        assert progress[-1].rows_done == 620573
        assert progress[-1].bytes_done == progress[-1].bytes_total
        # Beijing's subtree is one prefix query on the materialised path.
        beijing = _region(session, "11")
        assert beijing.path == "/CN/11/"
        assert repository.count_by_level(session, beijing.path) == {
            "province": 1,
            "prefecture": 1,
            "county": 16,
            "township": 349,
            "village": 7535,
        }
        village = _region(session, "110101001001")
        assert village.path == "/CN/11/1101/110101/110101001/110101001001/"
        assert (village.name, village.level, village.country_code, village.timezone) == (
            "多福巷社区居委会",
            "village",
            "CN",
            "Asia/Shanghai",
        )
        assert len(list_regions(session, "1101")) == 16

    def test_files_order_top_level_first(self, china: Path) -> None:
        given_order = [china / name for name in reversed(MODOOD)]
        assert order_for_import(given_order) == [china / name for name in MODOOD]

    def test_reimport_changes_nothing_and_makes_no_duplicates(
        self, session: Session, china: Path
    ) -> None:
        files = [china / name for name in MODOOD[:3]]
        _load(session, files)

        again = [import_regions(session, path) for path in files]

        assert [(r.inserted, r.updated, r.unchanged) for r in again] == [
            (0, 0, 31),
            (0, 0, 342),
            (0, 0, 2978),
        ]
        assert repository.count_by_level(session)["county"] == 2978

    def test_reimport_updates_a_renamed_region(
        self, session: Session, china: Path, tmp_path: Path
    ) -> None:
        _load(session, [china / name for name in MODOOD[:3]])
        renamed = tmp_path / "areas.csv"
        text = (china / "modood_areas.csv").read_text(encoding="utf-8")
        renamed.write_text(text.replace('"东城区"', '"东城区（新）"'), encoding="utf-8")

        result = import_regions(session, renamed)

        assert (result.inserted, result.updated, result.unchanged) == (0, 1, 2977)
        assert session.scalar(select(Region.name).where(Region.code == "110101")) == "东城区（新）"

    def test_children_before_their_parents_are_refused(self, session: Session, china: Path) -> None:
        with pytest.raises(ImportFileError) as err:
            import_regions(session, china / "modood_cities.csv")
        assert err.value.line == 2
        assert "unknown parent 11" in err.value.detail


class TestVonng:
    def test_beijing_maps_onto_nbs_codes_with_wgs84_centres(
        self, session: Session, china: Path, tmp_path: Path
    ) -> None:
        towns = _beijing_slice(china / VONNG_TOWNS, tmp_path / "towns.csv.gz")
        villages = _beijing_slice(china / VONNG_VILLAGES, tmp_path / "villages.csv.gz")

        _load(session, [villages, towns])

        assert repository.count_by_level(session) == {
            "country": 1,
            "province": 1,
            "prefecture": 1,
            "county": 16,
            "township": 336,
            "village": 2331,
        }
        town = _region(session, "110101001")
        assert (town.parent_code, town.path) == ("110101", "/CN/11/1101/110101/110101001/")
        row = _vonng_row(china / VONNG_TOWNS, "110101001000")
        gcj = (float(row["latitude"]), float(row["longitude"]))
        assert (town.lat, town.lon) == gcj02_to_wgs84(*gcj)
        assert town.lat is not None
        assert town.lon is not None
        # GCJ-02 sits a few hundred metres off WGS-84 in Beijing.
        assert 100 < haversine_m(town.lat, town.lon, *gcj) < 1000

    def test_whole_2016_table_loads_every_level(self, session: Session, china: Path) -> None:
        result = import_regions(session, china / VONNG_TOWNS)

        assert result.file_format is RegionFileFormat.vonng
        assert repository.count_by_level(session) == {
            "country": 1,
            "province": 34,
            "prefecture": 344,
            "county": 3133,
            "township": 42868,
        }
        # One 2016 town code (653130103001) has a stray last digit; its level decides the cut.
        stray = _region(session, "653130103")
        assert stray.name == "三岔口镇"


class TestCpca:
    def test_creates_provinces_prefectures_and_counties(
        self, session: Session, china: Path
    ) -> None:
        result = import_regions(session, china / CPCA)

        assert result.inserted == 1 + 34 + 344 + 3133
        county = _region(session, "110101")
        assert county.path == "/CN/11/1101/110101/"

    def test_coords_only_sets_centres_of_known_regions(self, session: Session, china: Path) -> None:
        _load(session, [china / name for name in MODOOD[:3]])

        result = import_regions(session, china / CPCA, coords_only=True)

        assert result.inserted == 0
        assert result.skipped == 427  # 2016 codes gone by 2023, and HK/MO/TW
        assert result.updated == 3078
        assert repository.count_by_level(session)["county"] == 2978
        dongcheng = _region(session, "110101")
        assert dongcheng.name == "东城区"
        assert (dongcheng.lat, dongcheng.lon) == gcj02_to_wgs84(39.928341, 116.41649)

    def test_coords_only_inserts_nothing_into_an_empty_tree(
        self, session: Session, china: Path
    ) -> None:
        result = import_regions(session, china / CPCA, coords_only=True)

        assert (result.inserted, result.skipped) == (0, 3511)
        assert repository.count_by_level(session) == {}


GENERIC_US = """code,name,level,parent_code,lat,lon,country_code,timezone
06037,Los Angeles County,county,06,34.0522,-118.2437,,
US,United States,country,,,,US,America/New_York
06,California,province,US,,,,America/Los_Angeles
"""


class TestGeneric:
    def test_us_tree_loads_in_any_row_order_and_inherits_zone(
        self, session: Session, tmp_path: Path
    ) -> None:
        path = tmp_path / "us.csv"
        path.write_text(GENERIC_US, encoding="utf-8")

        result = import_regions(session, path)

        assert result.file_format is RegionFileFormat.generic
        county = _region(session, "06037")
        assert (county.path, county.country_code, county.timezone) == (
            "/US/06/06037/",
            "US",
            "America/Los_Angeles",
        )
        assert (county.lat, county.lon) == (34.0522, -118.2437)  # WGS-84, stored as given

    def test_code_placed_elsewhere_in_the_tree_is_refused(
        self, session: Session, china: Path, tmp_path: Path
    ) -> None:
        import_regions(session, china / "modood_provinces.csv")
        path = tmp_path / "us.csv"
        path.write_text(
            "code,name,level,parent_code,country_code,timezone\n"
            "US,United States,country,,US,America/New_York\n"
            "11,District of Columbia,province,US,,\n",
            encoding="utf-8",
        )

        with pytest.raises(ImportFileError) as err:
            import_regions(session, path)

        assert err.value.line == 3
        assert "is a province under CN already" in err.value.detail


HEADER = "code,name,level,parent_code,lat,lon,country_code,timezone\n"
ROOT = "XX,Testland,country,,,,XX,Europe/Berlin\n"

BAD_FILES: list[tuple[str, str, int, str]] = [
    ("empty", "", 1, "empty file"),
    ("unknown header", "a,b,c\n1,2,3\n", 1, "unrecognised header"),
    ("missing column", "code,name,level,lat\n", 1, "unrecognised header"),
    ("unknown column", HEADER.strip() + ",latitude\n", 1, "unknown columns: latitude"),
    ("unknown level", HEADER + ROOT + "X1,A,city,XX,,,,\n", 3, "unknown level 'city'"),
    ("unknown parent", HEADER + ROOT + "X1,A,province,YY,,,,\n", 3, "unknown parent YY"),
    ("bad number", HEADER + ROOT + "X1,A,province,XX,5x,10,,\n", 3, "bad number"),
    ("latitude out of range", HEADER + ROOT + "X1,A,province,XX,95,10,,\n", 3, "latitude 95"),
    ("half a coordinate", HEADER + ROOT + "X1,A,province,XX,50,,,\n", 3, "both latitude"),
    (
        "conflicting duplicate",
        HEADER + ROOT + "X1,A,province,XX,,,,\nX1,B,province,XX,,,,\n",
        4,
        "repeats line 3 with other data",
    ),
    ("too few fields", HEADER + ROOT + "X1,A,province\n", 3, "3 fields where the header has 8"),
    ("bad code", HEADER + ROOT + "X 1,A,province,XX,,,,\n", 3, "code 'X 1'"),
    ("empty name", HEADER + ROOT + "X1,,province,XX,,,,\n", 3, "name must be"),
    ("root without zone", HEADER + "XX,Testland,country,,,,XX,\n", 2, "needs country_code"),
    ("unknown time zone", HEADER + "XX,T,country,,,,XX,Mars/Base\n", 2, "unknown timezone"),
    ("bad country code", HEADER + "XX,T,country,,,,xx1,UTC\n", 2, "ISO 3166-1"),
    (
        "level not below parent",
        HEADER + ROOT + "X1,A,county,XX,,,,\nX2,B,county,X1,,,,\n",
        4,
        "a county cannot sit under the county X1",
    ),
    ("modood short code", "code,name\n1,A\n", 2, "is not 2 digits"),
    ("modood wrong parent", 'code,name,provinceCode\n1101,"A",12\n', 2, "does not match"),
    (
        "vonng unknown level",
        "code,parent,name,level,longitude,latitude\n110000000000,100000000000,A,state,116.4,39.9\n",
        2,
        "unknown level 'state'",
    ),
    (
        "cpca below county",
        "adcode,name,longitude,latitude\n110101001000,A,116.4,39.9\n",
        2,
        "below county level",
    ),
]


class TestBadFiles:
    @pytest.mark.parametrize(
        ("text", "line", "message"),
        [case[1:] for case in BAD_FILES],
        ids=[case[0] for case in BAD_FILES],
    )
    def test_bad_file_names_file_and_line(
        self, session: Session, tmp_path: Path, text: str, line: int, message: str
    ) -> None:
        path = tmp_path / "bad.csv"
        path.write_text(text, encoding="utf-8")

        with pytest.raises(ImportFileError) as err:
            import_regions(session, path)

        assert err.value.line == line
        assert message in err.value.detail
        assert str(err.value).startswith(f"{path}, line {line}: ")

    def test_missing_columns_named_when_format_is_given(
        self, session: Session, tmp_path: Path
    ) -> None:
        path = tmp_path / "bad.csv"
        path.write_text("code,name,level\nXX,T,country\n", encoding="utf-8")

        with pytest.raises(ImportFileError) as err:
            import_regions(session, path, fmt=RegionFileFormat.generic)

        assert err.value.line == 1
        assert err.value.detail.endswith("line 1: missing columns: parent_code")

    def test_identical_duplicate_is_ignored(self, session: Session, tmp_path: Path) -> None:
        path = tmp_path / "dup.csv"
        path.write_text(HEADER + ROOT + ROOT, encoding="utf-8")

        result = import_regions(session, path)

        assert (result.inserted, result.duplicates) == (1, 1)

    @pytest.mark.parametrize(
        ("write", "message"),
        [
            (lambda p: p.write_bytes("code,name\n11,北京\n".encode("gbk")), "not UTF-8"),
            (lambda p: p.write_bytes(gzip.compress(b"code,name\n11,A\n")[:-10]), "gzip"),
        ],
        ids=["not utf-8", "truncated gzip"],
    )
    def test_unreadable_bytes_are_an_import_error(
        self,
        session: Session,
        tmp_path: Path,
        write: Callable[[Path], object],
        message: str,
    ) -> None:
        path = tmp_path / "bad.csv"
        write(path)

        with pytest.raises(ImportFileError) as err:
            import_regions(session, path)

        assert message in err.value.detail
        assert err.value.line is not None
