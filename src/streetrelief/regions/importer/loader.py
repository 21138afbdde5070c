"""Writing region rows into the tree in batches, with their materialised paths.

Owns placing each checked ``Row`` under its parent (from the same file or already stored),
telling new regions from changed and unchanged ones, and counting what happened in an
``ImportResult``. Rows come from ``formats``; the repository runs the lookups and bulk writes.
It flushes through the session and never commits.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from sqlalchemy.orm import Session

from streetrelief.regions import repository
from streetrelief.regions.importer.formats import (
    CHINA_CODE,
    CHINA_NAME,
    CHINA_TIMEZONE,
    COUNTRY_RE,
    LEVELS,
    RegionFileFormat,
    Row,
    fail,
)
from streetrelief.regions.models import LEVEL_DEPTH, RegionLevel
from streetrelief.regions.repository import StoredRegion


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


IMPORT_BATCH_ROWS = 5000
"""Rows written per bulk statement; also the size of each existing-code lookup (well under
SQLite's 32,766 bound parameters)."""

_Values = dict[str, str | float | None]


class _Node(NamedTuple):
    path: str
    depth: int
    country_code: str
    timezone: str


class TreeLoader:
    """Writes rows in batches, keeping the paths of possible parents in memory."""

    def __init__(
        self, session: Session, path: Path, fmt: RegionFileFormat, *, coords_only: bool
    ) -> None:
        self.session = session
        self.path = path
        self.coords_only = coords_only
        self.result = ImportResult(path, fmt)
        self.rows_done = 0
        self._batch: list[Row] = []
        self._nodes: dict[str, _Node] = {}
        # code -> (line, hash of the row's data): finds a code repeated with other data without
        # keeping 620k rows alive (two different rows sharing a 64-bit hash is negligible).
        self._seen: dict[str, tuple[int, int]] = {}

    def ensure_china_root(self) -> None:
        """Insert the country root ``CN`` unless the tree has it."""
        if repository.get(self.session, CHINA_CODE) is None:
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
            repository.insert_many(self.session, [root])
            self.result.inserted += 1
            self.result.by_level[RegionLevel.country] += 1

    def add(self, row: Row) -> int:
        """Queue a row; returns the number queued."""
        self.rows_done += 1
        fingerprint = hash(row[1:])  # everything but the line number
        earlier = self._seen.get(row.code)
        if earlier is not None:
            if earlier[1] != fingerprint:
                fail(
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

    def _write_tree(self, batch: list[Row]) -> None:
        codes = {r.code for r in batch}
        parents = {r.parent_code for r in batch if r.parent_code is not None}
        existing = repository.stored_by_code(
            self.session, codes | (parents - codes - self._nodes.keys())
        )
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
            repository.insert_many(self.session, inserts)
        if updates:
            repository.update_many(self.session, updates)

    def _changed_values(self, row: Row, node: _Node, old: StoredRegion) -> _Values | None:
        """New values for a region the tree has already, or None when nothing changes."""
        if old.level != row.level or old.parent_code != row.parent_code:
            fail(
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

    def _place(self, row: Row) -> _Node:
        depth = LEVEL_DEPTH[row.level]
        if row.parent_code is None:
            country = row.country_code
            if country is None and row.level is RegionLevel.country:
                country = row.code if COUNTRY_RE.match(row.code) else None
            if country is None or row.timezone is None:
                fail(self.path, row.line, "a region without parent needs country_code and timezone")
            return _Node(f"/{row.code}/", depth, country, row.timezone)
        parent = self._nodes.get(row.parent_code)
        if parent is None:
            fail(self.path, row.line, f"unknown parent {row.parent_code} of {row.code}")
        if depth <= parent.depth:
            parent_level = LEVELS[parent.depth]
            fail(
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

    def _write_coordinates(self, batch: list[Row]) -> None:
        existing = repository.stored_by_code(self.session, {r.code for r in batch})
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
            repository.update_many(self.session, updates)


def _new_values(row: Row, node: _Node) -> _Values:
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
