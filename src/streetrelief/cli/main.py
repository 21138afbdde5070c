"""The ``streetrelief`` command."""

from __future__ import annotations

import typer

from streetrelief.cli import db

app = typer.Typer(
    name="streetrelief",
    help="Winter street relief: reports, incidents, triage, dispatch, encounters, statistics.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(db.app, name="db")
