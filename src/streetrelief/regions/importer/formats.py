"""Reading region files: the supported formats, each checked line by line into plain rows.

Owns opening a CSV file (plain or gzip), telling its format from the header, and turning each
line of a modood, Vonng, cpca or generic table into a ``Row`` with the code cut to its level and
coordinates in WGS-84. It reads no database; ``loader`` places the rows in the tree.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
import zlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple, NoReturn
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from streetrelief.core.errors import ImportFileError, InvalidInputError
from streetrelief.core.geo import check_lat_lon, gcj02_to_wgs84
from streetrelief.regions.models import LEVEL_DEPTH, RegionLevel


class RegionFileFormat(StrEnum):
    """File formats the importer reads."""

    modood = "modood"
    """modood/Administrative-divisions-of-China: one CSV per level, parent code column."""
    vonng = "vonng"
    """Vonng/adcode: 12-digit codes with ``parent``, ``level`` and GCJ-02 coordinates."""
    cpca = "cpca"
    """cpca ``adcodes.csv``: 12-digit province/prefecture/county codes, GCJ-02 coordinates."""
    generic = "generic"
    """``code,name,level,parent_code[,lat,lon,country_code,timezone]`` with WGS-84 degrees."""


CHINA_CODE = "CN"
CHINA_NAME = "中华人民共和国"
CHINA_TIMEZONE = "Asia/Shanghai"

NBS_DIGITS = {
    RegionLevel.province: 2,
    RegionLevel.prefecture: 4,
    RegionLevel.county: 6,
    RegionLevel.township: 9,
    RegionLevel.village: 12,
}
"""Length of a Chinese region's code at each level: the NBS 12-digit code cut to its level.

Source: NBS 统计用区划代码 structure (2+2+2+3+3 digits)."""

NBS_FULL_DIGITS = 12
VONNG_COUNTRY = "100000000000"
"""The Vonng table's code for the whole country, mapped to ``CHINA_CODE``."""


_MODOOD_PARENT_COLUMNS = {
    "provinceCode": RegionLevel.province,
    "cityCode": RegionLevel.prefecture,
    "areaCode": RegionLevel.county,
    "streetCode": RegionLevel.township,
}
_VONNG_LEVELS = {
    "country": RegionLevel.country,
    "province": RegionLevel.province,
    "city": RegionLevel.prefecture,
    "county": RegionLevel.county,
    "town": RegionLevel.township,
    "village": RegionLevel.village,
}
_VONNG_COLUMNS = ("code", "parent", "name", "level", "longitude", "latitude")
_CPCA_COLUMNS = ("adcode", "name", "longitude", "latitude")
_GENERIC_COLUMNS = ("code", "name", "level", "parent_code")
_GENERIC_OPTIONAL = ("lat", "lon", "country_code", "timezone")
# Same rule as RegionCreate.code, checked here without building a model per row.
_CODE_RE = re.compile(r"^[0-9A-Za-z_.-]{1,32}$")
COUNTRY_RE = re.compile(r"^[A-Z]{2}$")
_NAME_MAX = 200
_GZIP_MAGIC = b"\x1f\x8b"
LEVELS = list(RegionLevel)  # by depth


class Row(NamedTuple):
    """One region as a file gives it, checked; ``line`` is where it starts."""

    line: int
    code: str
    name: str
    level: RegionLevel
    parent_code: str | None
    lat: float | None
    lon: float | None
    country_code: str | None  # None: inherit from the parent
    timezone: str | None


class CsvSource:
    """A CSV file, plain or gzip, whose errors come out as ImportFileError with a line."""

    def __init__(self, raw: io.BufferedReader, path: Path) -> None:
        self._raw = raw
        self._path = path
        self.bytes_total = Path(path).stat().st_size
        is_gzip = raw.read(2) == _GZIP_MAGIC
        raw.seek(0)
        self._binary: gzip.GzipFile | io.BufferedReader = (
            gzip.GzipFile(fileobj=raw) if is_gzip else raw
        )
        self._lines_read = 0
        self._reader = csv.reader(self._decoded_lines())
        first = next(self._records(), None)
        if first is None:
            raise ImportFileError("empty file, expected a header line", line=1, path=str(path))
        self.header = [c.strip() for c in first[1]]

    def bytes_done(self) -> int:
        return self._raw.tell()

    def close(self) -> None:
        self._binary.close()

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        return self._records()

    def _decoded_lines(self) -> Iterator[str]:
        # Decoding line by line (not in chunks) puts an encoding error on its own line.
        for raw_line in self._binary:
            self._lines_read += 1
            try:
                text = raw_line.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise self._error("not UTF-8 text") from exc
            yield text.removeprefix("\ufeff") if self._lines_read == 1 else text

    def _records(self) -> Iterator[tuple[int, list[str]]]:
        try:
            for record in self._reader:
                if record:
                    yield self._reader.line_num, record
        except csv.Error as exc:
            raise self._error(f"not valid CSV ({exc})") from exc
        except (gzip.BadGzipFile, EOFError, zlib.error) as exc:
            self._lines_read += 1
            raise self._error(f"damaged gzip data ({exc})") from exc

    def _error(self, detail: str) -> ImportFileError:
        return ImportFileError(detail, line=max(self._lines_read, 1), path=str(self._path))


