"""Reading import files row by row: CSV with a header line, or a GeoJSON FeatureCollection.

Owns the file formats and where each row sits in its file (CSV line, counting the header as line
1, or GeoJSON feature number, counting from 1), so every error names the file and the place. A
GeoJSON feature's properties carry the same names as the CSV columns and its Point geometry
(``[lon, lat]``, WGS-84 per RFC 7946) fills the two coordinate fields. Also owns the
all-or-nothing loop that creates or updates one record per row. The domain importers decide
what the fields mean, validate them with their schemas and write them through their services.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Collection, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

from streetrelief.core.errors import ImportFileError, InvalidInputError, StreetReliefError
from streetrelief.core.geo import check_lat_lon

ModelT = TypeVar("ModelT", bound=BaseModel)
StoredT = TypeVar("StoredT")

GEOJSON_CRS84 = frozenset(
    {
        "urn:ogc:def:crs:OGC:1.3:CRS84",
        "urn:ogc:def:crs:OGC::CRS84",
        "urn:ogc:def:crs:EPSG::4326",
        "EPSG:4326",
    }
)
"""Names of WGS-84 lon/lat in the ``crs`` member of pre-RFC 7946 GeoJSON; any other is refused.

Source: GeoJSON 2008 specification, section 3 (Coordinate Reference System Objects)."""

_ENCODING = "utf-8-sig"  # spreadsheets often save CSV with a byte-order mark


@dataclass(slots=True)
class ImportResult:
    """What importing one file did: each row counted once, by what happened to its record."""

    path: Path
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def summary(self) -> str:
        """``N created, N updated, N unchanged``."""
        return f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged"


@dataclass(frozen=True, slots=True)
class Record:
    """One row of an import file.

    ``values`` holds the fields the row gives (text from CSV, JSON values from GeoJSON); blank
    CSV cells and JSON nulls are left out, so schema defaults apply. ``columns`` names every
    field the source carries for this row, given or blank, so an update can tell "set to the
    default" from "not in this file".
    """

    path: Path
    values: dict[str, object]
    columns: frozenset[str]
    line: int | None = None
    feature: int | None = None

    @property
    def where(self) -> str:
        """``line N`` or ``feature N``."""
        return f"feature {self.feature}" if self.feature is not None else f"line {self.line}"

    def error(self, detail: str) -> ImportFileError:
        """An ImportFileError naming the file and this row."""
        if self.feature is not None:
            return ImportFileError(f"feature {self.feature}: {detail}", path=str(self.path))
        return ImportFileError(detail, line=self.line, path=str(self.path))

    def to_model(self, schema: type[ModelT], values: Mapping[str, object] | None = None) -> ModelT:
        """Validate ``values`` (this row's own by default) with ``schema``.

        Raises:
            ImportFileError: the values do not validate; names each field and its problem.
        """
        try:
            return schema.model_validate(dict(self.values if values is None else values))
        except ValidationError as exc:
            raise self.error(describe(exc)) from exc

    @contextmanager
    def blame(self) -> Iterator[None]:
        """Turn a domain error raised while writing this row into an error naming the row."""
        try:
            yield
        except ImportFileError:
            raise
        except StreetReliefError as exc:
            raise self.error(exc.detail) from exc


@dataclass(frozen=True, slots=True)
class Layout:
    """The fields a file may carry.

    ``required`` must be given on every row; ``optional`` may be left out. ``point`` names the
    (latitude, longitude) fields that a GeoJSON geometry fills; ``key`` is the field that may
    not repeat within one file.
    """

    required: tuple[str, ...]
    optional: tuple[str, ...]
    point: tuple[str, str]
    key: str = "code"

    @property
    def fields(self) -> frozenset[str]:
        """Every field name the file may use."""
        return frozenset(self.required + self.optional)


def read_records(path: Path, layout: Layout) -> Iterator[Record]:
    """The rows of a CSV or GeoJSON file, in file order.

    The format is told from the content: a file whose first character is ``{`` is GeoJSON,
    anything else CSV (UTF-8, optionally with a byte-order mark, header on line 1).

    Args:
        path: the file.
        layout: the fields the file may and must carry.

    Yields:
        One record a row or feature, the header already checked.

    Raises:
        ImportFileError: not UTF-8, not valid CSV or GeoJSON, a missing or unknown column or
            property, a row of the wrong width, a bad geometry, or a repeated key.
        OSError: the file cannot be read.
    """
    text = _read_text(path)
    rows = (
        _geojson_records(path, text, layout) if _is_json(text) else _csv_records(path, text, layout)
    )
    seen: dict[object, str] = {}
    for record in rows:
        key = record.values.get(layout.key)
        if key is not None:
            if key in seen:
                raise record.error(f"{layout.key} {key} repeats {seen[key]}")
            seen[key] = record.where
        yield record


def upsert_records(
    session: Session,
    path: Path,
    layout: Layout,
    *,
    known: dict[str, StoredT],
    parse: Callable[[Record], ModelT],
    changes: Callable[[Record, StoredT, ModelT], dict[str, object]],
    create: Callable[[ModelT], StoredT],
    update: Callable[[StoredT, dict[str, object]], object],
) -> ImportResult:
    """Create or update one stored record per row of a file, all or nothing.

    Args:
        session: the unit of work; the file is written in a savepoint that a bad row rolls
            back, so the session is as before. Never committed.
        path: the file (see :func:`read_records`).
        layout: the fields the file may and must carry; ``layout.key`` finds the stored record.
        known: stored records by key before the import; each created one is added.
        parse: validates a row into the create schema, raising ImportFileError.
        changes: the fields, by name, where a stored record differs from its row; empty when
            the row changes nothing.
        create: stores a new record from the schema.
        update: applies the changes to a stored record.

    Returns:
        How many rows created, updated and left unchanged a record.

    Raises:
        ImportFileError: a bad row, or a domain error raised while writing it, naming the row.
        OSError: the file cannot be read.
    """
    result = ImportResult(path)
    with session.begin_nested():
        for record in read_records(path, layout):
            data = parse(record)
            key = str(getattr(data, layout.key))
            stored = known.get(key)
            with record.blame():
                if stored is None:
                    known[key] = create(data)
                    result.created += 1
                elif difference := changes(record, stored, data):
                    update(stored, difference)
                    result.updated += 1
                else:
                    result.unchanged += 1
    return result


def describe(exc: ValidationError) -> str:
    """One line naming each invalid field, its problem and the value given."""
    parts = []
    for err in exc.errors(include_url=False):
        where = ".".join(str(p) for p in err["loc"])
        given = err.get("input")
        shown = f" (got {given!r})" if isinstance(given, str | int | float) and where else ""
        message = err["msg"].removeprefix("Value error, ")
        parts.append(f"{where}: {message}{shown}" if where else message)
    return "; ".join(parts)


def _read_text(path: Path) -> str:
    try:
        return Path(path).read_bytes().decode(_ENCODING)
    except UnicodeDecodeError as exc:
        raise ImportFileError("not UTF-8 text", path=str(path)) from exc


def _is_json(text: str) -> bool:
    return text.lstrip().startswith("{")


# --- CSV ----------------------------------------------------------------------------------


def _csv_records(path: Path, text: str, layout: Layout) -> Iterator[Record]:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    header = _csv_header(path, reader, layout)
    columns = frozenset(header)
    end = reader.line_num
    try:
        for fields in reader:
            # A quoted cell may span lines; the row is where it starts.
            line, end = end + 1, reader.line_num
            if not fields:
                continue
            if len(fields) != len(header):
                raise ImportFileError(
                    f"{len(fields)} fields where the header has {len(header)}",
                    line=line,
                    path=str(path),
                )
            values: dict[str, object] = {
                name: cell.strip()
                for name, cell in zip(header, fields, strict=True)
                if cell.strip()
            }
            yield Record(path, values, columns, line=line)
    except csv.Error as exc:
        raise ImportFileError(f"not valid CSV ({exc})", line=end + 1, path=str(path)) from exc


def _csv_header(path: Path, reader: Iterator[list[str]], layout: Layout) -> list[str]:
    try:
        first = next(reader, None)
    except csv.Error as exc:
        raise ImportFileError(f"not valid CSV ({exc})", line=1, path=str(path)) from exc
    if not first:
        raise ImportFileError("expected a header line", line=1, path=str(path))
    header = [name.strip() for name in first]
    problems = _field_problems(header, layout)
    repeated = sorted({name for name in header if header.count(name) > 1})
    if repeated:
        problems.append(f"repeated columns: {', '.join(repeated)}")
    if problems:
        raise ImportFileError("; ".join(problems), line=1, path=str(path))
    return header


def _field_problems(names: Collection[str], layout: Layout, *, kind: str = "columns") -> list[str]:
    problems = []
    missing = [name for name in layout.required if name not in names]
    if missing:
        problems.append(f"missing {kind}: {', '.join(missing)}")
    unknown = sorted(set(names) - layout.fields)
    if unknown:
        # GeoJSON properties never carry the coordinates, so they are not offered there.
        offered = [
            n
            for n in layout.required + layout.optional
            if kind == "columns" or n not in layout.point
        ]
        expected = ", ".join(offered)
        problems.append(f"unknown {kind}: {', '.join(unknown)} (expected {expected})")
    return problems


# --- GeoJSON ------------------------------------------------------------------------------


def _geojson_records(path: Path, text: str, layout: Layout) -> Iterator[Record]:
    try:
        doc = json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        raise ImportFileError(
            f"not valid JSON ({exc.msg})", line=exc.lineno, path=str(path)
        ) from exc
    except ValueError as exc:
        raise ImportFileError(str(exc), path=str(path)) from exc
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        raise ImportFileError("GeoJSON must be a FeatureCollection", path=str(path))
    _check_crs(path, doc.get("crs"))
    features = doc.get("features")
    if not isinstance(features, list):
        raise ImportFileError("FeatureCollection without a features list", path=str(path))
    for number, feature in enumerate(features, start=1):
        yield _feature_record(Record(path, {}, frozenset(), feature=number), feature, layout)


def _feature_record(blank: Record, feature: object, layout: Layout) -> Record:
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        raise blank.error("not a GeoJSON Feature")
    properties = feature.get("properties")
    if not isinstance(properties, dict):
        raise blank.error("properties must be an object")
    lat_field, lon_field = layout.point
    placed = sorted(set(properties) & {lat_field, lon_field})
    if placed:
        raise blank.error(f"properties {', '.join(placed)}: coordinates come from the geometry")
    names = {*properties, lat_field, lon_field}
    problems = _field_problems(names, layout, kind="properties")
    if problems:
        raise blank.error("; ".join(problems))
    lat, lon = _point(blank, feature.get("geometry"))
    values = {k: v for k, v in properties.items() if v is not None}
    values |= {lat_field: lat, lon_field: lon}
    return Record(blank.path, values, frozenset(names), feature=blank.feature)


def _point(blank: Record, geometry: object) -> tuple[float, float]:
    if not isinstance(geometry, dict) or geometry.get("type") != "Point":
        raise blank.error("geometry must be a Point")
    coordinates = geometry.get("coordinates")
    # Position: [lon, lat] with an optional altitude (RFC 7946, section 3.1.1).
    if (
        not isinstance(coordinates, list)
        or len(coordinates) not in (2, 3)
        or not all(isinstance(c, int | float) and not isinstance(c, bool) for c in coordinates)
    ):
        raise blank.error("Point coordinates must be two numbers, longitude then latitude")
    lon, lat = float(coordinates[0]), float(coordinates[1])
    try:
        check_lat_lon(lat, lon)
    except InvalidInputError as exc:
        raise blank.error(f"geometry: {exc.detail}") from exc
    return lat, lon


def _check_crs(path: Path, crs: object) -> None:
    if crs is None:
        return
    properties = crs.get("properties") if isinstance(crs, dict) else None
    name = properties.get("name") if isinstance(properties, dict) else None
    if name not in GEOJSON_CRS84:
        raise ImportFileError(
            f"coordinate reference system {name!r} is not WGS-84 longitude/latitude",
            path=str(path),
        )


def _refuse_constant(name: str) -> float:
    msg = f"{name} is not a JSON number"
    raise ValueError(msg)
