"""Social reporters through the real API: registration, keys, credited reports, figures,
jurisdiction, and the thank-you by e-mail through the notify worker to a real SMTP server."""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from streetrelief.access.roles import Role
from streetrelief.api.limits import IntakeThrottle
from streetrelief.audit.models import AuditEvent
from streetrelief.core.clock import FixedClock
from streetrelief.db.outbox import Event
from streetrelief.intake.models import Report
from streetrelief.notify.models import ChannelKind
from streetrelief.notify.schemas import ChannelCreate
from streetrelief.notify.service import add_channel
from streetrelief.reporters.models import SocialReporter
from streetrelief.reporters.service import thank_reporters
from tests.factories.access import bearer, make_user
from tests.factories.notify import notify_settings, subscribe_to, worker
from tests.factories.regions import beijing_tree
from tests.factories.reports import report_body
from tests.factories.teams import make_team
from tests.notify.receivers import smtp_receiver

API = "/api/v1/social-reporters"
NAME, PHONE, EMAIL = "刘师傅", "13512345678", "liu.shifu@courier.example"


def _register(client: TestClient, **changes: object) -> dict[str, object]:
    body = {
        "kind": "sanitation_worker",
        "display_name": NAME,
        "phone": PHONE,
        "email": EMAIL,
        "organisation": "东城环卫中心",
        "region_code": "110101",
        **changes,
    }
    r = client.post(API, json=body)
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


def _as(key: object) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def _report(anonymous: TestClient, clock: FixedClock, key: object) -> dict[str, str]:
    body = report_body(clock, channel="social_reporter")
    r = anonymous.post("/api/v1/reports", json=body, headers=_as(key))
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


@pytest.fixture
def world(session: Session, clock: FixedClock) -> int:
    """The Beijing regions and a team in 东城; the team's id."""
    beijing_tree(session)
    return make_team(session, now=clock.now(), code="T-DC-7", region_code="110101").id


@pytest.mark.usefixtures("world")
class TestRegistration:
    def test_key_shown_once_only_digest_stored_contact_encrypted(
        self, client: TestClient, session: Session
    ) -> None:
        issued = _register(client)
        key = str(issued["key"])
        assert key.startswith("srr_")
        rid = issued["reporter"]["id"]  # type: ignore[index]
        row = session.get(SocialReporter, rid)
        assert row is not None
        assert row.key_digest == hashlib.sha256(key.encode()).hexdigest()
        raw = session.execute(text("SELECT * FROM social_reporters")).one()
        stored = " ".join(str(v) for v in raw)
        for secret in (key, key.split("_", 2)[2], NAME, PHONE, EMAIL):
            assert secret not in stored
        detail = client.get(f"{API}/{rid}").json()
        read = session.scalars(
            select(AuditEvent).where(
                AuditEvent.action == "read", AuditEvent.resource == "social_reporters"
            )
        ).one()
        assert read.resource_id == str(rid)
        assert (detail["display_name"], detail["phone"], detail["email"]) == (NAME, PHONE, EMAIL)
        assert "key" not in detail
        listed = client.get(API).text
        for personal in (NAME, PHONE, EMAIL, key):
            assert personal not in listed

    def test_registration_is_idempotent_and_a_replay_shows_no_key(self, client: TestClient) -> None:
        body = {"kind": "courier", "display_name": NAME, "region_code": "110101"}
        headers = {"Idempotency-Key": "reg-1"}
        first = client.post(API, json=body, headers=headers)
        again = client.post(API, json=body, headers=headers)
        assert (first.status_code, again.status_code) == (201, 200)
        assert again.headers["Idempotent-Replayed"] == "true"
        assert again.json()["key"] is None
        assert again.json()["reporter"]["id"] == first.json()["reporter"]["id"]
        other = client.post(API, json={**body, "kind": "volunteer"}, headers=headers)
        assert (other.status_code, other.json()["code"]) == (422, "idempotency_key_reused")
        assert len(client.get(API).json()) == 1

    @pytest.mark.parametrize(
        "changes",
        [
            {"kind": "astronaut"},
            {"email": "not an address"},
            {"phone": "call me"},
            {"display_name": ""},
            {"nickname": "x"},
            {"key_valid_days": 5000},
        ],
    )
    def test_bad_input_is_a_422_with_a_reason(
        self, client: TestClient, changes: dict[str, object]
    ) -> None:
        body = {"kind": "courier", "display_name": NAME, "region_code": "110101", **changes}
        r = client.post(API, json=body)
        assert r.status_code == 422, r.text
        assert r.json()["code"]

    def test_change_clears_contact_but_not_the_name(self, client: TestClient) -> None:
        rid = _register(client)["reporter"]["id"]  # type: ignore[index]
        r = client.patch(f"{API}/{rid}", json={"phone": None, "organisation": "顺丰"})
        assert (r.status_code, r.json()["phone"], r.json()["organisation"]) == (200, None, "顺丰")
        r = client.patch(f"{API}/{rid}", json={"display_name": None})
        assert r.status_code == 422, r.text
        assert client.get(f"{API}/{rid}").json()["display_name"] == NAME

    def test_unknown_region_and_missing_reporter(self, client: TestClient) -> None:
        r = client.post(API, json={"kind": "other", "display_name": NAME, "region_code": "999"})
        assert (r.status_code, r.json()["code"]) == (422, "unknown_region")
        assert client.get(f"{API}/9999").status_code == 404
        assert client.patch(f"{API}/9999", json={"is_active": False}).status_code == 404


