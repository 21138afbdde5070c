"""Reading real help-request exports through a column mapping (data, not code).

A mapping names the id, time, coordinate and description columns, the time format and zone,
a row filter, how the source's request channels map to ours, and the conditions implied by the
request type. Mappings ship for known exports (``myla311``); users can write their own.
"""

from __future__ import annotations

import csv
import gzip
import io
import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from streetrelief.core.errors import ImportFileError, InvalidInputError
from streetrelief.core.yamlfile import YAMLFileError, load_yaml
from streetrelief.intake.models import Channel


class RowFilter(BaseModel):
    """Keep rows whose ``column`` holds one of ``values``."""

    model_config = ConfigDict(extra="forbid")

    column: str
    values: list[str]


class ColumnMapping(BaseModel):
    """How to read one kind of export."""

    model_config = ConfigDict(extra="forbid")

    name: str
    description: str = ""
    id_column: str
    time_column: str
    time_format: str = Field(description="strptime format of the time column.")
    timezone: str = Field(description="IANA zone of naive times in the file.")
    lat_column: str
    lon_column: str
    description_columns: list[str] = Field(default_factory=list)
    filter: RowFilter | None = None
    channel_column: str | None = None
    channels: dict[str, Channel] = Field(default_factory=dict)
    default_channel: Channel = Channel.public
    conditions: list[str] = Field(default_factory=list)


@dataclass(frozen=True)
class SourceReport:
    """One request read from a file, ready to become a report."""

    line: int
    source_id: str
    reported_at: datetime
    lat: float
    lon: float
    channel: Channel
    description: str
    conditions: tuple[str, ...]


@dataclass
class ReadCounts:
    """What reading a file found."""

    rows: int = 0
    kept: int = 0
    filtered_out: int = 0
    without_location: int = 0


def load_mapping(name_or_path: str) -> ColumnMapping:
    """A shipped mapping by name (``myla311``) or a YAML file by path.

    Raises:
        InvalidInputError: no such mapping, or it does not validate.
    """
    path = Path(name_or_path)
    shipped = resources.files("streetrelief.simulation.mappings")
    names = sorted(
        p.name.removesuffix(".yaml") for p in shipped.iterdir() if p.name.endswith(".yaml")
    )
    if not (path.suffix in {".yaml", ".yml"} or path.exists()) and name_or_path not in names:
        raise InvalidInputError(
            f"no column mapping {name_or_path!r}: give a YAML file or one of {', '.join(names)}"
        )
    try:
        if name_or_path in names:
            text = shipped.joinpath(f"{name_or_path}.yaml").read_text(encoding="utf-8")
        else:
            text = path.read_text(encoding="utf-8")
        mapping = ColumnMapping.model_validate(load_yaml(text))
    except (OSError, YAMLFileError, ValidationError) as exc:
        raise InvalidInputError(f"cannot use column mapping {name_or_path!r}: {exc}") from exc
    try:
        ZoneInfo(mapping.timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidInputError(f"unknown time zone {mapping.timezone!r}") from exc
    return mapping


def _open_text(path: Path) -> io.TextIOBase:
    if path.suffix == ".gz":
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8-sig", newline="")
    return io.TextIOWrapper(path.open("rb"), encoding="utf-8-sig", newline="")


def read_reports(path: Path, mapping: ColumnMapping, counts: ReadCounts) -> Iterator[SourceReport]:
    """Rows of ``path`` (CSV, optionally gzipped) that pass the mapping's filter.

    Rows without usable coordinates (empty, zero or out of range) are counted and skipped.

    Raises:
        ImportFileError: a needed column is missing, or a time does not parse (names the line).
    """
    zone = ZoneInfo(mapping.timezone)
    with _open_text(path) as handle:
        reader = csv.DictReader(handle)
        needed = {
            mapping.id_column,
            mapping.time_column,
            mapping.lat_column,
            mapping.lon_column,
            *mapping.description_columns,
        }
        if mapping.filter is not None:
            needed.add(mapping.filter.column)
        if mapping.channel_column is not None:
            needed.add(mapping.channel_column)
        missing = needed - set(reader.fieldnames or [])
        if missing:
            raise ImportFileError(
                f"missing columns {sorted(missing)} for mapping {mapping.name}",
                line=1,
                path=str(path),
            )
        for row in reader:
            line = reader.line_num
            counts.rows += 1
            if (
                mapping.filter is not None
                and row[mapping.filter.column] not in mapping.filter.values
            ):
                counts.filtered_out += 1
                continue
            try:
                lat, lon = float(row[mapping.lat_column]), float(row[mapping.lon_column])
            except ValueError:
                counts.without_location += 1
                continue
            if (
                not (math.isfinite(lat) and math.isfinite(lon))
                or (lat == 0 and lon == 0)
                or abs(lat) > 90
                or abs(lon) > 180
            ):
                counts.without_location += 1
                continue
            try:
                # The zone comes from the mapping, applied just below.
                local = datetime.strptime(row[mapping.time_column].strip(), mapping.time_format)  # noqa: DTZ007
            except ValueError as exc:
                raise ImportFileError(
                    f"time {row[mapping.time_column]!r}: {exc}", line=line, path=str(path)
                ) from exc
            source = row[mapping.channel_column] if mapping.channel_column else ""
            counts.kept += 1
            yield SourceReport(
                line=line,
                source_id=row[mapping.id_column],
                reported_at=local.replace(tzinfo=zone),
                lat=lat,
                lon=lon,
                channel=mapping.channels.get(source, mapping.default_channel),
                description=" — ".join(row[c] for c in mapping.description_columns if row[c]),
                conditions=tuple(mapping.conditions),
            )
