"""What every command shares: the database session, the clock, and error printing."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console
from rich.markup import escape
from sqlalchemy.orm import Session

from streetrelief.config import get_settings
from streetrelief.core.errors import StreetReliefError
from streetrelief.db.engine import get_engine, make_session_factory, session_scope

console = Console()
err_console = Console(stderr=True)


@contextmanager
def cli_session(*, read_only: bool = False) -> Iterator[Session]:
    """A unit of work on the configured database, turning domain errors into CLI messages."""
    factory = make_session_factory(get_engine(get_settings().database_url))
    with fail_cleanly(), session_scope(factory, read_only=read_only) as session:
        yield session


@contextmanager
def fail_cleanly() -> Iterator[None]:
    """Print a domain error, or a missing or unreadable file, as one line and exit 1."""
    try:
        yield
    except StreetReliefError as exc:
        err_console.print(f"[red]error:[/red] {escape(exc.detail)}", soft_wrap=True)
        raise typer.Exit(1) from exc
    except OSError as exc:
        reason, name = str(exc.strerror or exc), str(exc.filename or "")
        err_console.print(f"[red]error:[/red] {escape(reason)}: {escape(name)}", soft_wrap=True)
        raise typer.Exit(1) from exc
