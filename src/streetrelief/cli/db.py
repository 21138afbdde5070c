"""``streetrelief db``: schema migrations."""

from __future__ import annotations

import typer

from streetrelief.cli.common import console, fail_cleanly
from streetrelief.config import get_settings
from streetrelief.db import migrate

app = typer.Typer(help="Database schema.", no_args_is_help=True)


@app.command("upgrade")
def upgrade(revision: str = typer.Argument("head", help="Target revision.")) -> None:
    """Apply the migrations up to REVISION on the configured database."""
    with fail_cleanly():
        migrate.upgrade(get_settings().database_url, revision)
    console.print(f"database at revision {revision}")


@app.command("downgrade")
def downgrade(revision: str = typer.Argument(..., help="Target revision, or 'base'.")) -> None:
    """Undo migrations down to REVISION."""
    with fail_cleanly():
        migrate.downgrade(get_settings().database_url, revision)
    console.print(f"database at revision {revision}")
