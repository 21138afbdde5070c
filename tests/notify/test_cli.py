"""``streetrelief notify`` on a temporary SQLite file, against a local receiver."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from streetrelief.cli.main import app
from streetrelief.config import get_settings
from streetrelief.core.clock import SystemClock
from streetrelief.db.engine import get_engine, make_session_factory, session_scope
from streetrelief.db.outbox import emit
from tests.factories.notify import SECRET
from tests.notify.receivers import HttpReceiver, free_port, http_receiver

runner = CliRunner()


@pytest.fixture
def receiver() -> Iterator[HttpReceiver]:
    with http_receiver() as r:
        yield r


def _ok(*args: str) -> str:
    result = runner.invoke(app, ["notify", *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def _team_event(url: str) -> None:
    with session_scope(make_session_factory(get_engine(url))) as session:
        emit(
            session,
            type_="team.status_changed",
            subject="team",
            subject_id=1,
            at=SystemClock().now(),
            region_code="110101",
            payload={"status": "available"},
        )


class TestNotifyCommands:
    def test_channels_subscribe_deliver_dead_retry(
        self, cli_database: str, receiver: HttpReceiver, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("COLUMNS", "200")
        monkeypatch.setenv("STREETRELIEF_NOTIFY_MAX_ATTEMPTS", "1")
        get_settings.cache_clear()
        added = _ok(
            "channels",
            "add",
            "hq",
            "--kind",
            "webhook",
            "--url",
            receiver.url + "/h?t=KEY9",
            "--secret",
            SECRET,
        )
        assert added == f"channel hq (webhook) added: {receiver.url}/…\n"
        listed = _ok("channels", "list", "--json")
        assert SECRET not in listed
        assert "KEY9" not in listed
        assert json.loads(listed)[0]["has_secret"] is True
        assert "hq" in _ok("channels", "list")

        assert _ok("subscribe", "hq", "--event", "team.*", "--region", "11") == (
            "subscription 1: team.* in 11 -> hq\n"
        )
        assert json.loads(_ok("subscriptions", "--json"))[0]["event_pattern"] == "team.*"
        _ok("subscribe", "hq", "--event", "*")
        assert _ok("unsubscribe", "2") == "subscription 2 stopped\n"
        assert "no" in _ok("subscriptions")
        _team_event(cli_database)

        receiver.fail_next = 1
        assert _ok("deliver", "--once") == (
            "1 new deliveries from 1 events; 0 sent, 1 failed (1 now dead)\n"
        )
        [dead] = json.loads(_ok("deliveries", "--status", "dead", "--json"))
        assert dead["last_status_code"] == 500
        assert "dead" in _ok("deliveries")

        assert _ok("retry", str(dead["id"])) == f"delivery {dead['id']} queued again\n"
        assert _ok("deliver", "--once").endswith("1 sent, 0 failed (0 now dead)\n")
        assert len(receiver.requests) == 2

        assert _ok("test", "hq") == "test message accepted by hq (HTTP 200)\n"
        assert receiver.requests[-1].json()["event"] is None
        assert _ok("channels", "disable", "hq") == "channel hq disabled\n"

    @pytest.mark.usefixtures("cli_database")
    def test_unreachable_channel_test_fails_cleanly(self) -> None:
        url = f"http://127.0.0.1:{free_port()}/h"
        _ok("channels", "add", "gone", "--kind", "slack", "--url", url)
        result = runner.invoke(app, ["notify", "test", "gone"])
        assert result.exit_code == 1
        assert result.stderr.startswith("error: could not reach the receiver")

    @pytest.mark.usefixtures("cli_database")
    @pytest.mark.parametrize(
        ("args", "message"),
        [
            (["subscribe", "nope", "--event", "*"], "error: no channel named 'nope'"),
            (["retry", "99"], "error: no delivery 99"),
            (["unsubscribe", "99"], "error: no subscription 99"),
            (["channels", "add", "m", "--kind", "email"], "error: an e-mail channel needs"),
            (["channels", "add", "b@d", "--kind", "email", "--to", "a@x.cn"], "error: name:"),
            (["channels", "disable", "nope"], "error: no channel named 'nope'"),
            (["test", "nope"], "error: no channel named 'nope'"),
        ],
    )
    def test_bad_input_is_one_line(self, args: list[str], message: str) -> None:
        result = runner.invoke(app, ["notify", *args])
        assert result.exit_code == 1
        assert result.stderr.startswith(message)
        assert "Traceback" not in result.output
