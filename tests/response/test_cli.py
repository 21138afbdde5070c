"""``streetrelief response configure|status|reassess|override`` on a temporary SQLite file."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from typer.testing import CliRunner

from streetrelief.cli.main import app

runner = CliRunner()


@pytest.mark.usefixtures("cli_database")
class TestResponseCommands:
    def test_configure_reassess_status_override(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("COLUMNS", "200")
        configured = runner.invoke(app, ["response", "configure", "1101", "--preset", "toronto"])
        assert configured.exit_code == 0, configured.output
        assert configured.stdout == "1101: configured with toronto (level none)\n"

        cold = runner.invoke(
            app, ["response", "reassess", "1101", "--temperature", "-10", "--wind-kmh", "40"]
        )
        assert cold.exit_code == 0, cold.output
        assert cold.stdout.startswith("1101: level III (was none;")

        status = runner.invoke(app, ["response", "status", "--region", "11", "--json"])
        assert status.exit_code == 0, status.output
        [row] = json.loads(status.stdout)
        assert (row["region_code"], row["level"], row["colour"]) == ("1101", "III", "yellow")
        assert row["trigger"]["rule"] == "ecwa_wind_chill"
        assert row["trigger"]["source"] == "toronto_ecwa"

        table = runner.invoke(app, ["response", "status"])
        assert table.exit_code == 0, table.output
        assert "Response levels" in table.stdout
        assert "ecwa_wind_chill" in table.stdout

        until = (datetime.now(UTC) + timedelta(hours=3)).isoformat()
        override = runner.invoke(
            app,
            ["response", "override", "1101", "I", "--reason", "drill", "--until", until],
        )
        assert override.exit_code == 0, override.output
        assert override.stdout.startswith("1101: level I (was III; drill)")

        cleared = runner.invoke(app, ["response", "clear-override", "1101"])
        assert cleared.exit_code == 0, cleared.output
        assert cleared.stdout.startswith("1101: level III (was I;")

        too_long = (datetime.now(UTC) + timedelta(days=8)).isoformat()
        refused = runner.invoke(
            app, ["response", "override", "1101", "I", "--reason", "x", "--until", too_long]
        )
        assert refused.exit_code == 1
        assert "at most 7 days" in refused.stderr

    def test_override_needs_a_reason(self) -> None:
        runner.invoke(app, ["response", "configure", "1101", "--preset", "toronto"])
        result = runner.invoke(app, ["response", "override", "1101", "II"])
        assert result.exit_code == 2
        assert "--reason" in result.output
        blank = runner.invoke(app, ["response", "override", "1101", "II", "--reason", " "])
        assert blank.exit_code == 1
        assert blank.stderr == "error: an override needs a reason\n"

    @pytest.mark.parametrize(
        ("args", "message"),
        [
            (["configure", "1101", "--preset", "atlantis"], "unknown response preset 'atlantis'"),
            (["configure", "nowhere", "--preset", "toronto"], "unknown region code 'nowhere'"),
            (["reassess", "110105"], "region 110105 has no response policy"),
            (["status", "--region", "nowhere"], "unknown region code 'nowhere'"),
        ],
    )
    def test_bad_input_is_one_line_and_exit_1(self, args: list[str], message: str) -> None:
        result = runner.invoke(app, ["response", *args])
        assert result.exit_code == 1
        assert result.stderr.startswith(f"error: {message}")

    @pytest.mark.parametrize(
        "args",
        [
            ["override", "1101", "V", "--reason", "x"],
            ["override", "1101", "I", "--reason", "x", "--until", "tomorrow"],
            ["override", "1101", "I", "--reason", "x", "--until", "2030-01-01T08:00"],
            ["reassess", "1101", "--wind-kmh", "30"],
        ],
    )
    def test_bad_options_are_usage_errors(self, args: list[str]) -> None:
        runner.invoke(app, ["response", "configure", "1101", "--preset", "toronto"])
        result = runner.invoke(app, ["response", *args])
        assert result.exit_code == 2