@pytest.mark.usefixtures("world")
class TestReports:
    def test_reports_credited_counted_and_followed_at_public_level(
        self, client: TestClient, anonymous: TestClient, session: Session, clock: FixedClock
    ) -> None:
        issued = _register(client)
        key, rid = issued["key"], issued["reporter"]["id"]  # type: ignore[index]
        receipt = _report(anonymous, clock, key)
        assert set(receipt) == {"tracking_code", "received_at", "status"}
        report = session.scalars(select(Report)).one()
        assert report.social_reporter_id == rid
        own = anonymous.get(f"{API}/me/reports", headers=_as(key)).json()
        assert own == [
            {
                "tracking_code": receipt["tracking_code"],
                "received_at": receipt["received_at"],
                "status": "received",
            }
        ]
        [listed] = client.get(API).json()
        assert (listed["reports"], listed["helped"]) == (1, 0)
        stats = client.get(
            "/api/v1/stats",
            params={
                "region_code": "11",
                "start": (clock.now() - timedelta(hours=1)).isoformat(),
                "end": (clock.now() + timedelta(hours=1)).isoformat(),
            },
        ).json()
        assert stats["social_reporter_reports"] == 1
        assert stats["social_reporter_reports_by_kind"] == {"sanitation_worker": 1}
        assert stats["social_reporter_reports_helped"] == 0

    def test_own_channel_own_region_and_staff_have_no_own_reports(
        self, client: TestClient, anonymous: TestClient, clock: FixedClock
    ) -> None:
        key = _register(client)["key"]
        hotline = anonymous.post(
            "/api/v1/reports", json=report_body(clock, channel="hotline"), headers=_as(key)
        )
        assert hotline.status_code == 403
        haidian = anonymous.post(
            "/api/v1/reports",
            json=report_body(clock, channel="social_reporter", lat=39.959, lon=116.298),
            headers=_as(key),
        )
        assert haidian.status_code == 403
        assert anonymous.get(API, headers=_as(key)).status_code == 403
        assert client.get(f"{API}/me/reports").status_code == 403

    def test_report_idempotent_per_reporter(
        self, client: TestClient, anonymous: TestClient, clock: FixedClock, session: Session
    ) -> None:
        key = _register(client)["key"]
        body = report_body(clock, channel="social_reporter")
        headers = {**_as(key), "Idempotency-Key": "street-1"}
        first = anonymous.post("/api/v1/reports", json=body, headers=headers)
        again = anonymous.post("/api/v1/reports", json=body, headers=headers)
        assert (first.status_code, again.status_code) == (201, 200)
        assert first.json()["tracking_code"] == again.json()["tracking_code"]
        assert len(session.scalars(select(Report)).all()) == 1

    def test_disabled_reporter_refused_and_a_new_key_replaces_the_old(
        self, client: TestClient, anonymous: TestClient, clock: FixedClock
    ) -> None:
        issued = _register(client)
        old, rid = issued["key"], issued["reporter"]["id"]  # type: ignore[index]
        r = client.patch(f"{API}/{rid}", json={"is_active": False})
        assert (r.status_code, r.json()["is_active"]) == (200, False)
        body = report_body(clock, channel="social_reporter")
        assert anonymous.post("/api/v1/reports", json=body, headers=_as(old)).status_code == 401
        assert client.patch(f"{API}/{rid}", json={"is_active": True}).status_code == 200
        headers = {"Idempotency-Key": "rotate-1"}
        rotated = client.post(f"{API}/{rid}/key", json={"valid_days": 30}, headers=headers)
        replay = client.post(f"{API}/{rid}/key", json={"valid_days": 30}, headers=headers)
        assert (rotated.status_code, replay.status_code) == (201, 200)
        assert replay.json()["key"] is None
        new = rotated.json()["key"]
        assert anonymous.post("/api/v1/reports", json=body, headers=_as(old)).status_code == 401
        _report(anonymous, clock, new)
        clock.advance(timedelta(days=31))
        assert anonymous.get(f"{API}/me/reports", headers=_as(new)).status_code == 401


