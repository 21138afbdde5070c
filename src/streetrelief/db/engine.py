"""Engines and sessions for SQLite (embedded default) and PostgreSQL.

SQLite connections get foreign keys on, WAL journaling and a busy timeout, and every write
transaction starts with ``BEGIN IMMEDIATE`` so concurrent writers queue for the lock instead of
failing with "database is locked" when a read transaction tries to upgrade. Read-only sessions
(see :func:`session_scope`) use a deferred ``BEGIN`` and run beside the writer thanks to WAL.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from streetrelief.config import get_settings

READ_ONLY = "streetrelief_read_only"


def make_engine(url: str, *, busy_timeout_s: float = 30.0) -> Engine:
    """Create an engine for ``url`` with streetrelief's connection settings.

    Args:
        url: SQLAlchemy database URL (``sqlite:///file`` or ``postgresql+psycopg://...``).
        busy_timeout_s: seconds a SQLite writer waits for the lock, seconds.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)

    if parsed.database and parsed.database != ":memory:":
        # Make the file's own folder (var/ by default), never a chain of missing ones.
        Path(parsed.database).parent.mkdir(exist_ok=True)
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": busy_timeout_s},
        pool_size=10,
        max_overflow=20,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide when transactions begin.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute(f"PRAGMA busy_timeout={int(busy_timeout_s * 1000)}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        read_only = conn.get_execution_options().get(READ_ONLY, False)
        conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

    return engine


@lru_cache
def get_engine(url: str | None = None) -> Engine:
    """Return the process-wide engine for ``url`` (the settings' URL by default)."""
    settings = get_settings()
    return make_engine(url or settings.database_url, busy_timeout_s=settings.sqlite_busy_timeout_s)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """A session factory whose sessions keep loaded objects usable after commit."""
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def session_scope(factory: sessionmaker[Session], *, read_only: bool = False) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error.

    Args:
        factory: the session factory.
        read_only: begin a deferred (shared) transaction on SQLite; nothing may be written.
    """
    session = factory()
    if read_only:
        session.connection(execution_options={READ_ONLY: True})
    try:
        yield session
        if read_only:
            session.rollback()
        else:
            session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
