"""``streetrelief regions``: load administrative divisions from files and browse the tree."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.progress import (
    BarColumn,
    Progress,
    TaskID,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from streetrelief.cli.common import cli_session, console, err_console, fail_cleanly
from streetrelief.core.datum import CoordinateSystem
from streetrelief.regions.boundaries import import_boundaries
from streetrelief.regions.importer import (
    ImportProgress,
    ImportResult,
    ProgressCallback,
    RegionFileFormat,
    import_regions,
    order_for_import,
)
from streetrelief.regions.models import RegionLevel
from streetrelief.regions.schemas import RegionRead
from streetrelief.regions.service import list_regions

app = typer.Typer(help="Administrative regions.", no_args_is_help=True)


@app.command("import")
def import_(
    files: list[Path] = typer.Argument(
        ..., help="CSV files, plain or .gz; several load top level first, whatever their order."
    ),
    fmt: RegionFileFormat | None = typer.Option(
        None, "--format", help="File format; detected from each file's header when not given."
    ),
    coords_only: bool = typer.Option(
        False,
        "--coords-only",
        help="Only set centres of regions already in the tree (same code and level).",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the counts as JSON."),
) -> None:
    """Load regions from FILES into the configured database.

    Each file is one transaction: a bad line rolls back its whole file, and the files before
    it stay loaded. Importing a file again updates names and centres without duplicates.
    """
    with fail_cleanly():
        ordered = order_for_import(files, fmt)
    results: list[ImportResult] = []
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TextColumn("{task.fields[rows]:>9,} rows"),
        TimeElapsedColumn(),
        console=err_console,
    ) as bar:
        for path in ordered:
            task = bar.add_task(path.name, total=None, rows=0)
            try:
                with cli_session() as session:
                    result = import_regions(
                        session,
                        path,
                        fmt=fmt,
                        coords_only=coords_only,
                        progress=_advance(bar, task),
                    )
            except typer.Exit:
                if results:
                    done = ", ".join(r.path.name for r in results)
                    err_console.print(f"loaded before the error: {done}")
                raise
            results.append(result)
    if as_json:
        typer.echo(json.dumps([_result_json(r) for r in results], ensure_ascii=False, indent=2))
    else:
        console.print(_results_table(results))


@app.command("import-boundaries")
def import_boundaries_(
    file: Path = typer.Argument(..., help="GeoJSON FeatureCollection (plain or .gz)."),
    crs: CoordinateSystem = typer.Option(
        CoordinateSystem.wgs84, "--crs", help="Datum of the file's coordinates."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the outcome as JSON."),
) -> None:
    """Store region outlines from FILE (features carry the region code in `code` or
    `adcode`); outlines of regions not in the tree are skipped and listed."""
    with cli_session() as session:
        result = import_boundaries(session, file, crs)
    if as_json:
        typer.echo(json.dumps({"imported": result.imported, "unknown": result.unknown}))
        return
    console.print(f"{file.name}: {len(result.imported)} boundaries stored ({crs.value} file)")
    if result.unknown:
        console.print(f"not in the region tree, skipped: {', '.join(result.unknown)}")


@app.command("list")
def list_(
    parent: str | None = typer.Option(None, "--parent", help="Code of the parent; roots if none."),
    as_json: bool = typer.Option(False, "--json", help="Print the regions as JSON."),
) -> None:
    """Show the children of a region, or the roots of the tree."""
    with cli_session(read_only=True) as session:
        regions = [RegionRead.model_validate(r) for r in list_regions(session, parent)]
    if as_json:
        typer.echo(json.dumps([r.model_dump(mode="json") for r in regions], ensure_ascii=False))
        return
    table = Table(title=f"Regions under {parent}" if parent else "Root regions")
    for column in ("Code", "Name", "Level", "Country", "Time zone", "Lat", "Lon"):
        table.add_column(column, justify="right" if column in ("Lat", "Lon") else "left")
    for r in regions:
        table.add_row(
            r.code,
            r.name,
            r.level,
            r.country_code,
            r.timezone,
            _degrees(r.lat),
            _degrees(r.lon),
        )
    console.print(table)


def _advance(bar: Progress, task: TaskID) -> ProgressCallback:
    def show(p: ImportProgress) -> None:
        bar.update(task, total=p.bytes_total, completed=p.bytes_done, rows=p.rows_done)

    return show


def _degrees(value: float | None) -> str:
    return "" if value is None else f"{value:.5f}"


def _result_json(result: ImportResult) -> dict[str, object]:
    return {
        "file": str(result.path),
        "format": result.file_format,
        "by_level": {level.value: result.by_level[level] for level in RegionLevel},
        "inserted": result.inserted,
        "updated": result.updated,
        "unchanged": result.unchanged,
        "skipped": result.skipped,
        "duplicates": result.duplicates,
    }


def _results_table(results: list[ImportResult]) -> Table:
    table = Table(title="Regions imported")
    table.add_column("File", overflow="fold")
    table.add_column("Format")
    table.add_column("Regions by level", no_wrap=True)
    for heading in ("Inserted", "Updated", "Unchanged", "Skipped"):
        table.add_column(heading, justify="right")
    for r in results:
        levels = "\n".join(f"{n:,} {level}" for level in RegionLevel if (n := r.by_level[level]))
        table.add_row(
            r.path.name,
            r.file_format,
            levels,
            *(f"{n:,}" for n in (r.inserted, r.updated, r.unchanged, r.skipped)),
        )
    if any(r.duplicates for r in results):
        table.caption = "Repeated identical rows ignored: " + ", ".join(
            f"{r.path.name} {r.duplicates:,}" for r in results if r.duplicates
        )
    return table
