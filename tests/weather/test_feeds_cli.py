"""``streetrelief weather ingest URL``, ``weather feeds``, ``jobs`` and ``response status`` with
stale feeds, against a temporary SQLite database and a real local feed server."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from streetrelief.cli.main import app
from streetrelief.core.clock import SystemClock
from streetrelief.db.engine import get_engine, make_session_factory, session_scope
from streetrelief.weather.feeds.schemas import FeedCreate
from streetrelief.weather.feeds.service import add_feed
from tests.factories.feeds import HTML_PAGE, FeedServer

runner = CliRunner()
FOG = "taiwan_cwa_dense_fog_zh-TW_2024-04-23.xml"


@pytest.fixture(autouse=True)
def _wide(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "400")


@pytest.mark.usefixtures("cli_database")
class TestIngestUrl:
    def test_url_is_read_and_stored_once(self, feed_server: FeedServer, shared_data: Path) -> None:
        url = feed_server.serve("/fog.xml", (shared_data / "cap_alerts" / FOG).read_bytes())
        result = runner.invoke(app, ["weather", "ingest", url])
        assert result.exit_code == 0, result.output
        assert f"{url}: stored CWA-Weather_dense-fog_202404230050001" in result.stdout
        assert result.stdout.endswith("1 stored, 0 already stored, 0 refused\n")
        again = runner.invoke(app, ["weather", "ingest", url])
        assert again.stdout.endswith("0 stored, 1 already stored, 0 refused\n")

    def test_html_reply_is_refused_with_its_reason(self, feed_server: FeedServer) -> None:
        url = feed_server.serve("/login", HTML_PAGE, content_type="text/html")
        result = runner.invoke(app, ["weather", "ingest", url])
        assert result.exit_code == 1
        assert f"{url}: refused: got an HTML page" in result.stdout
        assert f"error: nothing could be read from {url}" in result.stderr

    def test_server_error_is_one_line(self, feed_server: FeedServer) -> None:
        url = feed_server.serve("/down", b"x", status=500, content_type="text/plain")
        result = runner.invoke(app, ["weather", "ingest", url])
        assert result.exit_code == 1
        assert result.stderr == f"error: {url}: HTTP 500 Internal Server Error\n"


@pytest.mark.usefixtures("cli_database")
class TestFeedCommands:
    def test_add_poll_list_remove(self, feed_server: FeedServer, shared_data: Path) -> None:
        url = feed_server.serve("/fog.xml", (shared_data / "cap_alerts" / FOG).read_bytes())
        added = runner.invoke(
            app, ["weather", "feeds", "add", "cwa", url, "--retry-interval", "30"]
        )
        assert added.exit_code == 0, added.output
        listed = json.loads(runner.invoke(app, ["weather", "feeds", "list", "--json"]).stdout)
        assert [(f["name"], f["status"], f["retry_interval_s"]) for f in listed] == [
            ("cwa", "pending", 30)
        ]
        polled = runner.invoke(app, ["weather", "feeds", "poll", "--once"])
        assert polled.exit_code == 0, polled.output
        assert polled.stdout.startswith("poll-feeds: 1 feeds polled, 1 alerts stored, 0 failed")
        table = runner.invoke(app, ["weather", "feeds", "list"])
        assert "fresh" in table.stdout

        taken = runner.invoke(app, ["weather", "feeds", "add", "cwa", url])
        assert (taken.exit_code, "already has that name or URL" in taken.stderr) == (1, True)
        bad = runner.invoke(app, ["weather", "feeds", "add", "x", "file:///etc/passwd"])
        assert bad.exit_code == 2
        assert runner.invoke(app, ["weather", "feeds", "remove", "cwa"]).exit_code == 0
        gone = runner.invoke(app, ["weather", "feeds", "remove", "cwa"])
        assert (gone.exit_code, gone.stderr) == (1, "error: no feed named cwa\n")

    def test_jobs_run_once_and_unknown_job(self) -> None:
        listed = runner.invoke(app, ["jobs", "list"])
        assert "poll-feeds" in listed.stdout
        assert "reassess" in listed.stdout
        once = runner.invoke(app, ["jobs", "run", "--once"])
        assert once.exit_code == 0, once.output
        assert once.stdout.splitlines() == [
            "poll-feeds: 0 feeds polled, 0 alerts stored, 0 failed",
            "reassess: 0 regions reassessed, 0 changed",
            "expire-holds: 0 referral holds expired",
            "dispatch-timers: 0 dispatches not acknowledged (0 re-sent), "
            "0 response targets breached",
            "revisit-timers: 0 revisits assigned to teams, 0 overdue escalated",
            "thank-reporters: 0 social reporters' reports thanked",
        ]
        nope = runner.invoke(app, ["jobs", "run", "nope", "--once"])
        assert nope.exit_code == 1
        assert nope.stderr.startswith("error: no job named nope")

    def test_response_status_marks_levels_resting_on_a_stale_feed(self, cli_database: str) -> None:
        assert (
            runner.invoke(app, ["response", "configure", "1101", "--preset", "china"]).exit_code
            == 0
        )
        # Added two hours ago and never read: stale for every region.
        with session_scope(make_session_factory(get_engine(cli_database))) as session:
            add_feed(
                session,
                FeedCreate(name="cma", url="http://127.0.0.1:9/none.xml", is_enabled=True),
                now=SystemClock().now() - timedelta(hours=2),
            )
        status = runner.invoke(app, ["response", "status"])
        assert status.exit_code == 0, status.output
        assert "STALE: cma" in status.stdout
        as_json = json.loads(runner.invoke(app, ["response", "status", "--json"]).stdout)
        assert [s["name"] for s in as_json[0]["stale_sources"]] == ["cma"]
        reassessed = runner.invoke(app, ["response", "reassess", "1101"])
        assert "warning feeds stale: cma" in reassessed.stdout
