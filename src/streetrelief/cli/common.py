"""What every command shares: the database session, the clock, error printing, and the
``import`` and ``list`` commands of record files (teams, service points) that differ only in
their importer, their query and their table."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import NoReturn, Protocol, TypeVar

import typer
from pydantic import TypeAdapter, ValidationError
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError
from sqlalchemy.orm import Session

from streetrelief.config import get_settings
from streetrelief.core.clock import SystemClock
from streetrelief.core.errors import StreetReliefError
from streetrelief.core.tabular import ImportResult
from streetrelief.db.engine import get_engine, make_session_factory, session_scope

PIPED_WIDTH = 200
"""Columns for output to a pipe or a log file, where Rich would assume 80 and cut the cells of
wide tables (``simulate``, ``teams list``) to an ellipsis; a terminal keeps its own width, and
``COLUMNS`` set by the user wins."""

console = Console(width=None if sys.stdout.isatty() or "COLUMNS" in os.environ else PIPED_WIDTH)
err_console = Console(stderr=True)


def log_jobs() -> None:
    """Write the scheduled jobs' one-line summaries (INFO and above) to standard error, with
    time, level and source, so an operator can follow what the timers did; the scheduler's
    own notes on every run only from WARNING up."""
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("apscheduler").setLevel(logging.WARNING)


RowT = TypeVar("RowT")


class RecordImporter(Protocol):
    """A domain's import of one CSV or GeoJSON file of records, e.g. ``import_teams``."""

    def __call__(self, session: Session, path: Path, *, now: datetime) -> ImportResult: ...


@contextmanager
def cli_session(*, read_only: bool = False) -> Iterator[Session]:
    """A unit of work on the configured database, turning domain errors into CLI messages."""
    with fail_cleanly():
        factory = make_session_factory(get_engine(get_settings().database_url))
        with session_scope(factory, read_only=read_only) as session:
            yield session


@contextmanager
def fail_cleanly() -> Iterator[None]:
    """Print a domain error, an unreadable file or a database that is not ready as one line,
    and exit 1."""
    try:
        yield
    except StreetReliefError as exc:
        _fail(exc.detail, exc)
    except OSError as exc:
        _fail(f"{exc.strerror or exc}: {exc.filename or ''}", exc)
    except (ArgumentError, NoSuchModuleError) as exc:
        _fail(f"cannot use the database URL in STREETRELIEF_DATABASE_URL: {exc}", exc)
    except ValidationError as exc:
        problem = exc.errors()[0]
        where = ".".join(str(p) for p in problem["loc"])
        _fail(f"invalid setting STREETRELIEF_{where.upper()}: {problem['msg']}", exc)
    except DBAPIError as exc:
        first = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else str(exc)
        _fail(
            f"database error: {first} (is the server up, and has `streetrelief db upgrade` "
            "created the schema?)",
            exc,
        )


def parse_time_option(value: str | None, option: str) -> datetime | None:
    """An ISO 8601 option value with a UTC offset, or None when the option was not given.

    Raises:
        typer.BadParameter: not ISO 8601, or without an offset (a usage error, exit 2).
    """
    if value is None:
        return None
    try:
        at = datetime.fromisoformat(value)
    except ValueError as exc:
        raise typer.BadParameter(f"not an ISO 8601 time: {value}", param_hint=option) from exc
    if at.utcoffset() is None:
        raise typer.BadParameter("give a UTC offset, e.g. +08:00 or Z", param_hint=option)
    return at


def _fail(message: str, exc: BaseException) -> NoReturn:
    err_console.print(f"[red]error:[/red] {escape(message)}", soft_wrap=True)
    raise typer.Exit(1) from exc


def import_records(importer: RecordImporter, file: Path) -> None:
    """Run ``importer`` on FILE in one unit of work and print ``FILE: N created, ...``.

    Args:
        importer: the domain's file import, given the wall-clock time as ``now``.
        file: CSV or GeoJSON file the user named.

    Raises:
        typer.Exit: with status 1 on a bad or unreadable file; nothing is saved then.
    """
    now = SystemClock().now()
    with cli_session() as session:
        summary = importer(session, file, now=now).summary
    console.print(f"{file}: {summary}")


def list_records(
    adapter: TypeAdapter[list[RowT]],
    query: Callable[[Session], Iterable[object]],
    *,
    as_json: bool,
    table: Callable[[list[RowT]], Table],
) -> None:
    """Read records as API schemas and print them as indented JSON or as a Rich table.

    Args:
        adapter: reads the ORM records into schemas (``from_attributes``) and dumps them as JSON.
        query: fetches the records in a read-only unit of work.
        as_json: print JSON for scripts instead of the table.
        table: builds the table of the rows.
    """
    with cli_session(read_only=True) as session:
        rows = adapter.validate_python(query(session), from_attributes=True)
    if as_json:
        print(adapter.dump_json(rows, indent=2).decode())
        return
    console.print(table(rows))
