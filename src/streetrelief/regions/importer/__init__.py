"""Bulk import of region trees from files: China's official division tables and a generic CSV.

Owns reading the supported file formats (modood NBS 2023 tables, the Vonng adcode 2016 table,
the cpca county table, and a generic ``code,name,level,parent_code`` CSV), checking them line by
line, and writing the tree with bulk inserts and updates. It never commits: the caller's
transaction makes a file all-or-nothing. Front doors (the CLI) pick the files and show progress.
``formats`` reads and checks the files, ``loader`` writes the tree, and the repository runs its
queries; this module ties them together.

Chinese regions hang under a country root ``CN``; their codes are the NBS statistical codes cut
to their level (province ``11``, prefecture ``1101``, county ``110101``, township ``110101001``,
village ``110101001001``), so every source maps onto the same tree and ``path`` reads
``/CN/11/1101/110101/``. Coordinates in Chinese sources are GCJ-02 and are stored as WGS-84.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from streetrelief.regions.importer.formats import (
    CsvSource,
    RegionFileFormat,
    detect_format,
    file_depth,
    open_source,
    parse_rows,
)
from streetrelief.regions.importer.loader import IMPORT_BATCH_ROWS, ImportResult, TreeLoader
from streetrelief.regions.models import LEVEL_DEPTH

__all__ = [
    "ImportProgress",
    "ImportResult",
    "ProgressCallback",
    "RegionFileFormat",
    "import_regions",
    "order_for_import",
]


@dataclass(frozen=True, slots=True)
class ImportProgress:
    """How far the import of one file has come."""

    path: Path
    rows_done: int
    bytes_done: int
    bytes_total: int


ProgressCallback = Callable[[ImportProgress], None]


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
    with open_source(path) as source:
        file_format = fmt or detect_format(source.header, path)
        rows = parse_rows(file_format, source, path)
        if file_format in (RegionFileFormat.cpca, RegionFileFormat.generic):
            rows = iter(sorted(rows, key=lambda r: LEVEL_DEPTH[r.level]))
        loader = TreeLoader(session, path, file_format, coords_only=coords_only)
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
    ranked = sorted(enumerate(paths), key=lambda item: (file_depth(item[1], fmt), item[0]))
    return [p for _, p in ranked]


def _report(
    progress: ProgressCallback | None, path: Path, loader: TreeLoader, source: CsvSource
) -> None:
    if progress is not None:
        progress(ImportProgress(path, loader.rows_done, source.bytes_done(), source.bytes_total))
