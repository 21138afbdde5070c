"""Page routes without a browser: sign-in redirects, language choice, headers, the shells'
contents, and a complete Chinese catalogue."""

from __future__ import annotations

import json
import re

import pytest
from babel.messages.pofile import read_po
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from streetrelief.access.roles import Role
from streetrelief.access.service import issue_token
from streetrelief.api.security import SESSION_COOKIE
from streetrelief.config import Settings
from streetrelief.core.clock import FixedClock
from streetrelief.triage.policy import load_policy
from streetrelief.web.i18n import CATALOGUE_DIR, SCRIPT_MESSAGES
from tests.factories.access import make_user
from tests.factories.regions import beijing_tree

STAFF_PAGES = ["/console", "/console/teams", "/console/stats", "/console/incidents/1", "/field"]


def _page_config(html: str) -> dict[str, object]:
    found = re.search(r'<script type="application/json" id="page-config">(.*?)</script>', html)
    assert found is not None
    config: dict[str, object] = json.loads(found.group(1))
    return config


def _signed_in(session: Session, client: TestClient, clock: FixedClock, role: Role) -> None:
    user = make_user(session, now=clock.now(), role=role, region_code="110101", username="page")
    issued = issue_token(session, user, kind="session", now=clock.now(), settings=Settings())
    client.cookies.set(SESSION_COOKIE, issued.token)


class TestSignIn:
    @pytest.mark.parametrize("path", STAFF_PAGES)
    def test_staff_page_without_session_goes_to_sign_in(
        self, anonymous: TestClient, path: str
    ) -> None:
        r = anonymous.get(path, follow_redirects=False)
        assert r.status_code == 303
        assert r.headers["location"] == f"/sign-in?next={path}"

    def test_expired_or_unknown_session_goes_to_sign_in(self, anonymous: TestClient) -> None:
        anonymous.cookies.set(SESSION_COOKIE, "srt_not-a-session")
        r = anonymous.get("/console", follow_redirects=False)
        assert r.status_code == 303

    @pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "console"])
    def test_sign_in_returns_only_to_this_site(self, anonymous: TestClient, target: str) -> None:
        r = anonymous.get("/sign-in", params={"next": target})
        assert _page_config(r.text)["next"] == "/"

    @pytest.mark.parametrize(
        ("role", "home"), [(Role.patrol, "/field"), (Role.dispatcher, "/console")]
    )
    def test_home_is_the_role_s_page(
        self, session: Session, anonymous: TestClient, clock: FixedClock, role: Role, home: str
    ) -> None:
        beijing_tree(session)
        assert anonymous.get("/", follow_redirects=False).headers["location"] == "/sign-in?next=/"
        _signed_in(session, anonymous, clock, role)
        r = anonymous.get("/", follow_redirects=False)
        assert (r.status_code, r.headers["location"]) == (303, home)

    def test_console_shell_holds_config_not_records(
        self, session: Session, anonymous: TestClient, clock: FixedClock
    ) -> None:
        beijing_tree(session)
        _signed_in(session, anonymous, clock, Role.dispatcher)
        r = anonymous.get("/console")
        assert r.status_code == 200
        config = _page_config(r.text)
        assert config["regionCode"] == "110101"
        assert config["timezone"] == "Asia/Shanghai"
        assert config["canAssign"] is True
        assert config["tileUrl"] is None

    def test_incident_page_with_bad_id_is_a_clear_4xx(
        self, session: Session, anonymous: TestClient, clock: FixedClock
    ) -> None:
        beijing_tree(session)
        _signed_in(session, anonymous, clock, Role.dispatcher)
        for bad in ("0", "abc", str(2**40)):
            assert anonymous.get(f"/console/incidents/{bad}").status_code == 422


