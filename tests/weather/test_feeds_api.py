"""``/api/v1/alerts/feeds``: add, list with status, remove; stale feeds on response levels."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from streetrelief.core.clock import FixedClock
from tests.factories.regions import beijing_tree

BASE = "/api/v1/alerts/feeds"
FEED = {
    "name": "cma",
    "url": "https://alerts.example.org/cap/beijing.atom",
    "region_code": "11",
    "stale_after_s": 1800,
}


class TestFeedsApi:
    def test_add_list_and_remove(self, client: TestClient, session: Session) -> None:
        beijing_tree(session)
        posted = client.post(BASE, json=FEED)
        assert posted.status_code == 201, posted.text
        body = posted.json()
        assert (body["status"], body["poll_interval_s"], body["next_poll_at"]) == (
            "pending",
            300,
            None,
        )
        listed = client.get(BASE)
        assert listed.status_code == 200, listed.text
        assert [f["name"] for f in listed.json()] == ["cma"]
        assert client.delete(f"{BASE}/cma").status_code == 204
        assert client.get(BASE).json() == []
        gone = client.delete(f"{BASE}/cma")
        assert (gone.status_code, gone.json()["code"]) == (404, "not_found")

    def test_refuses_taken_names_unknown_regions_and_other_schemes(
        self, client: TestClient, session: Session
    ) -> None:
        beijing_tree(session)
        assert client.post(BASE, json=FEED).status_code == 201
        taken = client.post(BASE, json={**FEED, "name": "other"})
        assert (taken.status_code, taken.json()["code"]) == (409, "feed_exists")
        unknown = client.post(
            BASE, json={**FEED, "name": "x", "url": "http://a.b/c", "region_code": "99"}
        )
        assert (unknown.status_code, unknown.json()["code"]) == (422, "unknown_region")
        for url in ("file:///etc/passwd", "ftp://a.b/c.xml", "not a url"):
            bad = client.post(BASE, json={**FEED, "name": "y", "url": url})
            assert bad.status_code == 422, url
        short = client.post(
            BASE, json={**FEED, "name": "z", "url": "http://a.b/z", "retry_interval_s": 0}
        )
        assert short.status_code == 422

    def test_stale_feed_shows_on_the_levels_it_covers(
        self, client: TestClient, session: Session, clock: FixedClock
    ) -> None:
        beijing_tree(session)
        assert (
            client.put(
                "/api/v1/response-levels/1101/configuration", json={"preset": "china"}
            ).status_code
            == 200
        )
        assert client.post(BASE, json=FEED).status_code == 201
        level = client.get("/api/v1/response-levels").json()[0]
        assert level["stale_sources"] == []

        clock.advance(timedelta(seconds=1800))
        [feed] = client.get(BASE).json()
        assert (feed["status"], feed["stale_since"]) == (
            "stale",
            clock.now().isoformat().replace("+00:00", "Z"),
        )
        [level] = client.get("/api/v1/response-levels").json()
        assert [s["name"] for s in level["stale_sources"]] == ["cma"]
        district = client.get("/api/v1/response-levels/110105").json()
        assert [s["name"] for s in district["response"]["stale_sources"]] == ["cma"]
        reassessed = client.post("/api/v1/response-levels/1101/reassess")
        assert [s["name"] for s in reassessed.json()["response"]["stale_sources"]] == ["cma"]
