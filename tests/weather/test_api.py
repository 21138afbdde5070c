"""``/api/v1/alerts``: ingest a CAP message, list by region and time, read one, refuse junk."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from streetrelief.weather.service import import_observations
from tests.factories.regions import beijing_tree
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


def _hourly_file(tmp_path: Path) -> Path:
    path = tmp_path / "dongsi.csv"
    rows = [f'{h + 1},2016,1,22,{h},{-10.0 - h},4.0,"Dongsi"' for h in range(6)]
    header = '"No","year","month","day","hour","TEMP","WSPM","station"'
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


class TestObservationsApi:
    def test_filters_by_region_and_utc_window_with_a_limit(
        self, client: TestClient, session: Session, tmp_path: Path
    ) -> None:
        beijing_tree(session)
        import_observations(session, _hourly_file(tmp_path), region_code="11")
        url = "/api/v1/weather/observations"

        # 02:00 to 05:00 in Beijing is 18:00 to 21:00 UTC the day before.
        window = {
            "region_code": "11",
            "start": "2016-01-22T02:00+08:00",
            "end": "2016-01-21T21:00Z",
        }
        r = client.get(url, params=window)
        assert r.status_code == 200, r.text
        body = r.json()
        assert [o["observed_at"] for o in body] == [
            "2016-01-21T18:00:00Z",
            "2016-01-21T19:00:00Z",
            "2016-01-21T20:00:00Z",
        ]
        assert [o["temperature_c"] for o in body] == [-12.0, -13.0, -14.0]
        assert all(o["wind_chill_c"] < o["temperature_c"] for o in body)

        paged = client.get(url, params={"region_code": "11", "limit": 2, "offset": 4}).json()
        assert [o["temperature_c"] for o in paged] == [-14.0, -15.0]
        assert client.get(url, params={"region_code": "1101"}).json() == []

    def test_bad_queries_are_4xx(self, client: TestClient, session: Session) -> None:
        beijing_tree(session)
        url = "/api/v1/weather/observations"
        assert client.get(url).status_code == 422
        assert client.get(url, params={"region_code": "99"}).status_code in {404, 422}
        naive = {"region_code": "11", "start": "2016-01-22T02:00"}
        assert client.get(url, params=naive).status_code == 422
        assert client.get(url, params={"region_code": "11", "limit": 5000}).status_code == 422