class TestLanguage:
    def test_public_form_is_chinese_by_default(
        self, session: Session, anonymous: TestClient
    ) -> None:
        beijing_tree(session)
        r = anonymous.get("/report")
        assert '<html lang="zh-CN">' in r.text
        assert "如有生命危险，请立即拨打" in r.text
        assert 'href="tel:120"' in r.text

    def test_english_when_asked_and_remembered(
        self, session: Session, anonymous: TestClient
    ) -> None:
        beijing_tree(session)
        r = anonymous.get("/report", params={"lang": "en"})
        assert '<html lang="en">' in r.text
        assert "If a life is in danger, call now:" in r.text
        assert anonymous.cookies.get("lang") == "en"
        assert '<html lang="en">' in anonymous.get("/report/track").text

    def test_unknown_language_falls_back_to_chinese(
        self, session: Session, anonymous: TestClient
    ) -> None:
        beijing_tree(session)
        r = anonymous.get("/report", params={"lang": "xx"})
        assert '<html lang="zh-CN">' in r.text
        assert "lang" not in r.cookies

    def test_scripts_get_their_strings_translated(
        self, session: Session, anonymous: TestClient
    ) -> None:
        beijing_tree(session)
        html = anonymous.get("/report").text
        found = re.search(r'id="page-messages">(.*?)</script>', html)
        assert found is not None
        messages = json.loads(found.group(1))
        assert set(messages) == set(SCRIPT_MESSAGES)
        assert messages["priority.critical"] == "危急"

    def test_default_policy_codes_have_names(self) -> None:
        policy = load_policy(None)
        codes = (
            {f"condition.{code}" for code in policy.conditions}
            | {f"measure.{code}" for code in policy.measures}
            | {f"rule.{rule.id}" for rule in (*policy.rules, policy.default)}
        )
        assert codes - set(SCRIPT_MESSAGES) == set()

    def test_chinese_catalogue_translates_every_message(self) -> None:
        with (CATALOGUE_DIR / "zh_CN" / "LC_MESSAGES" / "messages.po").open("rb") as source:
            catalogue = read_po(source)
        untranslated = [m.id for m in catalogue if m.id and not m.string]
        assert untranslated == []
        ids = {m.id for m in catalogue}
        assert set(SCRIPT_MESSAGES.values()) <= ids


class TestPublicPagesAndAssets:
    def test_pages_forbid_outside_scripts(self, session: Session, anonymous: TestClient) -> None:
        beijing_tree(session)
        policy = anonymous.get("/report").headers["content-security-policy"]
        assert "script-src 'self'" in policy
        assert "frame-ancestors 'none'" in policy

    def test_public_map_background_names_regions(
        self, session: Session, anonymous: TestClient
    ) -> None:
        beijing_tree(session)
        places = _page_config(anonymous.get("/report").text)["places"]
        assert {"name": "北京市", "lat": 39.904, "lon": 116.407} in places  # type: ignore[operator]
        # 市辖区 has no centre: its districts stand in for it
        assert {"name": "东城区", "lat": 39.917, "lon": 116.416} in places  # type: ignore[operator]

    def test_pages_name_an_icon_that_is_served(
        self, session: Session, anonymous: TestClient
    ) -> None:
        beijing_tree(session)
        icon = re.search(r'<link rel="icon" href="([^"]+)"', anonymous.get("/report").text)
        assert icon, "no browser asks for a /favicon.ico that is not there"
        assert anonymous.get(icon.group(1)).status_code == 200

    def test_field_app_is_installable(self, anonymous: TestClient) -> None:
        manifest = anonymous.get("/field/manifest.webmanifest", params={"lang": "en"}).json()
        assert manifest["start_url"] == "/field"
        assert manifest["display"] == "standalone"
        assert manifest["name"] == "streetrelief field app"
        worker = anonymous.get("/field/sw.js")
        assert worker.headers["content-type"].startswith("text/javascript")

    @pytest.mark.parametrize(
        "asset",
        [
            "/static/vendor/leaflet/leaflet.js",
            "/static/vendor/leaflet/leaflet.css",
            "/static/vendor/leaflet/LICENSE",
            "/static/js/console.js",
            "/static/css/app.css",
        ],
    )
    def test_assets_are_served_by_streetrelief(self, anonymous: TestClient, asset: str) -> None:
        assert anonymous.get(asset).status_code == 200
