"""Open311 GeoReport v2: the catalogue, filing requests, reading them back, and bad input."""

from __future__ import annotations

import csv
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from streetrelief.core.clock import FixedClock
from streetrelief.core.errors import InvalidInputError
from streetrelief.intake.open311 import search_window
from tests.factories.los_angeles import LA_TIME_FORMAT, LA_ZONE, load_los_angeles
from tests.factories.regions import beijing_tree

V2 = "/open311/v2"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def _post(c: TestClient, fields: dict[str, Any], **headers: str) -> Any:
    return c.post(f"{V2}/requests.json", data=fields, headers=headers)


class TestCatalogue:
    def test_services_json_and_xml_list_string_codes(self, anonymous: TestClient) -> None:
        services = anonymous.get(f"{V2}/services.json").json()
        codes = [s["service_code"] for s in services]
        assert codes == ["person_in_cold", "encampment"]
        assert all(s["metadata"] is True and s["type"] == "realtime" for s in services)
        xml = anonymous.get(f"{V2}/services.xml")
        assert xml.headers["content-type"].startswith("text/xml")
        assert b"<service_code>encampment</service_code>" in xml.content
        assert b"<metadata>true</metadata>" in xml.content

    def test_definition_lists_conditions_as_checkboxes(self, anonymous: TestClient) -> None:
        body = anonymous.get(f"{V2}/services/person_in_cold.json").json()
        conditions = body["attributes"][0]
        assert conditions["code"] == "conditions"
        assert conditions["datatype"] == "multivaluelist"
        assert {"key": "elderly", "name": "Appears 60 or older"} in conditions["values"]

    def test_unknown_service_is_404_with_reason(self, anonymous: TestClient) -> None:
        r = anonymous.get(f"{V2}/services/potholes.json")
        assert r.status_code == 404
        assert r.json()["code"] == "unknown_service_code"


class TestFiling:
    def test_public_files_and_follows_status(
        self, session: Session, anonymous: TestClient, client: TestClient
    ) -> None:
        beijing_tree(session)
        r = _post(
            anonymous,
            {
                "service_code": "person_in_cold",
                "lat": "39.9175",
                "long": "116.4170",
                "description": "老人睡在地下通道",
                "attribute[conditions][]": ["elderly", "hypothermia_signs"],
                "attribute[people_count]": "2",
                "email": "someone@example.org",
                "api_key": "app-123",
            },
        )
        assert r.status_code == 201, r.text
        (answer,) = r.json()
        rid = answer["service_request_id"]
        assert answer["token"] == rid
        (public,) = anonymous.get(f"{V2}/requests/{rid}.json").json()
        assert public["status"] == "open"
        assert public["status_notes"] in {"received", "help_on_the_way"}
        assert "lat" not in public
        assert "description" not in public
        (staff,) = client.get(f"{V2}/requests/{rid}.json").json()
        assert staff["description"] == "老人睡在地下通道"
        assert staff["lat"] == pytest.approx(39.9175)
        assert staff["agency_responsible"] == "110101"
        assert "someone@example.org" not in str(staff)
        assert anonymous.get(f"{V2}/tokens/{rid}.json").json() == [
            {"service_request_id": rid, "token": rid}
        ]

    def test_gcj02_point_is_stored_in_wgs84(self, session: Session, client: TestClient) -> None:
        beijing_tree(session)
        r = _post(
            client,
            {
                "service_code": "person_in_cold",
                "lat": "39.91890",
                "long": "116.42320",
                "coordinate_system": "gcj02",
            },
        )
        assert r.status_code == 201, r.text
        (staff,) = client.get(f"{V2}/requests/{r.json()[0]['service_request_id']}.json").json()
        # The GCJ-02 offset in Beijing is about 100-700 m, mostly westwards.
        assert staff["long"] == pytest.approx(116.4170, abs=0.0015)
        assert staff["lat"] == pytest.approx(39.9175, abs=0.0015)

    def test_address_alone_places_at_region_centre_with_a_note(
        self, session: Session, client: TestClient
    ) -> None:
        beijing_tree(session)
        r = _post(
            client, {"service_code": "person_in_cold", "address_string": "北京市朝阳区建国路88号"}
        )
        assert r.status_code == 201, r.text
        (staff,) = client.get(f"{V2}/requests/{r.json()[0]['service_request_id']}.json").json()
        assert staff["agency_responsible"] == "110105"
        assert (staff["lat"], staff["long"]) == (39.921, 116.443)

    def test_idempotency_key_gives_one_request(self, session: Session, client: TestClient) -> None:
        beijing_tree(session)
        fields = {"service_code": "person_in_cold", "lat": "39.9175", "long": "116.4170"}
        first = _post(client, fields, **{"Idempotency-Key": "gw-1"})
        again = [_post(client, fields, **{"Idempotency-Key": "gw-1"}) for _ in range(3)]
        assert first.status_code == 201
        assert {a.status_code for a in again} == {200}
        assert {a.json()[0]["service_request_id"] for a in again} == {
            first.json()[0]["service_request_id"]
        }


