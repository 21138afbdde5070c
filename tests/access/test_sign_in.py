"""Sign-in with real Argon2 hashing, lock-out, token life, sign-out, page sessions and CSRF."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.orm import Session

from streetrelief.access.models import User
from streetrelief.access.roles import Role
from streetrelief.access.schemas import UserCreate
from streetrelief.access.service import create_user
from streetrelief.audit.models import AuditEvent
from streetrelief.core.clock import FixedClock
from streetrelief.core.errors import InvalidInputError
from tests.factories.regions import beijing_tree

PASSWORD = "winter-is-long-2026"
TOKEN = "/api/v1/auth/token"
ME = "/api/v1/auth/me"


@pytest.fixture
def dispatcher(session: Session, clock: FixedClock) -> User:
    beijing_tree(session)
    return create_user(
        session,
        UserCreate(
            username="wang",
            password=SecretStr(PASSWORD),
            role=Role.dispatcher,
            region_code="110101",
        ),
        now=clock.now(),
    )


def _audit(session: Session, action: str) -> list[AuditEvent]:
    return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


class TestPasswords:
    def test_stored_as_argon2id_never_in_clear(self, dispatcher: User) -> None:
        assert dispatcher.password_hash.startswith("$argon2id$")
        assert PASSWORD not in dispatcher.password_hash

    def test_short_password_refused(self, session: Session, clock: FixedClock) -> None:
        with pytest.raises(InvalidInputError, match="at least 12"):
            create_user(
                session,
                UserCreate(username="li", password=SecretStr("short"), role=Role.auditor),
                now=clock.now(),
            )


class TestSignIn:
    def test_token_opens_the_api_and_sign_in_is_audited(
        self, anonymous: TestClient, dispatcher: User, session: Session
    ) -> None:
        r = anonymous.post(TOKEN, json={"username": "wang", "password": PASSWORD})
        assert r.status_code == 200, r.text
        token = r.json()["access_token"]
        me = anonymous.get(ME, headers={"Authorization": f"Bearer {token}"}).json()
        assert (me["name"], me["role"], me["region_code"]) == ("wang", "dispatcher", "110101")
        assert "persons.read_sensitive" not in me["permissions"]
        [event] = _audit(session, "sign_in")
        assert (event.actor, event.outcome, event.region_code) == ("wang", "allowed", "110101")
        assert event.source_ip is not None

    @pytest.mark.parametrize("username", ["wang", "nobody"])
    def test_wrong_password_or_user_is_one_401(
        self, anonymous: TestClient, dispatcher: User, session: Session, username: str
    ) -> None:
        r = anonymous.post(TOKEN, json={"username": username, "password": "wrong password!"})
        assert r.status_code == 401
        assert r.headers["www-authenticate"].startswith("Bearer")
        assert r.json()["detail"] == (
            "wrong user name or password, or the account is locked or disabled"
        )
        [event] = _audit(session, "sign_in_failed")
        assert (event.resource_id, event.outcome) == (username, "denied")
        assert event.detail["reason"] == (
            "wrong_password" if username == "wang" else "unknown_user"
        )

    def test_lock_out_after_five_failures_then_released(
        self, anonymous: TestClient, dispatcher: User, session: Session, clock: FixedClock
    ) -> None:
        for _ in range(5):
            assert (
                anonymous.post(TOKEN, json={"username": "wang", "password": "x" * 12}).status_code
                == 401
            )
        right = {"username": "wang", "password": PASSWORD}
        r = anonymous.post(TOKEN, json=right)
        assert r.status_code == 401, "locked: even the right password is refused"
        assert _audit(session, "sign_in_failed")[-1].detail["reason"] == "locked"
        clock.advance(timedelta(minutes=15, seconds=1))
        assert anonymous.post(TOKEN, json=right).status_code == 200

    def test_disabled_account_cannot_sign_in(
        self, anonymous: TestClient, dispatcher: User, session: Session
    ) -> None:
        dispatcher.is_active = False
        session.flush()
        r = anonymous.post(TOKEN, json={"username": "wang", "password": PASSWORD})
        assert r.status_code == 401


class TestTokens:
    def _token(self, anonymous: TestClient) -> dict[str, str]:
        r = anonymous.post(TOKEN, json={"username": "wang", "password": PASSWORD})
        return {"Authorization": f"Bearer {r.json()['access_token']}"}

    def test_expired_token_refused(
        self, anonymous: TestClient, dispatcher: User, clock: FixedClock
    ) -> None:
        auth = self._token(anonymous)
        clock.advance(timedelta(hours=12, seconds=1))
        r = anonymous.get("/api/v1/teams", headers=auth)
        assert r.status_code == 401
        assert r.json()["code"] == "not_authenticated"

    def test_disabling_the_account_refuses_its_live_token_at_once(
        self, anonymous: TestClient, dispatcher: User, session: Session
    ) -> None:
        auth = self._token(anonymous)
        assert anonymous.get("/api/v1/teams", headers=auth).status_code == 200
        dispatcher.is_active = False
        session.flush()
        r = anonymous.get("/api/v1/teams", headers=auth)
        assert r.status_code == 401
        assert r.json()["code"] == "not_authenticated"

    def test_sign_out_revokes(self, anonymous: TestClient, dispatcher: User) -> None:
        auth = self._token(anonymous)
        assert anonymous.get("/api/v1/teams", headers=auth).status_code == 200
        assert anonymous.post("/api/v1/auth/sign-out", headers=auth).status_code == 204
        assert anonymous.get("/api/v1/teams", headers=auth).status_code == 401

    @pytest.mark.parametrize(
        "header",
        ["Bearer srt_made-up", "Bearer srk_0011aabbccdd_made-up", "Basic d2FuZzp4", "Bearer"],
    )
    def test_forged_or_malformed_credentials_refused_and_audited(
        self, anonymous: TestClient, session: Session, header: str
    ) -> None:
        r = anonymous.get("/api/v1/incidents", headers={"Authorization": header})
        assert r.status_code == 401
        [event] = _audit(session, "denied")
        assert event.detail["status"] == 401

    def test_no_credentials_is_401_not_data(self, anonymous: TestClient) -> None:
        r = anonymous.get("/api/v1/incidents")
        assert r.status_code == 401
        assert r.json()["code"] == "not_authenticated"


class TestPageSession:
    def test_cookie_reads_but_changes_need_the_csrf_token(
        self, anonymous: TestClient, dispatcher: User, clock: FixedClock
    ) -> None:
        r = anonymous.post("/api/v1/auth/session", json={"username": "wang", "password": PASSWORD})
        assert r.status_code == 200, r.text
        cookie = r.headers["set-cookie"]
        assert "HttpOnly" in cookie
        assert "SameSite=strict" in cookie or "samesite=strict" in cookie.lower()
        csrf = r.json()["csrf_token"]
        assert "access_token" not in r.json(), "the session stays in the HttpOnly cookie"
        assert anonymous.get("/api/v1/teams").status_code == 200
        body = {
            "channel": "hotline",
            "reported_at": clock.now().isoformat(),
            "lat": 39.9175,
            "lon": 116.417,
            "conditions": ["elderly"],
        }
        assert anonymous.post("/api/v1/reports", json=body).status_code == 401
        r = anonymous.post("/api/v1/reports", json=body, headers={"X-CSRF-Token": "forged"})
        assert r.status_code == 401
        r = anonymous.post("/api/v1/reports", json=body, headers={"X-CSRF-Token": csrf})
        assert r.status_code == 201, r.text
