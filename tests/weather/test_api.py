"""``/api/v1/alerts``: ingest a CAP message, list by region and time, read one, refuse junk."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.factories.weather import cap_message, taiwan_tree

CAP = {"Content-Type": "application/cap+xml"}
FOG = "taiwan_cwa_dense_fog_zh-TW_2024-04-23.xml"


class TestAlertsApi:
    def test_post_then_list_and_read(
        self, client: TestClient, session: Session, shared_data: Path
    ) -> None:
        taiwan_tree(session)
        data = (shared_data / "cap_alerts" / FOG).read_bytes()
        posted = client.post("/api/v1/alerts", content=data, headers=CAP)
        assert posted.status_code == 201, posted.text
        [result] = posted.json()
        assert (result["is_duplicate"], result["region_codes"]) == (False, ["09007"])

        again = client.post("/api/v1/alerts", content=data, headers=CAP)
        assert again.json()[0]["is_duplicate"] is True

        listed = client.get("/api/v1/alerts", params={"region_code": "TW"}).json()
        assert [a["id"] for a in listed] == [result["alert_id"]]
        assert listed[0]["state"] == "in_force"
        assert listed[0]["regions"] == [{"region_code": "09007", "matched_by": "geocode"}]

        detail = client.get(f"/api/v1/alerts/{result['alert_id']}").json()
        assert detail["infos"][0]["areas"][0]["geocodes"] == [["Taiwan_Geocode_103", "09007"]]

    def test_active_at_filters_by_expiry(self, client: TestClient) -> None:
        client.post("/api/v1/alerts", content=cap_message(), headers=CAP)
        inside = client.get("/api/v1/alerts", params={"active_at": "2024-04-22T10:00:00Z"})
        after = client.get("/api/v1/alerts", params={"active_at": "2024-04-22T13:00:00Z"})
        assert len(inside.json()) == 1
        assert after.json() == []

    def test_malformed_xml_is_422_problem(self, client: TestClient) -> None:
        r = client.post("/api/v1/alerts", content=b"<alert><oops></alert>", headers=CAP)
        assert r.status_code == 422
        assert r.json()["code"] == "invalid_cap_message"
        assert client.get("/api/v1/alerts").json() == []

    def test_unknown_region_and_alert(self, client: TestClient) -> None:
        assert client.get("/api/v1/alerts", params={"region_code": "nowhere"}).status_code == 422
        assert client.get("/api/v1/alerts/999").status_code == 404
