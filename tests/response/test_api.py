"""``/api/v1/response-levels``: configure, reassess with a reading, override, read, refuse junk."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from streetrelief.core.clock import FixedClock
from streetrelief.db.outbox import events_after
from streetrelief.weather.service import import_observations
from tests.factories.regions import beijing_tree
from tests.factories.response import CWA_CHAIN, FENGLIN, sent_at
from tests.factories.weather import taiwan_tree

CAP = {"Content-Type": "application/cap+xml"}
BASE = "/api/v1/response-levels"


@pytest.fixture
def beijing(session: Session) -> None:
    beijing_tree(session)


@pytest.mark.usefixtures("beijing")
class TestResponseLevelsApi:
    def test_configure_reassess_list_and_inherit(
        self, client: TestClient, session: Session
    ) -> None:
        put = client.put(f"{BASE}/1101/configuration", json={"preset": "toronto"})
        assert put.status_code == 200, put.text
        assert put.json()["level"] == "none"

        cold = client.post(
            f"{BASE}/1101/reassess", json={"temperature_c": -10, "wind_speed_kmh": 40}
        )
        assert cold.status_code == 200, cold.text
        body = cold.json()
        assert (body["has_changed"], body["response"]["level"]) == (True, "III")
        assert body["response"]["colour"] == "yellow"
        assert body["response"]["trigger"]["rule"] == "ecwa_wind_chill"
        assert body["response"]["trigger"]["reading_c"] < -20

        listed = client.get(BASE, params={"region_code": "11"}).json()
        assert [(r["region_code"], r["level"]) for r in listed] == [("1101", "III")]

        district = client.get(f"{BASE}/110105").json()
        assert (district["level"], district["is_inherited"]) == ("III", True)
        assert district["from_region_code"] == "1101"
        assert [h["to_level"] for h in district["history"]] == ["III"]

        changed = [e for e in events_after(session, 0) if e.type == "response.level_changed"]
        assert [(e.region_code, e.payload["to_level"]) for e in changed] == [("1101", "III")]

    def test_reassess_without_body_reads_the_stored_observation(
        self, client: TestClient, session: Session, tmp_path: Path
    ) -> None:
        # The fixed clock stands at 2026-01-20 22:00 in Beijing; the reading is an hour older.
        path = tmp_path / "cold.csv"
        path.write_text(
            '"No","year","month","day","hour","TEMP","WSPM","station"\n'
            '1,2026,1,20,21,-16.0,1.0,"Dongsi"\n',
            encoding="utf-8",
        )
        import_observations(session, path, region_code="11")
        client.put(f"{BASE}/1101/configuration", json={"preset": "toronto"})
        r = client.post(f"{BASE}/1101/reassess")
        assert r.status_code == 200, r.text
        assert r.json()["response"]["level"] == "III"
        assert r.json()["response"]["trigger"]["reading_c"] == -16.0

    def test_reassess_without_body_uses_warnings_only(self, client: TestClient) -> None:
        client.put(f"{BASE}/1101/configuration", json={"preset": "toronto"})
        r = client.post(f"{BASE}/1101/reassess")
        assert r.status_code == 200, r.text
        assert r.json()["response"]["level"] == "none"

    def test_override_wins_until_its_end(self, client: TestClient, clock: FixedClock) -> None:
        client.put(f"{BASE}/1101/configuration", json={"preset": "toronto"})
        until = (clock.now() + timedelta(hours=2)).isoformat()
        r = client.post(
            f"{BASE}/1101/override",
            json={"level": "II", "reason": "shelters full", "until": until, "by": "Wang"},
        )
        assert r.status_code == 200, r.text
        assert r.json()["activation"]["is_override"] is True
        assert r.json()["response"]["override_until"] is not None

        clock.advance(timedelta(hours=1))
        warm = {"temperature_c": 5}
        assert client.post(f"{BASE}/1101/reassess", json=warm).json()["response"]["level"] == "II"
        clock.advance(timedelta(hours=2))
        assert client.post(f"{BASE}/1101/reassess", json=warm).json()["response"]["level"] == "none"

    @pytest.mark.parametrize(
        ("method", "path", "body", "code"),
        [
            ("post", "/1101/override", {"level": "II"}, "validation_failed"),
            ("post", "/1101/override", {"level": "II", "reason": "  "}, "validation_failed"),
            ("post", "/1101/override", {"level": "V", "reason": "x"}, "validation_failed"),
            ("put", "/1101/configuration", {"preset": "atlantis"}, "invalid_policy"),
            ("put", "/nowhere/configuration", {"preset": "toronto"}, "unknown_region"),
            ("post", "/nowhere/reassess", None, "unknown_region"),
            ("post", "/110105/reassess", None, "response_not_configured"),
            ("post", "/1101/reassess", {"temperature_c": -400}, "validation_failed"),
        ],
    )
    def test_bad_input_is_a_4xx_problem(
        self,
        client: TestClient,
        method: str,
        path: str,
        body: dict[str, object] | None,
        code: str,
    ) -> None:
        if path.startswith("/1101/") and "configuration" not in path:
            client.put(f"{BASE}/1101/configuration", json={"preset": "toronto"})
        r = client.request(method.upper(), f"{BASE}{path}", json=body)
        assert 400 <= r.status_code < 500, r.text
        assert r.headers["content-type"].startswith("application/problem+json")
        assert r.json()["code"] == code

    def test_unknown_region_read_is_422(self, client: TestClient) -> None:
        r = client.get(f"{BASE}/nowhere")
        assert r.status_code == 422
        assert r.json()["code"] == "unknown_region"


class TestCwaChainOverApi:
    def test_alerts_posted_raise_then_cancel_ends_after_hold(
        self, client: TestClient, session: Session, clock: FixedClock, shared_data: Path
    ) -> None:
        taiwan_tree(session)
        clock.set(sent_at(CWA_CHAIN[0][1]))
        client.put(f"{BASE}/{FENGLIN}/configuration", json={"preset": "taiwan_cwa"})
        levels = []
        for name, sent in CWA_CHAIN:
            clock.set(sent_at(sent))
            data = (shared_data / "cap_alerts" / name).read_bytes()
            assert client.post("/api/v1/alerts", content=data, headers=CAP).status_code == 201
            levels.append(client.post(f"{BASE}/{FENGLIN}/reassess").json()["response"]["level"])
        assert levels == ["III", "II", "II", "II"]
        clock.advance(timedelta(hours=12))
        assert client.post(f"{BASE}/{FENGLIN}/reassess").json()["response"]["level"] == "none"
        history = client.get(f"{BASE}/{FENGLIN}").json()["history"]
        # Both holds have passed, so the level falls from II straight to none.
        assert [h["to_level"] for h in history] == ["none", "II", "III"]
