"""Alembic environment: runs migrations on the configured URL, in batch mode on SQLite."""

from __future__ import annotations

from alembic import context

from streetrelief.db.engine import make_engine
from streetrelief.db.registry import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    """Run migrations with a live connection."""
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        msg = "no sqlalchemy.url configured"
        raise RuntimeError(msg)
    engine = make_engine(url)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations_online()
