"""``streetrelief reporters``: add, list, disable and key, on a migrated SQLite file."""

from __future__ import annotations

import re

from typer.testing import CliRunner

from streetrelief.cli.main import app

runner = CliRunner()


def test_add_list_disable_and_new_key(cli_database: str) -> None:
    added = runner.invoke(
        app,
        [
            "reporters",
            "add",
            "--kind",
            "bus_driver",
            "--name",
            "王师傅",
            "--region",
            "110101",
            "--email",
            "wang@bus.example",
            "--organisation",
            "北京公交",
        ],
    )
    assert added.exit_code == 0, added.output
    assert "shown once, never again" in added.output
    first = re.search(r"key: (srr_\S+)", added.output)
    assert first is not None

    listed = runner.invoke(app, ["reporters", "list"])
    assert listed.exit_code == 0, listed.output
    assert "bus_driver" in listed.output
    assert "王师傅" not in listed.output
    assert "wang@bus.example" not in listed.output

    disabled = runner.invoke(app, ["reporters", "disable", "1"])
    assert disabled.exit_code == 0, disabled.output
    assert "disabled" in disabled.output
    active = runner.invoke(app, ["reporters", "list", "--active"])
    assert "no social reporters" in active.output
    assert "bus_driver" not in active.output

    rotated = runner.invoke(app, ["reporters", "key", "1", "--valid-days", "90"])
    assert rotated.exit_code == 0, rotated.output
    second = re.search(r"key: (srr_\S+)", rotated.output)
    assert second is not None
    assert second.group(1) != first.group(1)


def test_bad_input_and_unknown_reporter_are_one_line_errors(cli_database: str) -> None:
    add = ["reporters", "add", "--kind", "courier", "--name", "x"]
    bad = runner.invoke(app, [*add, "--region", "110101", "--email", "no"])
    assert bad.exit_code == 1
    assert bad.stderr.startswith("error: email")
    unknown = runner.invoke(app, [*add, "--region", "999"])
    assert unknown.exit_code == 1
    assert "999" in unknown.stderr
    missing = runner.invoke(app, ["reporters", "disable", "42"])
    assert (missing.exit_code, missing.stderr) == (1, "error: social reporter 42 not found\n")
    empty = runner.invoke(app, ["reporters", "list"])
    assert "no social reporters registered yet" in empty.output
