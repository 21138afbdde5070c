"""Partner feeds: a police dispatch platform's own JSON mapped per partner, signed, idempotent
by its record id, with status pulled back; a camera platform's reports held for confirmation;
and per-client throttling of intake."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session
from starlette.requests import Request

from streetrelief.access.roles import Role
from streetrelief.access.service import set_feed_mapping
from streetrelief.api.limits import IntakeThrottle
from streetrelief.core.clock import FixedClock
from streetrelief.core.errors import RateLimitedError
from streetrelief.core.signing import sign
from streetrelief.stats.service import compute_statistics
from tests.factories.access import bearer, make_user
from tests.factories.regions import beijing_tree
from tests.factories.reports import report_body

MAPPING: dict[str, object] = {
    "fields": {
        "source_id": "caseNo",
        "reported_at": "alarmTime",
        "lat": "location.lat",
        "lon": "location.lng",
        "description": "content",
        "conditions": "tags",
        "address": "address",
    },
    "time_format": "epoch_ms",
    "condition_values": {"老人": "elderly", "受伤": "injured"},
}


@pytest.fixture
def partner(session: Session, client: TestClient) -> dict[str, str]:
    """东城's 110 dispatch platform, sending GCJ-02 points in its own JSON."""
    beijing_tree(session)
    r = client.post(
        "/api/v1/partners",
        json={"name": "dongcheng-110", "region_code": "110101", "channels": ["partner"]},
    )
    assert r.status_code == 201, r.text
    k = client.post("/api/v1/partners/dongcheng-110/keys", params={"valid_days": 30})
    return {"key": k.json()["key"], "secret": r.json()["signing_secret"]}


def _send(
    c: TestClient, clock: FixedClock, partner: dict[str, str], path: str, body: object
) -> Any:
    data = json.dumps(body, ensure_ascii=False).encode()
    ts = int(clock.now().timestamp())
    return c.post(
        path,
        content=data,
        headers={
            "Authorization": f"Bearer {partner['key']}",
            "Content-Type": "application/json",
            "X-Streetrelief-Timestamp": str(ts),
            "X-Streetrelief-Signature": sign(partner["secret"], ts, data),
        },
    )


def _case(clock: FixedClock, case_no: str = "110-20260120-0042") -> dict[str, object]:
    return {
        "caseNo": case_no,
        "alarmTime": int(clock.now().timestamp() * 1000) - 60_000,
        "location": {"lat": 39.91890, "lng": 116.42320},
        "content": "群众报警：地下通道有老人",
        "tags": ["老人"],
        "address": "北京市东城区东单",
    }


FEED = "/api/v1/partners/dongcheng-110/reports"