class TestBadInput:
    @pytest.mark.parametrize(
        ("content", "content_type", "status", "code"),
        [
            (b"service_code=encampment&lat=39.9&long=116.4", "application/json", 415, None),
            (b"service_code=person_in_cold&lat=\xff\xfe", FORM["Content-Type"], 400, None),
            (b"lat=39.9&long=116.4", FORM["Content-Type"], 404, "unknown_service_code"),
            (b"service_code=pothole&lat=39.9&long=116.4", FORM["Content-Type"], 404, None),
            (b"service_code=person_in_cold", FORM["Content-Type"], 422, "invalid_input"),
            (b"service_code=person_in_cold&lat=nan&long=116.4", FORM["Content-Type"], 422, None),
            (b"service_code=person_in_cold&lat=116.4&long=39.9&coordinate_system=gcj02",
             FORM["Content-Type"], 422, "invalid_input"),
            (b"service_code=person_in_cold&lat=-33.87&long=151.21", FORM["Content-Type"], 422,
             "location_outside_regions"),
            (b"service_code=person_in_cold&lat=39.9&long=116.4&media_url=ftp://x",
             FORM["Content-Type"], 422, "invalid_input"),
            (b"service_code=person_in_cold&lat=39.9&long=116.4&description=" + b"x" * 2001,
             FORM["Content-Type"], 422, "invalid_input"),
            (b"service_code=person_in_cold&lat=39.9&lat=39.8&long=116.4", FORM["Content-Type"],
             422, "invalid_input"),
        ],
    )  # fmt: skip
    def test_refused_with_reason(
        self,
        session: Session,
        anonymous: TestClient,
        content: bytes,
        content_type: str,
        status: int,
        code: str | None,
    ) -> None:
        beijing_tree(session)
        r = anonymous.post(
            f"{V2}/requests.json", content=content, headers={"Content-Type": content_type}
        )
        assert r.status_code == status, r.text
        assert r.headers["content-type"].startswith("application/problem+json")
        if code is not None:
            assert r.json()["code"] == code

    def test_public_cannot_list(self, anonymous: TestClient) -> None:
        assert anonymous.get(f"{V2}/requests.json").status_code == 401

    @pytest.mark.parametrize(
        ("start", "end", "ok"),
        [
            (None, None, True),
            ("2026-01-01T00:00:00+00:00", None, True),
            ("2025-01-01T00:00:00+00:00", "2026-01-01T00:00:00+00:00", False),
            ("2026-01-02T00:00:00+00:00", "2026-01-01T00:00:00+00:00", False),
        ],
    )
    def test_search_window_defaults_to_90_days(
        self, start: str | None, end: str | None, ok: bool
    ) -> None:
        now = datetime(2026, 1, 20, tzinfo=UTC)
        first = datetime.fromisoformat(start) if start else None
        last = datetime.fromisoformat(end) if end else None
        if ok:
            window = search_window(first, last, now)
            assert window.end - window.start == timedelta(days=90)
        else:
            with pytest.raises(InvalidInputError, match="start_date"):
                search_window(first, last, now)


@pytest.mark.slow
class TestLosAngelesRoundTrip:
    def test_encampment_rows_read_back_field_by_field(
        self, session: Session, client: TestClient, clock: FixedClock, shared_data: Path
    ) -> None:
        load_los_angeles(session, now=datetime(2018, 1, 1, tzinfo=UTC), with_teams=False)
        path = shared_data / "help_requests" / "la_myla311_homeless_encampment_only.csv"
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        assert len(rows) == 256
        created = {
            r["srnumber"]: datetime.strptime(r["created"], LA_TIME_FORMAT).replace(tzinfo=LA_ZONE)
            for r in rows
        }
        rows.sort(key=lambda r: (created[r["srnumber"]], r["srnumber"]))
        ids: dict[str, str] = {}
        for row in rows:
            clock.set(created[row["srnumber"]])
            r = _post(
                client,
                {
                    "service_code": "encampment",
                    "lat": row["latitude"],
                    "long": row["longitude"],
                    "address_string": row["address"],
                    "description": f"Homeless Encampment ({row['request_source']})",
                    "media_url": f"https://myla311.lacity.org/sr/{row['srnumber']}",
                },
                **{"Idempotency-Key": row["srnumber"]},
            )
            assert r.status_code == 201, r.text
            ids[row["srnumber"]] = r.json()[0]["service_request_id"]
        assert len(set(ids.values())) == 256

        clock.set(max(created.values()) + timedelta(hours=1))
        listed = client.get(f"{V2}/requests.json", params={"service_code": "encampment"})
        assert listed.status_code == 200, listed.text
        by_id = {r["service_request_id"]: r for r in listed.json()}
        assert len(by_id) == 256
        for row in rows:
            got = by_id[ids[row["srnumber"]]]
            assert got["service_code"] == "encampment"
            assert got["service_name"] == "Encampment"
            assert got["lat"] == float(row["latitude"])
            assert got["long"] == float(row["longitude"])
            assert got["address"] == row["address"]
            assert got["description"] == f"Homeless Encampment ({row['request_source']})"
            assert got["media_url"] == f"https://myla311.lacity.org/sr/{row['srnumber']}"
            assert datetime.fromisoformat(got["requested_datetime"]) == created[row["srnumber"]]
            assert got["status"] == "open"
            assert got["agency_responsible"]
        # Dates narrow the search; requested_datetime is the time the request came in.
        first_day = client.get(
            f"{V2}/requests.json",
            params={
                "service_code": "encampment",
                "start_date": "2017-12-27T00:00:00-08:00",
                "end_date": "2017-12-28T00:00:00-08:00",
            },
        ).json()
        want = sum(1 for t in created.values() if t < datetime(2017, 12, 28, tzinfo=LA_ZONE))
        assert len(first_day) == want
