"""Every real LA homeless-encampment request through the HTTP API, checked against the raw file."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from streetrelief.core.clock import FixedClock
from streetrelief.incidents.models import Incident
from streetrelief.intake.models import Report
from streetrelief.triage.policy import load_policy
from tests.factories.los_angeles import (
    count_merges_without_closing,
    load_los_angeles,
    raw_encampment_requests,
)

CHANNEL = {"Call": "hotline", "Council's Office": "partner"}


@pytest.mark.slow
class TestEncampmentFileOverHttp:
    def test_counts_match_raw_file(
        self, session: Session, client: TestClient, clock: FixedClock, shared_data: Path
    ) -> None:
        clock.set(datetime(2018, 1, 2, tzinfo=UTC))
        load_los_angeles(session, now=clock.now(), with_teams=False)
        requests = raw_encampment_requests(
            shared_data / "help_requests" / "la_myla311_homeless_encampment_only.csv"
        )
        assert len(requests) == 256

        merged = 0
        incident_ids = set()
        for req in requests:
            r = client.post(
                "/api/v1/reports",
                headers={"Idempotency-Key": req.srnumber},
                json={
                    "channel": CHANNEL.get(req.source, "public"),
                    "reported_at": req.created.isoformat(),
                    "lat": req.lat,
                    "lon": req.lon,
                    "description": "Homeless Encampment",
                    "conditions": ["encampment"],
                    "source_id": req.srnumber,
                },
            )
            assert r.status_code == 201, r.text
            body = r.json()
            merged += body["is_merged"]
            incident_ids.add(body["incident_id"])

        merge = load_policy().merge
        want_incidents, want_merged = count_merges_without_closing(
            requests, merge.radius_m, merge.window_s, merge.half_life_s
        )
        assert merged == want_merged
        assert len(incident_ids) == want_incidents
        assert session.scalar(select(func.count()).select_from(Report)) == 256
        assert session.scalar(select(func.count()).select_from(Incident)) == want_incidents
        assert want_merged > 0  # the file does hold repeated reports of one place
        # Every incident lies in the City of Los Angeles subtree.
        r = client.get("/api/v1/incidents", params={"region_code": "US-0644000", "limit": 1000})
        assert len(r.json()) == want_incidents
