"""``/api/v1`` for the playbook: tasks, acknowledgement, plan, roster, stock, and bad input."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from streetrelief.core.clock import FixedClock
from streetrelief.service_points.models import ServicePointKind
from tests.factories.duty import make_point
from tests.factories.regions import beijing_tree

API = "/api/v1"
NIGHT = {"start_at": "2026-01-20T20:00:00+08:00", "end_at": "2026-01-21T08:00:00+08:00"}


@pytest.fixture(autouse=True)
def city(session: Session, clock: FixedClock) -> None:
    beijing_tree(session)
    make_point(session, now=clock.now(), code="RS1", hours="08:00-20:00")
    make_point(
        session,
        now=clock.now(),
        code="WS1",
        kind=ServicePointKind.warming_shelter,
        lat=39.95,
        is_active=False,
    )


class TestPlaybookApi:
    def test_raise_then_list_ack_and_finish_tasks(
        self, client: TestClient, clock: FixedClock
    ) -> None:
        shift = {"region_code": "1101", "role": "leader_in_charge", "person_name": "王", **NIGHT}
        added = client.post(f"{API}/roster/shifts", json=shift)
        assert added.status_code == 201, added.text
        assert added.json()["station"] == "command_centre"
        stocked = client.put(
            f"{API}/stock", json={"service_point_code": "RS1", "item": "quilts", "quantity": 200}
        )
        assert stocked.status_code == 200, stocked.text
        assert stocked.json()["quantity"] == 200

        assert (
            client.put(
                f"{API}/response-levels/1101/configuration", json={"preset": "china"}
            ).status_code
            == 200
        )
        raised = client.post(
            f"{API}/response-levels/1101/override",
            json={"level": "II", "reason": "寒潮", "by": "王"},
        )
        assert raised.status_code == 200, raised.text

        tasks = client.get(f"{API}/response-tasks", params={"region_code": "11", "status": "open"})
        assert tasks.status_code == 200
        by_kind = {t["kind"] for t in tasks.json()}
        assert {"open_standby_point", "extend_hours", "notify_leader", "transfer_stock"} <= by_kind
        assert all(t["owner_name"] == "王" for t in tasks.json())
        task_id = next(t["id"] for t in tasks.json() if t["kind"] == "open_standby_point")

        clock.advance(timedelta(minutes=5))
        acked = client.post(f"{API}/response-tasks/{task_id}/acknowledge", json={"by": "王"})
        assert acked.status_code == 200, acked.text
        assert acked.json()["acknowledged_by"] == "王"
        assert acked.json()["acknowledged_at"].startswith("2026-01-20T14:05")
        done = client.post(f"{API}/response-tasks/{task_id}/done", json={"by": "王"})
        assert done.json()["status"] == "done"
        again = client.post(f"{API}/response-tasks/{task_id}/done", json={"by": "王"})
        assert (again.status_code, again.json()["code"]) == (409, "task_closed")

        playbook = client.get(f"{API}/response-levels/110105/playbook").json()
        assert (playbook["level"], playbook["patrol_multiplier"]) == ("II", 3.0)
        plan = client.get(f"{API}/response-levels/1101/plan").json()
        assert plan["transfers"][0]["from_point"] == "RS1"
        assert plan["transfers"][0]["to_point"] == "WS1"

    def test_on_duty_and_gaps(self, client: TestClient) -> None:
        for name, start, end in [
            ("甲", "2026-01-20T20:00:00+08:00", "2026-01-20T23:30:00+08:00"),
            ("乙", "2026-01-21T00:30:00+08:00", "2026-01-21T10:00:00+08:00"),
        ]:
            body = {
                "region_code": "110105",
                "station": "RS1",
                "role": "hotline_operator",
                "person_name": name,
                "start_at": start,
                "end_at": end,
            }
            assert client.post(f"{API}/roster/shifts", json=body).status_code == 201
        on_duty = client.get(f"{API}/roster/on-duty", params={"region_code": "11"}).json()
        assert [(r["person_name"], r["station"]) for r in on_duty] == [("甲", "RS1")]
        gaps = client.get(f"{API}/roster/gaps", params={"region_code": "1101", "hours": 12}).json()
        assert [(g["start_local"], g["end_local"]) for g in gaps["gaps"]] == [
            ("2026-01-20T23:30:00+08:00", "2026-01-21T00:30:00+08:00")
        ]


class TestBadInput:
    @pytest.mark.parametrize(
        ("body", "status", "code"),
        [
            ({"start_at": NIGHT["end_at"], "end_at": NIGHT["start_at"]}, 422, "validation_failed"),
            ({"station": "NOPE"}, 404, "not_found"),
            ({"region_code": "99"}, 422, "unknown_region"),
            ({"start_at": "2026-01-20T20:00:00"}, 422, "validation_failed"),
            ({"role": "mayor"}, 422, "validation_failed"),
        ],
    )
    def test_bad_shift_refused(
        self, client: TestClient, body: dict[str, str], status: int, code: str
    ) -> None:
        shift = {"region_code": "1101", "role": "driver", "person_name": "孙", **NIGHT, **body}
        response = client.post(f"{API}/roster/shifts", json=shift)
        assert response.status_code == status, response.text
        assert response.json()["code"] == code

    def test_overlapping_shift_refused(self, client: TestClient) -> None:
        shift = {"region_code": "1101", "role": "driver", "person_name": "孙", **NIGHT}
        assert client.post(f"{API}/roster/shifts", json=shift).status_code == 201
        later = {
            **shift,
            "start_at": "2026-01-21T07:00:00+08:00",
            "end_at": "2026-01-21T12:00:00+08:00",
        }
        response = client.post(f"{API}/roster/shifts", json=later)
        assert (response.status_code, response.json()["code"]) == (409, "shift_overlap")

    def test_unknown_task_point_and_bad_queries(self, client: TestClient) -> None:
        ack = client.post(f"{API}/response-tasks/424242/acknowledge", json={"by": "王"})
        assert (ack.status_code, ack.json()["code"]) == (404, "not_found")
        blank = client.post(f"{API}/response-tasks/1/acknowledge", json={"by": " "})
        assert blank.status_code == 422
        stock = client.put(
            f"{API}/stock", json={"service_point_code": "NOPE", "item": "quilts", "quantity": 1}
        )
        assert (stock.status_code, stock.json()["code"]) == (404, "not_found")
        negative = client.put(
            f"{API}/stock", json={"service_point_code": "RS1", "item": "quilts", "quantity": -1}
        )
        assert negative.status_code == 422
        status = client.get(f"{API}/response-tasks", params={"status": "late"})
        assert status.status_code == 422
        gaps = client.get(f"{API}/roster/gaps", params={"region_code": "1101", "hours": 0})
        assert gaps.status_code == 422
        naive = client.get(
            f"{API}/response-levels/1101/playbook", params={"at": "2026-01-20T22:00"}
        )
        assert naive.status_code == 422
