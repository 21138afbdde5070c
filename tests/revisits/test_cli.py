"""``streetrelief revisits``: list, mark done, cancel; bad input is one line."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from streetrelief.cli.main import app
from streetrelief.core.clock import FixedClock
from streetrelief.db.engine import get_engine, make_session_factory, session_scope
from tests.revisits.test_service import refusal

runner = CliRunner()


def test_list_complete_and_cancel(cli_database: str, clock: FixedClock) -> None:
    with session_scope(make_session_factory(get_engine(cli_database))) as session:
        refusal(session, clock)
    listed = runner.invoke(app, ["revisits", "list", "--status", "scheduled"])
    assert listed.exit_code == 0, listed.output
    assert "(usual)" in listed.stdout
    (row,) = json.loads(runner.invoke(app, ["revisits", "list", "--json"]).stdout)
    assert (row["lat"], row["lon"], row["interval_s"]) == (39.9175, 116.417, 86400)

    done = runner.invoke(app, ["revisits", "complete", "1", "--outcome", "not_found", "--by", "Li"])
    assert (done.exit_code, done.stdout) == (0, "revisit 1: done (not_found) by Li\n")
    again = runner.invoke(app, ["revisits", "cancel", "1", "--reason", "moved", "--by", "Li"])
    assert (again.exit_code, again.stderr) == (1, "error: revisit 1 is done\n")
    (row,) = json.loads(runner.invoke(app, ["revisits", "list", "--json"]).stdout)
    assert (row["status"], row["outcome"], row["closed_by"]) == ("done", "not_found", "Li")


def test_bad_status_and_unknown_revisit_are_one_line(cli_database: str) -> None:
    bad = runner.invoke(app, ["revisits", "list", "--status", "late"])
    assert bad.exit_code == 1
    assert bad.stderr.startswith("error: unknown revisit status 'late'")
    missing = runner.invoke(app, ["revisits", "cancel", "7", "--reason", "x", "--by", "Li"])
    assert (missing.exit_code, missing.stderr) == (1, "error: revisit 7 not found\n")
    blank = runner.invoke(app, ["revisits", "cancel", "7", "--reason", " ", "--by", "Li"])
    assert blank.exit_code == 1
    assert blank.stderr.startswith("error: reason:")