class TestPartnerFeed:
    def test_mapped_signed_idempotent_and_status_pulled(
        self, session: Session, anonymous: TestClient, clock: FixedClock, partner: dict[str, str]
    ) -> None:
        set_feed_mapping(
            session,
            "dongcheng-110",
            field_mapping=MAPPING,
            coordinate_system="gcj02",
            is_machine_source=False,
        )
        session.flush()
        first = _send(anonymous, clock, partner, FEED, _case(clock))
        assert first.status_code == 201, first.text
        assert first.json()["region_code"] == "110101"
        assert first.json()["location_note"] is None
        clock.advance(timedelta(seconds=1))
        again = _send(anonymous, clock, partner, FEED, {**_case(clock), "content": "重复推送"})
        assert again.status_code == 200
        assert again.json()["report_id"] == first.json()["report_id"]
        status = anonymous.get(
            f"{FEED}/110-20260120-0042", headers={"Authorization": f"Bearer {partner['key']}"}
        )
        assert status.status_code == 200, status.text
        assert status.json()["incident_id"] == first.json()["incident_id"]
        assert status.json()["public_status"] in {"received", "help_on_the_way"}

    def test_unmapped_unknown_and_other_partners_feed_refused(
        self, session: Session, anonymous: TestClient, clock: FixedClock, partner: dict[str, str]
    ) -> None:
        r = _send(anonymous, clock, partner, FEED, _case(clock))
        assert r.status_code == 409
        assert r.json()["code"] == "feed_not_configured"
        set_feed_mapping(
            session,
            "dongcheng-110",
            field_mapping=MAPPING,
            coordinate_system="gcj02",
            is_machine_source=False,
        )
        session.flush()
        bad = _send(anonymous, clock, partner, FEED, {**_case(clock), "tags": ["醉酒"]})
        assert bad.status_code == 422
        assert "醉酒" in bad.json()["detail"]
        missing = _send(anonymous, clock, partner, FEED, {"caseNo": "1"})
        assert missing.status_code == 422
        assert "alarmTime" in missing.json()["detail"]
        other = _send(anonymous, clock, partner, "/api/v1/partners/chaoyang-110/reports", {})
        assert other.status_code == 404

    def test_machine_source_waits_for_confirmation(
        self,
        session: Session,
        client: TestClient,
        anonymous: TestClient,
        clock: FixedClock,
        partner: dict[str, str],
    ) -> None:
        set_feed_mapping(
            session,
            "dongcheng-110",
            field_mapping=MAPPING,
            coordinate_system="gcj02",
            is_machine_source=True,
        )
        session.flush()
        r = _send(anonymous, clock, partner, FEED, _case(clock))
        assert r.status_code == 201, r.text
        assert r.json()["needs_confirmation"] is True
        assert r.json()["dispatch_id"] is None
        report_id = r.json()["report_id"]
        dispatcher = make_user(session, now=clock.now(), role=Role.dispatcher, region_code="110101")
        auth = bearer(session, dispatcher, now=clock.now())
        confirm = client.post(
            f"/api/v1/reports/{report_id}/confirmation", json={"is_confirmed": True}, headers=auth
        )
        assert confirm.status_code == 200, confirm.text
        assert confirm.json()["is_confirmed"] is True
        figures = compute_statistics(
            session, "11", clock.now() - timedelta(hours=1), clock.now(), now=clock.now()
        )
        assert (figures.machine_reports, figures.machine_reports_judged) == (1, 1)
        assert figures.machine_confirmation_rate == 1.0
        twice = client.post(
            f"/api/v1/reports/{report_id}/confirmation", json={"is_confirmed": False}, headers=auth
        )
        assert twice.status_code == 409, twice.text


class TestThrottle:
    def test_one_client_throttled_others_not(
        self, session: Session, anonymous: TestClient, client: TestClient, clock: FixedClock
    ) -> None:
        beijing_tree(session)
        codes = [
            anonymous.post("/api/v1/reports", json=report_body(clock, channel="public")).status_code
            for _ in range(35)
        ]
        assert codes[:30] == [201] * 30
        assert set(codes[30:]) == {429}
        refused = anonymous.post("/api/v1/reports", json=report_body(clock, channel="public"))
        assert refused.json()["code"] == "rate_limited"
        assert int(refused.headers["Retry-After"]) >= 1
        assert client.post("/api/v1/reports", json=report_body(clock)).status_code == 201

    def test_a_burst_of_ten_thousand_is_refused_and_others_still_pass(self) -> None:
        throttle = IntakeThrottle("30/minute", "1200/minute")

        def request(host: str, authorization: str | None = None) -> Request:
            headers = [(b"authorization", authorization.encode())] if authorization else []
            return Request(
                {"type": "http", "method": "POST", "headers": headers, "client": (host, 50000)}
            )

        admitted = refused = 0
        for _ in range(10_000):
            try:
                throttle.hit(request("203.0.113.7"))
                admitted += 1
            except RateLimitedError:
                refused += 1
        assert (admitted, refused) == (30, 9_970)
        # Another address, and a signed-in client behind the same address, have their own
        # windows: the burst costs them nothing.
        throttle.hit(request("198.51.100.20"))
        throttle.hit(request("203.0.113.7", authorization="Bearer srt_dispatcher"))
