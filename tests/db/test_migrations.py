"""The schema comes only from the migrations, and they go both ways on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect

from streetrelief.db.engine import make_engine
from streetrelief.db.migrate import downgrade, upgrade
from streetrelief.db.registry import Base


def test_migrated_schema_matches_models(engine: Engine) -> None:
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_downgrade_to_base_and_up_again(database_url: str) -> None:
    downgrade(database_url, "base")
    eng = make_engine(database_url)
    try:
        assert set(inspect(eng).get_table_names()) <= {"alembic_version"}
    finally:
        eng.dispose()
    upgrade(database_url)
    eng = make_engine(database_url)
    try:
        assert {"reports", "incidents", "events", "regions"} <= set(inspect(eng).get_table_names())
    finally:
        eng.dispose()
