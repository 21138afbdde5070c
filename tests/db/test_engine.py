"""SQLite connection settings and concurrent writers."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from sqlalchemy import text

from streetrelief.db.engine import TurnLock, make_engine, make_session_factory, session_scope
from streetrelief.db.migrate import upgrade


def test_sqlite_pragmas(tmp_path: Path) -> None:
    eng = make_engine(f"sqlite:///{tmp_path / 'p.db'}")
    with eng.connect() as conn:
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    eng.dispose()


def test_concurrent_sqlite_writers_never_see_locked(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'w.db'}"
    upgrade(url)
    eng = make_engine(url, busy_timeout_s=30)
    factory = make_session_factory(eng)
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for i in range(25):
                with session_scope(factory) as s:
                    # Read first, then write: the pattern that fails with a deferred BEGIN.
                    s.execute(text("SELECT count(*) FROM regions")).scalar()
                    s.execute(
                        text(
                            "INSERT INTO regions (code, name, level, path, country_code, "
                            "timezone) VALUES (:c, 'x', 'country', :p, 'CN', 'UTC')"
                        ),
                        {"c": f"W{n}-{i}", "p": f"/W{n}-{i}/"},
                    )
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with session_scope(factory, read_only=True) as s:
        assert s.execute(text("SELECT count(*) FROM regions")).scalar() == 150
    eng.dispose()


def test_turn_lock_serves_in_arrival_order_and_any_thread_may_release() -> None:
    lock = TurnLock()
    lock.acquire()
    order: list[int] = []

    def waiter(n: int) -> None:
        lock.acquire()
        order.append(n)
        lock.release()

    threads = []
    for n in range(5):
        t = threading.Thread(target=waiter, args=(n,))
        t.start()
        threads.append(t)
        while lock._next_ticket != n + 2:  # this waiter has taken its ticket
            time.sleep(0.001)
    releaser = threading.Thread(target=lock.release)
    releaser.start()
    for t in [releaser, *threads]:
        t.join(timeout=10)
    assert order == [0, 1, 2, 3, 4]
