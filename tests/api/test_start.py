"""Server start: routes are prepared before the first request, unless the settings say not."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient

from streetrelief.api.app import create_app
from streetrelief.config import Settings
from streetrelief.core.clock import FixedClock


def test_routes_are_prepared_when_the_server_starts(clock: FixedClock, tmp_path: Path) -> None:
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'start.db'}"), clock=clock)
    assert app.openapi_schema is None
    with TestClient(app):
        assert app.openapi_schema is not None


def test_preparing_can_wait_for_the_first_request(anonymous: TestClient, app: FastAPI) -> None:
    assert app.openapi_schema is None  # the test app starts without it, to keep tests quick
