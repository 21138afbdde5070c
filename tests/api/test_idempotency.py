"""Idempotent report intake: a repeated ``Idempotency-Key`` replays, never duplicates."""

from __future__ import annotations

import json
from datetime import timedelta
from functools import partial
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from streetrelief.core.clock import FixedClock
from tests.factories.regions import beijing_tree
from tests.factories.reports import report_body

REPORTS = "/api/v1/reports"
PROBLEM_JSON = "application/problem+json"


_report = partial(
    report_body,
    channel="public",
    description="有人睡在公交站",
    conditions=("inadequate_clothing",),
    source_id="app-20260120-0001",
)
"""A report from the public app, which sends its own ``source_id``."""


def _key(value: str) -> dict[str, str]:
    return {"Idempotency-Key": value}


def _reports_of(client: TestClient, incident_id: int) -> list[dict[str, Any]]:
    r = client.get(f"/api/v1/incidents/{incident_id}/reports")
    assert r.status_code == 200, r.text
    reports: list[dict[str, Any]] = r.json()
    return reports


def _incident_count(client: TestClient) -> int:
    return len(client.get("/api/v1/incidents", params={"limit": 1000}).json())


class TestSameKeySameBody:
    def test_repeat_replays_first_answer_with_200(
        self, session: Session, client: TestClient, clock: FixedClock
    ) -> None:
        beijing_tree(session)
        body = _report(clock)
        first = client.post(REPORTS, json=body, headers=_key("k-1"))
        assert first.status_code == 201, first.text
        assert "Idempotent-Replayed" not in first.headers

        clock.advance(timedelta(minutes=3))
        again = client.post(REPORTS, json=body, headers=_key("k-1"))
        assert again.status_code == 200, again.text
        assert again.headers["Idempotent-Replayed"] == "true"
        assert again.json()["report_id"] == first.json()["report_id"]
        assert again.json()["incident_id"] == first.json()["incident_id"]
        assert again.json()["is_merged"] is False

    def test_repeat_stores_only_one_report(
        self, session: Session, client: TestClient, clock: FixedClock
    ) -> None:
        beijing_tree(session)
        body = _report(clock)
        first = client.post(REPORTS, json=body, headers=_key("k-1")).json()
        for _ in range(3):
            assert client.post(REPORTS, json=body, headers=_key("k-1")).status_code == 200
        reports = _reports_of(client, first["incident_id"])
        assert [r["id"] for r in reports] == [first["report_id"]]
        incident = client.get(f"/api/v1/incidents/{first['incident_id']}").json()
        assert incident["report_count"] == 1
        assert _incident_count(client) == 1

    def test_same_json_spelled_differently_is_the_same_body(
        self, session: Session, client: TestClient, clock: FixedClock
    ) -> None:
        beijing_tree(session)
        body = _report(clock)
        first = client.post(REPORTS, json=body, headers=_key("k-1")).json()
        respelled = json.dumps(dict(reversed(list(body.items()))), indent=2, ensure_ascii=True)
        again = client.post(
            REPORTS,
            content=respelled,
            headers={**_key("k-1"), "content-type": "application/json"},
        )
        assert again.status_code == 200, again.text
        assert again.json()["report_id"] == first["report_id"]

    def test_repeat_after_incident_moved_on_still_replays(
        self, session: Session, client: TestClient, clock: FixedClock
    ) -> None:
        beijing_tree(session)
        body = _report(clock)
        first = client.post(REPORTS, json=body, headers=_key("k-1")).json()
        r = client.post(
            f"/api/v1/incidents/{first['incident_id']}/transitions", json={"to": "cancelled"}
        )
        assert r.status_code == 200, r.text
        # A closed incident would make a fresh report open a new one; a replay must not.
        again = client.post(REPORTS, json=body, headers=_key("k-1"))
        assert again.status_code == 200, again.text
        assert again.json()["report_id"] == first["report_id"]
        assert again.json()["incident_id"] == first["incident_id"]
        assert [x["id"] for x in _reports_of(client, first["incident_id"])] == [first["report_id"]]
        assert _incident_count(client) == 1


class TestSameKeyOtherBody:
    def test_reused_key_is_422_and_stores_nothing(
        self, session: Session, client: TestClient, clock: FixedClock
    ) -> None:
        beijing_tree(session)
        first = client.post(REPORTS, json=_report(clock), headers=_key("k-1")).json()
        r = client.post(REPORTS, json=_report(clock, people_count=2), headers=_key("k-1"))
        assert r.status_code == 422, r.text
        assert r.headers["content-type"].startswith(PROBLEM_JSON)
        problem = r.json()
        assert problem["code"] == "idempotency_key_reused"
        assert problem["status"] == 422
        assert problem["title"]
        assert problem["detail"]
        assert problem["report_id"] == first["report_id"]
        assert [x["id"] for x in _reports_of(client, first["incident_id"])] == [first["report_id"]]
        incident = client.get(f"/api/v1/incidents/{first['incident_id']}").json()
        assert incident["people_count"] == 1
        assert _incident_count(client) == 1

    def test_key_of_a_refused_report_stays_free(
        self, session: Session, client: TestClient, clock: FixedClock
    ) -> None:
        beijing_tree(session)
        bad = client.post(REPORTS, json=_report(clock, conditions=["grumpy"]), headers=_key("k-1"))
        assert bad.status_code == 422, bad.text
        assert bad.json()["code"] == "invalid_input"
        good = client.post(REPORTS, json=_report(clock), headers=_key("k-1"))
        assert good.status_code == 201, good.text

    def test_overlong_key_is_422(
        self, session: Session, client: TestClient, clock: FixedClock
    ) -> None:
        beijing_tree(session)
        r = client.post(REPORTS, json=_report(clock), headers=_key("k" * 201))
        assert r.status_code == 422, r.text
        assert r.json()["code"] == "validation_failed"
        assert _incident_count(client) == 0


class TestOtherKeysSameBody:
    def test_each_key_stores_a_report_and_the_second_merges(
        self, session: Session, client: TestClient, clock: FixedClock
    ) -> None:
        beijing_tree(session)
        body = _report(clock)
        first = client.post(REPORTS, json=body, headers=_key("k-1"))
        second = client.post(REPORTS, json=body, headers=_key("k-2"))
        assert first.status_code == 201, first.text
        assert second.status_code == 201, second.text
        assert "Idempotent-Replayed" not in second.headers
        assert second.json()["report_id"] != first.json()["report_id"]
        assert second.json()["incident_id"] == first.json()["incident_id"]
        assert second.json()["is_merged"] is True
        assert second.json()["merge_reason"]
        reports = _reports_of(client, first.json()["incident_id"])
        assert [r["id"] for r in reports] == [first.json()["report_id"], second.json()["report_id"]]
        assert [r["is_merged"] for r in reports] == [False, True]
        assert _incident_count(client) == 1

    def test_no_key_never_replays(
        self, session: Session, client: TestClient, clock: FixedClock
    ) -> None:
        beijing_tree(session)
        body = _report(clock)
        first = client.post(REPORTS, json=body)
        second = client.post(REPORTS, json=body)
        assert (first.status_code, second.status_code) == (201, 201)
        assert second.json()["is_merged"] is True
        assert len(_reports_of(client, first.json()["incident_id"])) == 2