@contextmanager
def open_source(path: Path) -> Iterator[CsvSource]:
    """Open ``path`` as a ``CsvSource``, closed again when the block ends."""
    with Path(path).open("rb") as raw:
        source = CsvSource(raw, path)
        try:
            yield source
        finally:
            source.close()


def detect_format(header: list[str], path: Path) -> RegionFileFormat:
    """The format whose columns ``header`` has; ImportFileError when none fits."""
    columns = set(header)
    if set(_VONNG_COLUMNS) <= columns:
        return RegionFileFormat.vonng
    if set(_CPCA_COLUMNS) <= columns:
        return RegionFileFormat.cpca
    if set(_GENERIC_COLUMNS) <= columns:
        return RegionFileFormat.generic
    if header[:2] == ["code", "name"] and columns - {"code", "name"} <= set(_MODOOD_PARENT_COLUMNS):
        return RegionFileFormat.modood
    raise ImportFileError(
        f"unrecognised header {','.join(header)!r}; expected a modood, Vonng or cpca table, or "
        f"{','.join(_GENERIC_COLUMNS)}[,{','.join(_GENERIC_OPTIONAL)}]",
        line=1,
        path=str(path),
    )


def file_depth(path: Path, fmt: RegionFileFormat | None = None) -> int:
    """How deep in the tree a file starts: its level (modood), province (cpca), or the level
    of its first row (Vonng, generic); 0 when that row names no known level.

    Raises:
        ImportFileError: a file whose header fits no format.
        OSError: the file cannot be opened.
    """
    with open_source(path) as source:
        file_format = fmt or detect_format(source.header, path)
        if file_format is RegionFileFormat.modood:
            return LEVEL_DEPTH[_modood_level(source.header, path)]
        if file_format is RegionFileFormat.cpca:
            return LEVEL_DEPTH[RegionLevel.province]
        first = next(iter(source), None)
        if first is None or "level" not in source.header:
            return 0
        fields, column = first[1], source.header.index("level")
        text = fields[column].strip() if column < len(fields) else ""
        level = _VONNG_LEVELS.get(text) or RegionLevel.__members__.get(text)
        return 0 if level is None else LEVEL_DEPTH[level]


def _columns(header: list[str], required: Sequence[str], path: Path) -> dict[str, int]:
    missing = [c for c in required if c not in header]
    if missing:
        raise ImportFileError(f"missing columns: {', '.join(missing)}", line=1, path=str(path))
    return {name: i for i, name in enumerate(header)}


_Builder = Callable[[list[str], int], Row]


def parse_rows(fmt: RegionFileFormat, source: CsvSource, path: Path) -> Iterator[Row]:
    """The checked rows of ``source`` read as ``fmt``, lazily, in file order."""
    make_builder = {
        RegionFileFormat.modood: _modood_builder,
        RegionFileFormat.vonng: _vonng_builder,
        RegionFileFormat.cpca: _cpca_builder,
        RegionFileFormat.generic: _generic_builder,
    }[fmt]
    build = make_builder(source.header, path)
    width = len(source.header)
    for line, fields in source:
        if len(fields) != width:
            fail(path, line, f"{len(fields)} fields where the header has {width}")
        yield build(fields, line)


def _modood_level(header: list[str], path: Path) -> RegionLevel:
    if header[:2] != ["code", "name"] or not set(header[2:]) <= set(_MODOOD_PARENT_COLUMNS):
        fail(path, 1, f"not a modood table: header {','.join(header)!r}")
    depth = max((LEVEL_DEPTH[_MODOOD_PARENT_COLUMNS[c]] for c in header[2:]), default=0)
    return LEVELS[depth + 1]


def _modood_builder(header: list[str], path: Path) -> _Builder:
    level = _modood_level(header, path)
    digits = NBS_DIGITS[level]
    prefixes = [(i, NBS_DIGITS[_MODOOD_PARENT_COLUMNS[c]]) for i, c in enumerate(header) if i >= 2]
    parent_digits = NBS_DIGITS.get(LEVELS[LEVEL_DEPTH[level] - 1])

    def build(fields: list[str], line: int) -> Row:
        code = fields[0].strip()
        if len(code) != digits or not code.isdigit():
            fail(path, line, f"code {code!r} is not {digits} digits, as a {level} code must be")
        for column, n in prefixes:
            if fields[column].strip() != code[:n]:
                fail(path, line, f"{header[column]} {fields[column]!r} does not match code {code}")
        parent = CHINA_CODE if parent_digits is None else code[:parent_digits]
        return Row(line, code, _name(fields[1], path, line), level, parent, None, None, None, None)

    return build


