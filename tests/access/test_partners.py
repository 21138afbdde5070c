"""Partner systems: hashed keys scoped to channels and regions, signed bodies, replays refused."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from streetrelief.access.models import PartnerKey
from streetrelief.access.service import digest
from streetrelief.audit.models import AuditEvent
from streetrelief.core.clock import FixedClock
from streetrelief.core.signing import sign
from tests.factories.regions import beijing_tree
from tests.factories.reports import report_body

REPORTS = "/api/v1/reports"


@pytest.fixture
def partner(session: Session, client: TestClient) -> dict[str, str]:
    """A police dispatch platform of 东城 that may send on the partner channel; key and secret."""
    beijing_tree(session)
    r = client.post(
        "/api/v1/partners",
        json={"name": "dongcheng-110", "region_code": "110101", "channels": ["partner"]},
    )
    assert r.status_code == 201, r.text
    secret = r.json()["signing_secret"]
    k = client.post("/api/v1/partners/dongcheng-110/keys", params={"valid_days": 30})
    assert k.status_code == 201, k.text
    return {"key": k.json()["key"], "key_id": str(k.json()["id"]), "secret": secret}


def _send(
    anonymous: TestClient,
    clock: FixedClock,
    partner: dict[str, str],
    body: dict[str, object],
    *,
    timestamp: int | None = None,
    signature: str | None = None,
    raw: bytes | None = None,
) -> int:
    data = raw if raw is not None else json.dumps(body).encode()
    ts = int(clock.now().timestamp()) if timestamp is None else timestamp
    headers = {
        "Authorization": f"Bearer {partner['key']}",
        "Content-Type": "application/json",
        "X-Streetrelief-Timestamp": str(ts),
        "X-Streetrelief-Signature": signature or sign(partner["secret"], ts, data),
    }
    r = anonymous.post(REPORTS, content=data, headers=headers)
    return r.status_code


class TestKeys:
    def test_key_and_secret_stored_only_as_digest_and_ciphertext(
        self, session: Session, partner: dict[str, str]
    ) -> None:
        row = session.scalars(select(PartnerKey)).one()
        assert row.digest == digest(partner["key"])
        assert partner["key"] not in str(row.__dict__)
        stored = session.execute(text("SELECT signing_secret FROM partners")).scalar_one()
        assert partner["secret"] not in stored
        assert stored.startswith("gAAAAA")  # a Fernet token

    def test_listing_keys_shows_no_secret(
        self, client: TestClient, partner: dict[str, str]
    ) -> None:
        text = client.get("/api/v1/partners/dongcheng-110/keys").text
        assert partner["key"] not in text
        assert partner["secret"] not in client.get("/api/v1/partners").text


class TestSignedReports:
    def test_signed_report_in_its_region_is_accepted(
        self, anonymous: TestClient, clock: FixedClock, partner: dict[str, str]
    ) -> None:
        assert _send(anonymous, clock, partner, report_body(clock, channel="partner")) == 201

    def test_tampered_body_refused(
        self, anonymous: TestClient, clock: FixedClock, partner: dict[str, str], session: Session
    ) -> None:
        body = report_body(clock, channel="partner")
        ts = int(clock.now().timestamp())
        good = sign(partner["secret"], ts, json.dumps(body).encode())
        body["people_count"] = 5
        assert _send(anonymous, clock, partner, body, timestamp=ts, signature=good) == 401
        denied = session.scalars(select(AuditEvent).where(AuditEvent.outcome == "denied")).all()
        assert [e.actor for e in denied] == ["dongcheng-110"]

    @pytest.mark.parametrize("age_s", [301, -301])
    def test_stale_or_future_timestamp_refused(
        self, anonymous: TestClient, clock: FixedClock, partner: dict[str, str], age_s: int
    ) -> None:
        ts = int(clock.now().timestamp()) - age_s
        assert (
            _send(anonymous, clock, partner, report_body(clock, channel="partner"), timestamp=ts)
            == 401
        )

    def test_replayed_request_refused_once_old(
        self, anonymous: TestClient, clock: FixedClock, partner: dict[str, str]
    ) -> None:
        body = report_body(clock, channel="partner")
        ts = int(clock.now().timestamp())
        assert _send(anonymous, clock, partner, body, timestamp=ts) == 201
        assert _send(anonymous, clock, partner, body, timestamp=ts) == 401, "played twice"
        clock.advance(timedelta(minutes=6))
        assert _send(anonymous, clock, partner, body, timestamp=ts) == 401
        fresh = int(clock.now().timestamp())
        assert _send(anonymous, clock, partner, body, timestamp=fresh) == 201, "signed anew"

    def test_unsigned_refused(
        self, anonymous: TestClient, clock: FixedClock, partner: dict[str, str]
    ) -> None:
        r = anonymous.post(
            REPORTS,
            json=report_body(clock, channel="partner"),
            headers={"Authorization": f"Bearer {partner['key']}"},
        )
        assert r.status_code == 401
        assert "signature" in r.json()["detail"]

    def test_channel_outside_its_scope_refused(
        self, anonymous: TestClient, clock: FixedClock, partner: dict[str, str]
    ) -> None:
        assert _send(anonymous, clock, partner, report_body(clock, channel="hotline")) == 403

    def test_report_outside_its_region_refused(
        self, anonymous: TestClient, clock: FixedClock, partner: dict[str, str]
    ) -> None:
        body = report_body(clock, channel="partner", lat=39.959, lon=116.298)  # 海淀
        assert _send(anonymous, clock, partner, body) == 403

    def test_partner_cannot_read_incidents(
        self, anonymous: TestClient, partner: dict[str, str]
    ) -> None:
        r = anonymous.get(
            "/api/v1/incidents", headers={"Authorization": f"Bearer {partner['key']}"}
        )
        assert r.status_code == 403


class TestRevocationAndExpiry:
    def test_revoked_key_refused_at_once(
        self, client: TestClient, anonymous: TestClient, clock: FixedClock, partner: dict[str, str]
    ) -> None:
        assert client.delete(f"/api/v1/partner-keys/{partner['key_id']}").status_code == 200
        assert _send(anonymous, clock, partner, report_body(clock, channel="partner")) == 401

    def test_expired_key_refused(
        self, anonymous: TestClient, clock: FixedClock, partner: dict[str, str]
    ) -> None:
        clock.advance(timedelta(days=31))
        body = report_body(clock, channel="partner")
        assert _send(anonymous, clock, partner, body) == 401
