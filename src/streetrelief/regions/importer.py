"""Bulk import of region trees from files: China's official division tables and a generic CSV.

Owns reading the supported file formats (modood NBS 2023 tables, the Vonng adcode 2016 table,
the cpca county table, and a generic ``code,name,level,parent_code`` CSV), checking them line by
line, and writing the tree with bulk inserts and updates. It never commits: the caller's
transaction makes a file all-or-nothing. Front doors (the CLI) pick the files and show progress.

Chinese regions hang under a country root ``CN``; their codes are the NBS statistical codes cut
to their level (province ``11``, prefecture ``1101``, county ``110101``, township ``110101001``,
village ``110101001001``), so every source maps onto the same tree and ``path`` reads
``/CN/11/1101/110101/``. Coordinates in Chinese sources are GCJ-02 and are stored as WGS-84.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
import zlib
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple, NoReturn
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import ARRAY, ColumnElement, String, any_, bindparam, insert, select, update
from sqlalchemy.orm import Session

from streetrelief.core.errors import ImportFileError, InvalidInputError
from streetrelief.core.geo import check_lat_lon, gcj02_to_wgs84
from streetrelief.regions.models import LEVEL_DEPTH, Region, RegionLevel


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


@dataclass(frozen=True, slots=True)
class ImportProgress:
    """How far the import of one file has come."""

    path: Path
    rows_done: int
    bytes_done: int
    bytes_total: int


ProgressCallback = Callable[[ImportProgress], None]


@dataclass(slots=True)
class ImportResult:
    """What importing one file did.

    Every distinct region the file names (plus a country root the import created) is counted
    once per level in ``by_level`` and once in exactly one of ``inserted``, ``updated``,
    ``unchanged`` or ``skipped`` (not in the tree, when only coordinates are taken).
    ``duplicates`` counts repeated identical rows, which are ignored.
    """

    path: Path
    file_format: RegionFileFormat
    by_level: Counter[RegionLevel] = field(default_factory=Counter)
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    duplicates: int = 0


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

IMPORT_BATCH_ROWS = 5000
"""Rows written per bulk statement; also the size of each existing-code lookup (well under
SQLite's 32,766 bound parameters)."""

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
_COUNTRY_RE = re.compile(r"^[A-Z]{2}$")
_NAME_MAX = 200
_GZIP_MAGIC = b"\x1f\x8b"
_LEVELS = list(RegionLevel)  # by depth


class _Row(NamedTuple):
    line: int
    code: str
    name: str
    level: RegionLevel
    parent_code: str | None
    lat: float | None
    lon: float | None
    country_code: str | None  # None: inherit from the parent
    timezone: str | None


_Values = dict[str, str | float | None]


class _Node(NamedTuple):
    path: str
    depth: int
    country_code: str
    timezone: str


def import_regions(
    session: Session,
    path: Path,
    *,
    fmt: RegionFileFormat | None = None,
    coords_only: bool = False,
    progress: ProgressCallback | None = None,
) -> ImportResult:
    """Load the regions of one file into the tree, inserting new codes and updating known ones.

    Re-importing a file is safe: known codes get the file's name and coordinates (a row without
    coordinates keeps the stored ones) and no duplicate is made. Parents must come before their
    children, in the file or already in the tree; generic and cpca files are sorted by level.

    Args:
        session: the unit of work; flushed in batches, never committed.
        path: CSV file, optionally gzip-compressed (detected by content).
        fmt: the file's format; detected from its header when None.
        coords_only: only set the coordinates of regions already in the tree with the same code
            and level; every other row is skipped and nothing is inserted.
        progress: called after each batch with the rows and bytes read so far.

    Returns:
        Counts of what was inserted, updated, left unchanged and skipped, per level.

    Raises:
        ImportFileError: unreadable or malformed file, unknown level or parent, a bad number, a
            code repeated with other data, or a code already in the tree at another place; the
            message names the file and line.
        OSError: the file cannot be opened.
    """
    with _open_source(path) as source:
        file_format = fmt or _detect_format(source.header, path)
        rows = _parse(file_format, source, path)
        if file_format in (RegionFileFormat.cpca, RegionFileFormat.generic):
            rows = iter(sorted(rows, key=lambda r: LEVEL_DEPTH[r.level]))
        loader = _TreeLoader(session, path, file_format, coords_only=coords_only)
        # Vonng names the country in its first row; the other Chinese tables start below it.
        if file_format in (RegionFileFormat.modood, RegionFileFormat.cpca) and not coords_only:
            loader.ensure_china_root()
        for row in rows:
            if loader.add(row) >= IMPORT_BATCH_ROWS:
                loader.flush()
                _report(progress, path, loader, source)
        loader.flush()
        _report(progress, path, loader, source)
        return loader.result


def order_for_import(paths: Sequence[Path], fmt: RegionFileFormat | None = None) -> list[Path]:
    """The files in the order they must load: shallowest first, then as given.

    The depth of a file is its level (modood), province (cpca), or the level of its first row
    (Vonng, generic).

    Raises:
        ImportFileError: a file whose header fits no format.
        OSError: a file cannot be opened.
    """

    def depth(path: Path) -> int:
        with _open_source(path) as source:
            file_format = fmt or _detect_format(source.header, path)
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

    ranked = sorted(enumerate(paths), key=lambda item: (depth(item[1]), item[0]))
    return [p for _, p in ranked]


def _report(
    progress: ProgressCallback | None, path: Path, loader: _TreeLoader, source: _CsvSource
) -> None:
    if progress is not None:
        progress(ImportProgress(path, loader.rows_done, source.bytes_done(), source.bytes_total))


# --- reading ------------------------------------------------------------------------------


class _CsvSource:
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
def _open_source(path: Path) -> Iterator[_CsvSource]:
    with Path(path).open("rb") as raw:
        source = _CsvSource(raw, path)
        try:
            yield source
        finally:
            source.close()


def _detect_format(header: list[str], path: Path) -> RegionFileFormat:
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


def _columns(header: list[str], required: Sequence[str], path: Path) -> dict[str, int]:
    missing = [c for c in required if c not in header]
    if missing:
        raise ImportFileError(f"missing columns: {', '.join(missing)}", line=1, path=str(path))
    return {name: i for i, name in enumerate(header)}


_Builder = Callable[[list[str], int], _Row]


def _parse(fmt: RegionFileFormat, source: _CsvSource, path: Path) -> Iterator[_Row]:
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
            _fail(path, line, f"{len(fields)} fields where the header has {width}")
        yield build(fields, line)


def _modood_level(header: list[str], path: Path) -> RegionLevel:
    if header[:2] != ["code", "name"] or not set(header[2:]) <= set(_MODOOD_PARENT_COLUMNS):
        _fail(path, 1, f"not a modood table: header {','.join(header)!r}")
    depth = max((LEVEL_DEPTH[_MODOOD_PARENT_COLUMNS[c]] for c in header[2:]), default=0)
    return _LEVELS[depth + 1]


def _modood_builder(header: list[str], path: Path) -> _Builder:
    level = _modood_level(header, path)
    digits = NBS_DIGITS[level]
    prefixes = [(i, NBS_DIGITS[_MODOOD_PARENT_COLUMNS[c]]) for i, c in enumerate(header) if i >= 2]
    parent_digits = NBS_DIGITS.get(_LEVELS[LEVEL_DEPTH[level] - 1])

    def build(fields: list[str], line: int) -> _Row:
        code = fields[0].strip()
        if len(code) != digits or not code.isdigit():
            _fail(path, line, f"code {code!r} is not {digits} digits, as a {level} code must be")
        for column, n in prefixes:
            if fields[column].strip() != code[:n]:
                _fail(path, line, f"{header[column]} {fields[column]!r} does not match code {code}")
        parent = CHINA_CODE if parent_digits is None else code[:parent_digits]
        return _Row(line, code, _name(fields[1], path, line), level, parent, None, None, None, None)

    return build


def _vonng_builder(header: list[str], path: Path) -> _Builder:
    col = _columns(header, _VONNG_COLUMNS, path)
    # Parents seen in the file keep the short code their own row gave them.
    short_of: dict[str, str] = {VONNG_COUNTRY: CHINA_CODE}

    def build(fields: list[str], line: int) -> _Row:
        code = _nbs_code(fields[col["code"]], path, line)
        level = _VONNG_LEVELS.get(fields[col["level"]].strip())
        if level is None:
            _fail(path, line, f"unknown level {fields[col['level']]!r}")
        name = _name(fields[col["name"]], path, line)
        lat, lon = _coordinates(fields[col["latitude"]], fields[col["longitude"]], path, line)
        if level is RegionLevel.country:
            return _Row(line, CHINA_CODE, name, level, None, lat, lon, CHINA_CODE, CHINA_TIMEZONE)
        # The level column decides the cut: one 2016 town (653130103001) has a stray last digit.
        short = code[: NBS_DIGITS[level]]
        parent_long = _nbs_code(fields[col["parent"]], path, line)
        parent = short_of.get(parent_long) or _nbs_short(parent_long)
        if parent != CHINA_CODE and not short.startswith(parent):
            _fail(path, line, f"code {code} does not extend its parent's code {parent_long}")
        if level is not RegionLevel.village:
            short_of[code] = short
        return _Row(line, short, name, level, parent, lat, lon, None, None)

    return build


def _cpca_builder(header: list[str], path: Path) -> _Builder:
    col = _columns(header, _CPCA_COLUMNS, path)
    by_digits = {n: lv for lv, n in NBS_DIGITS.items() if n <= NBS_DIGITS[RegionLevel.county]}

    def build(fields: list[str], line: int) -> _Row:
        short = _nbs_short(_nbs_code(fields[col["adcode"]], path, line))
        level = by_digits.get(len(short))
        if level is None:
            _fail(path, line, f"adcode {short} is below county level, which cpca does not list")
        parent = CHINA_CODE if level is RegionLevel.province else short[:-2]
        name = _name(fields[col["name"]], path, line)
        lat, lon = _coordinates(fields[col["latitude"]], fields[col["longitude"]], path, line)
        return _Row(line, short, name, level, parent, lat, lon, None, None)

    return build


def _generic_builder(header: list[str], path: Path) -> _Builder:
    col = _columns(header, _GENERIC_COLUMNS, path)
    unknown = set(header) - set(_GENERIC_COLUMNS) - set(_GENERIC_OPTIONAL)
    if unknown:
        _fail(path, 1, f"unknown columns: {', '.join(sorted(unknown))}")

    def get(fields: list[str], name: str) -> str:
        return fields[col[name]].strip() if name in col else ""

    def build(fields: list[str], line: int) -> _Row:
        code = get(fields, "code")
        if not _CODE_RE.match(code):
            _fail(path, line, f"code {code!r} must be 1-32 letters, digits or _ . -")
        level = RegionLevel.__members__.get(get(fields, "level"))
        if level is None:
            known = ", ".join(RegionLevel)
            _fail(path, line, f"unknown level {get(fields, 'level')!r}; use one of {known}")
        country = get(fields, "country_code") or None
        if country is not None and not _COUNTRY_RE.match(country):
            _fail(path, line, f"country_code {country!r} is not an ISO 3166-1 alpha-2 code")
        tz = get(fields, "timezone") or None
        if tz is not None and not _is_timezone(tz):
            _fail(path, line, f"unknown timezone {tz!r}")
        name = _name(get(fields, "name"), path, line)
        lat, lon = _coordinates(get(fields, "lat"), get(fields, "lon"), path, line, gcj=False)
        parent = get(fields, "parent_code") or None
        return _Row(line, code, name, level, parent, lat, lon, country, tz)

    return build


def _fail(path: Path, line: int, detail: str) -> NoReturn:
    raise ImportFileError(detail, line=line, path=str(path))


def _name(text: str, path: Path, line: int) -> str:
    name = text.strip()
    if not name or len(name) > _NAME_MAX:
        _fail(path, line, f"name must be 1-{_NAME_MAX} characters")
    return name


def _nbs_code(text: str, path: Path, line: int) -> str:
    code = text.strip()
    if len(code) != NBS_FULL_DIGITS or not code.isdigit():
        _fail(path, line, f"code {code!r} is not a 12-digit NBS code")
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
        _fail(path, line, "give both latitude and longitude, or neither")
    try:
        lat, lon = float(lat_text), float(lon_text)
        check_lat_lon(lat, lon)
    except ValueError:
        _fail(path, line, f"bad number in latitude {lat_text!r} / longitude {lon_text!r}")
    except InvalidInputError as exc:
        _fail(path, line, exc.detail)
    return gcj02_to_wgs84(lat, lon) if gcj else (lat, lon)


@lru_cache(maxsize=1024)
def _is_timezone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


# --- writing ------------------------------------------------------------------------------


class _TreeLoader:
    """Writes rows in batches, keeping the paths of possible parents in memory."""

    def __init__(
        self, session: Session, path: Path, fmt: RegionFileFormat, *, coords_only: bool
    ) -> None:
        self.session = session
        self.path = path
        self.coords_only = coords_only
        self.result = ImportResult(path, fmt)
        self.rows_done = 0
        self._batch: list[_Row] = []
        self._nodes: dict[str, _Node] = {}
        # code -> (line, hash of the row's data): finds a code repeated with other data without
        # keeping 620k rows alive (two different rows sharing a 64-bit hash is negligible).
        self._seen: dict[str, tuple[int, int]] = {}

    def ensure_china_root(self) -> None:
        """Insert the country root ``CN`` unless the tree has it."""
        if self.session.get(Region, CHINA_CODE) is None:
            root: _Values = {
                "code": CHINA_CODE,
                "name": CHINA_NAME,
                "level": RegionLevel.country,
                "parent_code": None,
                "path": f"/{CHINA_CODE}/",
                "country_code": CHINA_CODE,
                "timezone": CHINA_TIMEZONE,
                "lat": None,
                "lon": None,
            }
            self.session.execute(insert(Region), [root])
            self.result.inserted += 1
            self.result.by_level[RegionLevel.country] += 1

    def add(self, row: _Row) -> int:
        """Queue a row; returns the number queued."""
        self.rows_done += 1
        fingerprint = hash(row[1:])  # everything but the line number
        earlier = self._seen.get(row.code)
        if earlier is not None:
            if earlier[1] != fingerprint:
                _fail(
                    self.path,
                    row.line,
                    f"code {row.code} repeats line {earlier[0]} with other data",
                )
            self.result.duplicates += 1
            return len(self._batch)
        self._seen[row.code] = (row.line, fingerprint)
        self._batch.append(row)
        return len(self._batch)

    def flush(self) -> None:
        """Write the queued rows."""
        if not self._batch:
            return
        batch, self._batch = self._batch, []
        if self.coords_only:
            self._write_coordinates(batch)
        else:
            self._write_tree(batch)

    def _write_tree(self, batch: list[_Row]) -> None:
        codes = {r.code for r in batch}
        parents = {r.parent_code for r in batch if r.parent_code is not None}
        existing = self._existing(codes | (parents - codes - self._nodes.keys()))
        for code, stored in existing.items():
            if code not in codes:
                depth = LEVEL_DEPTH[RegionLevel(stored.level)]
                self._nodes[code] = _Node(stored.path, depth, stored.country_code, stored.timezone)
        inserts: list[_Values] = []
        updates: list[_Values] = []
        for row in batch:
            node = self._place(row)
            old = existing.get(row.code)
            if old is None:
                inserts.append(_new_values(row, node))
                self.result.inserted += 1
            elif (values := self._changed_values(row, node, old)) is not None:
                updates.append(values)
                self.result.updated += 1
            else:
                self.result.unchanged += 1
            self.result.by_level[row.level] += 1
            if row.level is not RegionLevel.village:  # villages are never parents
                self._nodes[row.code] = node
        if inserts:
            self.session.execute(insert(Region), inserts)
        if updates:
            self.session.execute(update(Region), updates)

    def _changed_values(self, row: _Row, node: _Node, old: _Stored) -> _Values | None:
        """New values for a region the tree has already, or None when nothing changes."""
        if old.level != row.level or old.parent_code != row.parent_code:
            _fail(
                self.path,
                row.line,
                f"region {row.code} is a {old.level} under {old.parent_code} already; this line "
                f"makes it a {row.level} under {row.parent_code} (to take only coordinates "
                "from this file, import it coords-only)",
            )
        # A source without coordinates, or without its own country and zone, keeps the stored.
        has_coordinates = row.lat is not None
        has_zone = row.country_code is not None or row.timezone is not None
        values: _Values = {
            "code": row.code,
            "name": row.name,
            "lat": row.lat if has_coordinates else old.lat,
            "lon": row.lon if has_coordinates else old.lon,
            "country_code": node.country_code if has_zone else old.country_code,
            "timezone": node.timezone if has_zone else old.timezone,
        }
        unchanged = all(getattr(old, k) == v for k, v in values.items())
        return None if unchanged else values

    def _place(self, row: _Row) -> _Node:
        depth = LEVEL_DEPTH[row.level]
        if row.parent_code is None:
            country = row.country_code
            if country is None and row.level is RegionLevel.country:
                country = row.code if _COUNTRY_RE.match(row.code) else None
            if country is None or row.timezone is None:
                _fail(
                    self.path, row.line, "a region without parent needs country_code and timezone"
                )
            return _Node(f"/{row.code}/", depth, country, row.timezone)
        parent = self._nodes.get(row.parent_code)
        if parent is None:
            _fail(self.path, row.line, f"unknown parent {row.parent_code} of {row.code}")
        if depth <= parent.depth:
            parent_level = _LEVELS[parent.depth]
            _fail(
                self.path,
                row.line,
                f"a {row.level} cannot sit under the {parent_level} {row.parent_code}",
            )
        return _Node(
            f"{parent.path}{row.code}/",
            depth,
            row.country_code or parent.country_code,
            row.timezone or parent.timezone,
        )

    def _write_coordinates(self, batch: list[_Row]) -> None:
        existing = self._existing({r.code for r in batch})
        updates: list[_Values] = []
        for row in batch:
            self.result.by_level[row.level] += 1
            old = existing.get(row.code)
            if old is None or old.level != row.level:
                self.result.skipped += 1
            elif row.lat is None or (old.lat, old.lon) == (row.lat, row.lon):
                self.result.unchanged += 1
            else:
                updates.append({"code": row.code, "lat": row.lat, "lon": row.lon})
                self.result.updated += 1
        if updates:
            self.session.execute(update(Region), updates)

    def _existing(self, codes: set[str]) -> dict[str, _Stored]:
        if not codes:
            return {}
        stmt = select(
            Region.code,
            Region.name,
            Region.level,
            Region.parent_code,
            Region.path,
            Region.lat,
            Region.lon,
            Region.country_code,
            Region.timezone,
        ).where(self._code_in(codes))
        return {r.code: _Stored(*r) for r in self.session.execute(stmt)}

    def _code_in(self, codes: set[str]) -> ColumnElement[bool]:
        # PostgreSQL takes the codes as one array parameter: thousands of IN parameters cost
        # more to send and plan than the lookup itself.
        if self.session.get_bind().dialect.name == "postgresql":
            return Region.code == any_(bindparam("codes", list(codes), type_=ARRAY(String)))
        return Region.code.in_(codes)


class _Stored(NamedTuple):
    code: str
    name: str
    level: str
    parent_code: str | None
    path: str
    lat: float | None
    lon: float | None
    country_code: str
    timezone: str


def _new_values(row: _Row, node: _Node) -> _Values:
    return {
        "code": row.code,
        "name": row.name,
        "level": row.level,
        "parent_code": row.parent_code,
        "path": node.path,
        "country_code": node.country_code,
        "timezone": node.timezone,
        "lat": row.lat,
        "lon": row.lon,
    }
