"""The application's start-up and shut-down."""

from __future__ import annotations

import gc

from fastapi import FastAPI
from fastapi.testclient import TestClient


class TestLifespan:
    def test_start_up_heap_is_frozen_while_serving_and_handed_back_after(
        self, app: FastAPI
    ) -> None:
        with TestClient(app):
            assert gc.get_freeze_count() > 0
        assert gc.get_freeze_count() == 0