def _vonng_builder(header: list[str], path: Path) -> _Builder:
    col = _columns(header, _VONNG_COLUMNS, path)
    # Parents seen in the file keep the short code their own row gave them.
    short_of: dict[str, str] = {VONNG_COUNTRY: CHINA_CODE}

    def build(fields: list[str], line: int) -> Row:
        code = _nbs_code(fields[col["code"]], path, line)
        level = _VONNG_LEVELS.get(fields[col["level"]].strip())
        if level is None:
            fail(path, line, f"unknown level {fields[col['level']]!r}")
        name = _name(fields[col["name"]], path, line)
        lat, lon = _coordinates(fields[col["latitude"]], fields[col["longitude"]], path, line)
        if level is RegionLevel.country:
            return Row(line, CHINA_CODE, name, level, None, lat, lon, CHINA_CODE, CHINA_TIMEZONE)
        # The level column decides the cut: one 2016 town (653130103001) has a stray last digit.
        short = code[: NBS_DIGITS[level]]
        parent_long = _nbs_code(fields[col["parent"]], path, line)
        parent = short_of.get(parent_long) or _nbs_short(parent_long)
        if parent != CHINA_CODE and not short.startswith(parent):
            fail(path, line, f"code {code} does not extend its parent's code {parent_long}")
        if level is not RegionLevel.village:
            short_of[code] = short
        return Row(line, short, name, level, parent, lat, lon, None, None)

    return build


def _cpca_builder(header: list[str], path: Path) -> _Builder:
    col = _columns(header, _CPCA_COLUMNS, path)
    by_digits = {n: lv for lv, n in NBS_DIGITS.items() if n <= NBS_DIGITS[RegionLevel.county]}

    def build(fields: list[str], line: int) -> Row:
        short = _nbs_short(_nbs_code(fields[col["adcode"]], path, line))
        level = by_digits.get(len(short))
        if level is None:
            fail(path, line, f"adcode {short} is below county level, which cpca does not list")
        parent = CHINA_CODE if level is RegionLevel.province else short[:-2]
        name = _name(fields[col["name"]], path, line)
        lat, lon = _coordinates(fields[col["latitude"]], fields[col["longitude"]], path, line)
        return Row(line, short, name, level, parent, lat, lon, None, None)

    return build


def _generic_builder(header: list[str], path: Path) -> _Builder:
    col = _columns(header, _GENERIC_COLUMNS, path)
    unknown = set(header) - set(_GENERIC_COLUMNS) - set(_GENERIC_OPTIONAL)
    if unknown:
        fail(path, 1, f"unknown columns: {', '.join(sorted(unknown))}")

    def get(fields: list[str], name: str) -> str:
        return fields[col[name]].strip() if name in col else ""

    def build(fields: list[str], line: int) -> Row:
        code = get(fields, "code")
        if not _CODE_RE.match(code):
            fail(path, line, f"code {code!r} must be 1-32 letters, digits or _ . -")
        level = RegionLevel.__members__.get(get(fields, "level"))
        if level is None:
            known = ", ".join(RegionLevel)
            fail(path, line, f"unknown level {get(fields, 'level')!r}; use one of {known}")
        country = get(fields, "country_code") or None
        if country is not None and not COUNTRY_RE.match(country):
            fail(path, line, f"country_code {country!r} is not an ISO 3166-1 alpha-2 code")
        tz = get(fields, "timezone") or None
        if tz is not None and not _is_timezone(tz):
            fail(path, line, f"unknown timezone {tz!r}")
        name = _name(get(fields, "name"), path, line)
        lat, lon = _coordinates(get(fields, "lat"), get(fields, "lon"), path, line, gcj=False)
        parent = get(fields, "parent_code") or None
        return Row(line, code, name, level, parent, lat, lon, country, tz)

    return build


def fail(path: Path, line: int, detail: str) -> NoReturn:
    """Raise ImportFileError for ``line`` of ``path``."""
    raise ImportFileError(detail, line=line, path=str(path))


def _name(text: str, path: Path, line: int) -> str:
    name = text.strip()
    if not name or len(name) > _NAME_MAX:
        fail(path, line, f"name must be 1-{_NAME_MAX} characters")
    return name


def _nbs_code(text: str, path: Path, line: int) -> str:
    code = text.strip()
    if len(code) != NBS_FULL_DIGITS or not code.isdigit():
        fail(path, line, f"code {code!r} is not a 12-digit NBS code")
    return code


def _nbs_short(code: str) -> str:
    """A 12-digit NBS code cut after its last non-zero level group (``110100000000`` → ``1101``)."""
    for n in NBS_DIGITS.values():
        if code[n:].strip("0") == "":
            return code[:n]
    return code


def _coordinates(
    lat_text: str, lon_text: str, path: Path, line: int, *, gcj: bool = True
) -> tuple[float | None, float | None]:
    lat_text, lon_text = lat_text.strip(), lon_text.strip()
    if not lat_text and not lon_text:
        return None, None
    if not lat_text or not lon_text:
        fail(path, line, "give both latitude and longitude, or neither")
    try:
        lat, lon = float(lat_text), float(lon_text)
        check_lat_lon(lat, lon)
    except ValueError:
        fail(path, line, f"bad number in latitude {lat_text!r} / longitude {lon_text!r}")
    except InvalidInputError as exc:
        fail(path, line, exc.detail)
    return gcj02_to_wgs84(lat, lon) if gcj else (lat, lon)


@lru_cache(maxsize=1024)
def _is_timezone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True
