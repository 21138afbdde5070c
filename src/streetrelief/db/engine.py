"""Engines and sessions for SQLite (embedded default) and PostgreSQL.

SQLite connections get foreign keys on, WAL journaling and a busy timeout, and every write
transaction starts with ``BEGIN IMMEDIATE`` so concurrent writers queue for the lock instead of
failing with "database is locked" when a read transaction tries to upgrade. Read-only sessions
(see :func:`session_scope`) use a deferred ``BEGIN`` and run beside the writer thanks to WAL.
"""

from __future__ import annotations

import threading
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

    # Writers of this process queue on a lock in arrival order before BEGIN IMMEDIATE, instead
    # of polling SQLite's busy handler, whose growing sleeps (up to 100 ms a try, in no order)
    # left some requests waiting over a second behind a few milliseconds of work. The busy
    # timeout still orders writers of other processes.
    writers = TurnLock()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        if conn.get_execution_options().get(READ_ONLY, False):
            conn.exec_driver_sql("BEGIN")
            return
        writers.acquire()
        conn.info[_HOLDS_WRITE_TURN] = True
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            _end_write_turn(conn, writers)
            raise

    @event.listens_for(engine, "commit")
    def _on_commit(conn: Any) -> None:
        _end_write_turn(conn, writers)

    @event.listens_for(engine, "rollback")
    def _on_rollback(conn: Any) -> None:
        _end_write_turn(conn, writers)

    return engine


_HOLDS_WRITE_TURN = "streetrelief_holds_write_turn"


def _end_write_turn(conn: Any, writers: TurnLock) -> None:
    if conn.info.pop(_HOLDS_WRITE_TURN, False):
        writers.release()


class TurnLock:
    """A lock handed over in arrival order (a ticket lock); any thread may release it.

    ``threading.Lock`` is not fair: under load a thread that releases it can take it straight
    back while others keep waiting.
    """

    def __init__(self) -> None:
        self._turns = threading.Condition()
        self._next_ticket = 0
        self._serving = 0

    def acquire(self) -> None:
        """Wait for this caller's turn."""
        with self._turns:
            ticket = self._next_ticket
            self._next_ticket += 1
            while ticket != self._serving:
                self._turns.wait()

    def release(self) -> None:
        """End the current turn and wake the next caller."""
        with self._turns:
            self._serving += 1
            self._turns.notify_all()


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
