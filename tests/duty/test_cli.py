"""``streetrelief roster|stock`` and the task commands of ``streetrelief response``."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from streetrelief.cli.main import app

runner = CliRunner()
BEIJING = ZoneInfo("Asia/Shanghai")


START = datetime.now(UTC).replace(second=0, microsecond=0)
"""The whole minute the tests count from (the CLI reads the system clock)."""


def _iso(delta_h: float) -> str:
    """A time ``delta_h`` hours from ``START``, in Beijing time with its offset."""
    return (START + timedelta(hours=delta_h)).astimezone(BEIJING).isoformat()


@pytest.mark.usefixtures("cli_database")
class TestRosterCommands:
    def test_import_on_duty_and_gaps(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("COLUMNS", "200")
        Path("roster.csv").write_text(
            "region_code,station,role,person_name,contact,start_at,end_at\n"
            f"1101,,leader_in_charge,王,123,{_iso(-1)},{_iso(5)}\n"
            f"1101,,hotline_operator,李,,{_iso(-1)},{_iso(2)}\n"
            f"1101,,hotline_operator,赵,,{_iso(3)},{_iso(10)}\n",
            encoding="utf-8",
        )
        imported = runner.invoke(app, ["roster", "import", "roster.csv"])
        assert imported.exit_code == 0, imported.output
        assert imported.stdout == "roster.csv: 3 created, 0 updated, 0 unchanged\n"

        on_duty = runner.invoke(app, ["roster", "on-duty", "--region", "11", "--json"])
        assert on_duty.exit_code == 0, on_duty.output
        assert sorted(r["person_name"] for r in json.loads(on_duty.stdout)) == ["李", "王"]

        gaps = runner.invoke(app, ["roster", "gaps", "--region", "1101", "--hours", "12", "--json"])
        assert gaps.exit_code == 0, gaps.output
        report = json.loads(gaps.stdout)
        # 李 leaves at +2 h and 赵 comes at +3 h; after 赵 leaves at +10 h nobody is rostered.
        assert [(g["start_local"], g["end_local"][:16]) for g in report["gaps"]] == [
            (_iso(2), _iso(3)[:16]),
            (_iso(10), report["gaps"][1]["end_local"][:16]),
        ]
        assert report["gaps"][0]["duration_s"] == 3600
        text = runner.invoke(app, ["roster", "gaps", "--region", "1101", "--hours", "12"])
        assert "hotline_operator gaps in the next 12 h (Asia/Shanghai)" in text.stdout

    @pytest.mark.parametrize(
        ("extra", "message"),
        [
            (["--station", "NOPE"], "error: unknown service point NOPE\n"),
            (["--region", "99"], "error: unknown region code '99'"),
        ],
    )
    def test_add_refuses_bad_input(self, extra: list[str], message: str) -> None:
        args = ["roster", "add", "--region", "1101", "--role", "driver", "--name", "孙"]
        args += ["--start", _iso(0), "--end", _iso(4)]
        result = runner.invoke(app, [*args, *extra])
        assert result.exit_code == 1, result.output
        assert result.stderr.startswith(message)

    def test_add_refuses_overlap_and_end_before_start(self) -> None:
        base = ["roster", "add", "--region", "1101", "--role", "driver", "--name", "孙"]
        first = runner.invoke(app, [*base, "--start", _iso(0), "--end", _iso(4)])
        assert first.exit_code == 0, first.output
        overlap = runner.invoke(app, [*base, "--start", _iso(3), "--end", _iso(6)])
        assert overlap.exit_code == 1
        assert overlap.stderr.startswith("error: 孙 is already on shift")
        backwards = runner.invoke(app, [*base, "--start", _iso(8), "--end", _iso(7)])
        assert backwards.exit_code == 1
        assert "end_at must be after start_at" in backwards.stderr


@pytest.mark.usefixtures("cli_database")
class TestStockAndTaskCommands:
    def test_stock_set_list_and_task_lifecycle(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("COLUMNS", "200")
        Path("points.csv").write_text(
            "code,name,kind,region_code,lat,lon,hours,is_active\n"
            "RS1,东城站,relief_station,110101,39.917,116.416,08:00-20:00,true\n"
            "WS1,朝阳避寒点,warming_shelter,110105,39.921,116.443,,false\n",
            encoding="utf-8",
        )
        assert runner.invoke(app, ["service-points", "import", "points.csv"]).exit_code == 0
        stocked = runner.invoke(app, ["stock", "set", "RS1", "quilts", "200"])
        assert stocked.exit_code == 0, stocked.output
        listed = runner.invoke(app, ["stock", "list", "--region", "11", "--json"])
        assert [(r["service_point_code"], r["quantity"]) for r in json.loads(listed.stdout)] == [
            ("RS1", 200)
        ]
        bad = runner.invoke(app, ["stock", "set", "NOPE", "quilts", "1"])
        assert (bad.exit_code, bad.stderr) == (1, "error: unknown service point NOPE\n")
        shouting = runner.invoke(app, ["stock", "set", "RS1", "Quilts", "1"])
        assert shouting.exit_code == 1
        assert shouting.stderr.startswith("error: item: String should match pattern")

        runner.invoke(app, ["response", "configure", "1101", "--preset", "china"])
        raised = runner.invoke(app, ["response", "override", "1101", "II", "--reason", "drill"])
        assert raised.exit_code == 0, raised.output
        tasks = runner.invoke(app, ["response", "tasks", "--region", "11", "--json"])
        rows = json.loads(tasks.stdout)
        assert {"open_standby_point", "transfer_stock"} <= {r["kind"] for r in rows}
        assert all(r["is_unassigned"] for r in rows)  # nobody is on the roster
        table = runner.invoke(app, ["response", "tasks", "--status", "open"])
        assert "UNASSIGNED" in table.stdout

        task = next(r["id"] for r in rows if r["kind"] == "open_standby_point")
        acked = runner.invoke(app, ["response", "ack", str(task), "--by", "王"])
        assert acked.stdout == f"task {task}: acknowledged by 王\n"
        done = runner.invoke(app, ["response", "done", str(task), "--by", "王"])
        assert done.stdout == f"task {task}: done by 王\n"
        closed = runner.invoke(app, ["response", "ack", str(task), "--by", "王"])
        assert (closed.exit_code, closed.stderr) == (1, f"error: response task {task} is done\n")
        unknown = runner.invoke(app, ["response", "ack", "999", "--by", "王"])
        assert (unknown.exit_code, unknown.stderr) == (1, "error: response task 999 not found\n")

        plan = runner.invoke(app, ["response", "plan", "1101", "--json"])
        assert plan.exit_code == 0, plan.output
        assert json.loads(plan.stdout)["transfers"][0]["to_point"] == "WS1"
        plan_table = runner.invoke(app, ["response", "plan", "1101"])
        assert "Pre-positioning plan, 1101 (level II)" in plan_table.stdout
