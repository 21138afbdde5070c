"""``/api/v1/notify``: channels without secrets, deliveries with their status; and the delivery
worker running inside the server when the settings ask for it."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from streetrelief.api.app import create_app
from streetrelief.core.clock import FixedClock
from streetrelief.db.engine import make_engine, make_session_factory, session_scope
from streetrelief.db.migrate import upgrade
from streetrelief.db.outbox import emit
from streetrelief.notify.service import fan_out
from tests.api.answers import HttpAnswer
from tests.factories.access import bearer, make_user
from tests.factories.notify import (
    SECRET,
    notify_settings,
    subscribe_to,
    webhook_channel,
)
from tests.factories.regions import beijing_tree
from tests.notify.receivers import http_receiver


def _event(session: Session, clock: FixedClock) -> None:
    emit(
        session,
        type_="team.updated",
        subject="team",
        subject_id=1,
        at=clock.now(),
        region_code="110101",
        payload={"fields": ["vehicle"]},
    )
    session.flush()


class TestNotifyApi:
    def test_channels_hide_secrets(
        self, session: Session, clock: FixedClock, client: TestClient
    ) -> None:
        webhook_channel(session, clock, "https://partner.example.org/in/KEY42?sig=KEY43")
        answer: HttpAnswer = client.get("/api/v1/notify/channels")
        assert answer.status_code == 200
        [channel] = answer.json()
        assert channel["address"] == "https://partner.example.org/…"
        assert channel["has_secret"] is True
        for hidden in (SECRET, "KEY42", "KEY43"):
            assert hidden not in answer.text

    def test_deliveries_by_status(
        self, session: Session, clock: FixedClock, client: TestClient
    ) -> None:
        beijing_tree(session)
        webhook_channel(session, clock, "https://partner.example.org/in")
        subscribe_to(session, clock, "hq-webhook", "team.*", "11")
        _event(session, clock)
        fan_out(session, now=clock.now())
        pending = client.get("/api/v1/notify/deliveries", params={"status": "pending"}).json()
        assert [(d["event_type"], d["channel"], d["attempts"]) for d in pending] == [
            ("team.updated", "hq-webhook", 0)
        ]
        assert client.get("/api/v1/notify/deliveries", params={"status": "sent"}).json() == []
        one = client.get(f"/api/v1/notify/deliveries/{pending[0]['id']}")
        assert one.json()["history"] == []
        subs = client.get("/api/v1/notify/subscriptions").json()
        assert [(s["event_pattern"], s["region_code"]) for s in subs] == [("team.*", "11")]

    def test_bad_requests_are_4xx_problems(self, client: TestClient) -> None:
        for url, status, code in [
            ("/api/v1/notify/deliveries/999", 404, "not_found"),
            ("/api/v1/notify/deliveries?channel=nope", 404, "unknown_channel"),
            ("/api/v1/notify/deliveries?status=lost", 422, None),
            ("/api/v1/notify/deliveries?limit=0", 422, None),
        ]:
            answer: HttpAnswer = client.get(url)
            assert answer.status_code == status, url
            assert answer.headers["content-type"] == "application/problem+json"
            if code is not None:
                assert answer.json()["code"] == code


def test_worker_runs_inside_the_server(tmp_path: Path, clock: FixedClock) -> None:
    url = f"sqlite:///{tmp_path / 'serve.db'}"
    upgrade(url)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    with http_receiver() as receiver:
        with session_scope(factory) as session:
            beijing_tree(session)
            webhook_channel(session, clock, receiver.url + "/hook")
            subscribe_to(session, clock, "hq-webhook", "team.*")
            _event(session, clock)
            auth = bearer(session, make_user(session, now=clock.now()), now=clock.now())
        settings = notify_settings(
            database_url=url, notify_worker_in_serve=True, notify_poll_interval_s=0.05
        )
        app = create_app(settings, clock=clock, session_factory=factory)
        with TestClient(app):
            [got] = receiver.wait_for(1)
        assert got.json()["event"]["type"] == "team.updated"
        with TestClient(app, headers=auth) as client:
            [delivery] = client.get("/api/v1/notify/deliveries").json()
        assert delivery["status"] == "sent"
    engine.dispose()