@pytest.mark.usefixtures("world")
def test_jurisdiction_hides_other_districts_reporters(
    client: TestClient, anonymous: TestClient, session: Session, clock: FixedClock
) -> None:
    rid = _register(client)["reporter"]["id"]  # type: ignore[index]
    haidian = bearer(
        session,
        make_user(session, now=clock.now(), role=Role.dispatcher, region_code="110108"),
        now=clock.now(),
    )
    assert anonymous.get(f"{API}/{rid}", headers=haidian).status_code == 404
    assert anonymous.post(f"{API}/{rid}/key", json={}, headers=haidian).status_code == 404
    assert anonymous.get(API, headers=haidian).json() == []
    r = anonymous.post(
        API,
        json={"kind": "security_guard", "display_name": NAME, "region_code": "110101"},
        headers=haidian,
    )
    assert (r.status_code, r.json()["code"]) == (422, "unknown_region")
    patrol = bearer(
        session,
        make_user(session, now=clock.now(), role=Role.patrol, region_code="110101"),
        now=clock.now(),
    )
    assert anonymous.get(API, headers=patrol).status_code == 403


def test_thank_you_once_on_close_with_the_public_outcome_only(
    world: int,
    client: TestClient,
    anonymous: TestClient,
    session: Session,
    clock: FixedClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="streetrelief")
    thanks = ChannelCreate(name="thanks", kind=ChannelKind.email, add_event_recipients=True)
    add_channel(session, thanks, now=clock.now())
    subscribe_to(session, clock, "thanks", "social_reporter.thanked")
    key = _register(client)["key"]
    receipt = _report(anonymous, clock, key)
    silent = _register(client, kind="volunteer", email=None)["key"]
    _report(anonymous, clock, silent)  # the same person: merges into the same incident
    [incident_id] = set(session.scalars(select(Report.incident_id)))
    assert thank_reporters(session, now=clock.now()) == 0  # still open
    r = client.post(f"/api/v1/incidents/{incident_id}/dispatches", json={"team_id": world})
    assert r.status_code == 201, r.text
    for step in ("en_route", "on_scene", "resolved"):
        r = client.post(f"/api/v1/incidents/{incident_id}/transitions", json={"to": step})
        assert r.status_code == 200, r.text
    assert thank_reporters(session, now=clock.now()) == 2  # one without e-mail: no message
    assert thank_reporters(session, now=clock.now()) == 0

    with smtp_receiver() as smtp:
        deliver = worker(session, clock, notify_settings(smtp_port=smtp.port))
        assert deliver.run_round().sent == 1
        [(rcpt, mail)] = smtp.wait_for(1)
        assert deliver.run_round().sent == 0
    assert rcpt == [EMAIL]
    body = mail.get_content()
    assert receipt["tracking_code"] in body
    assert "was helped" in body
    for hidden in ("T-DC-7", "东城", "110101", "22:", "14:", NAME, PHONE):
        assert hidden not in body + str(mail["Subject"])

    [event] = session.scalars(select(Event).where(Event.type == "social_reporter.thanked"))
    assert event.payload["outcome"] == "helped"
    ours = [r.getMessage() for r in caplog.records if r.name.startswith("streetrelief")]
    leaked = json.dumps(event.payload, ensure_ascii=False) + "\n".join(ours)
    for personal in (NAME, PHONE, EMAIL):
        assert personal not in leaked
    own = anonymous.get(f"{API}/me/reports", headers=_as(key)).json()
    assert own[0]["status"] == "helped"
    listed = client.get(API).json()
    assert [(r["reports"], r["helped"]) for r in listed] == [(1, 1), (1, 1)]


@pytest.mark.usefixtures("world")
def test_a_burst_from_one_reporter_is_throttled_without_slowing_another(
    app: FastAPI, client: TestClient, anonymous: TestClient, clock: FixedClock
) -> None:
    app.state.intake_throttle = IntakeThrottle("30/minute", "3/minute")
    busy, other = _register(client)["key"], _register(client, kind="courier")["key"]
    body = report_body(clock, channel="social_reporter")
    codes = [
        anonymous.post("/api/v1/reports", json=body, headers=_as(busy)).status_code
        for _ in range(5)
    ]
    assert codes == [201, 201, 201, 429, 429]
    assert anonymous.post("/api/v1/reports", json=body, headers=_as(other)).status_code == 201
