"""The pages in a real browser: report → console → assign → field app → statistics, offline
recording, and what a masked role's page and event stream hold; in Chinese and in English."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, expect
from sqlalchemy import func, select

from streetrelief.core.clock import SystemClock
from streetrelief.db.engine import session_scope
from streetrelief.dispatch.service import assign_team, report_progress
from streetrelief.dispatch.travel import StraightLineTravel
from streetrelief.incidents.models import Incident, IncidentStatus
from streetrelief.intake.models import Channel, Report
from streetrelief.intake.schemas import ReportCreate
from streetrelief.intake.service import receive_report
from streetrelief.people.models import Encounter, EncounterOutcome
from streetrelief.people.schemas import EncounterCreate, PersonIn
from streetrelief.people.service import record_encounter
from streetrelief.revisits.service import assign_due_revisits
from streetrelief.teams.models import TeamStatus
from streetrelief.teams.service import require_team, set_team_status
from streetrelief.triage.policy import load_policy
from tests.web.conftest import (
    PHONE,
    TIMEOUT_MS,
    Crew,
    LiveServer,
    eventually,
    lose_first_answer,
    ready,
    shoot,
    sign_in,
    synced,
)

LANGUAGES = ["zh-CN", "en"]

MakeContext = Callable[..., BrowserContext]


def _incident_of(server: LiveServer, tracking_code: str) -> int:
    with session_scope(server.factory, read_only=True) as session:
        report = session.scalars(select(Report).where(Report.tracking_code == tracking_code)).one()
        return report.incident_id


def _status(server: LiveServer, incident_id: int) -> str:
    with session_scope(server.factory, read_only=True) as session:
        incident = session.get(Incident, incident_id)
        assert incident is not None
        return str(incident.status)


def _encounters(server: LiveServer, incident_id: int) -> int:
    with session_scope(server.factory, read_only=True) as session:
        count = session.scalar(
            select(func.count()).select_from(Encounter).where(Encounter.incident_id == incident_id)
        )
        return int(count or 0)


def _on_scene(server: LiveServer, crew: Crew, *, contact: str | None = None) -> int:
    """An incident at the crew's place, with the crew sent and on scene; its id."""
    incident_id = _sent(server, crew, contact=contact)
    clock = SystemClock()
    with session_scope(server.factory) as session:
        for status in (IncidentStatus.en_route, IncidentStatus.on_scene):
            report_progress(session, incident_id, status, at=clock.now(), now=clock.now())
    return incident_id


def _sent(
    server: LiveServer, crew: Crew, *, contact: str | None = None, north_m: float = 0.0
) -> int:
    """An incident at the crew's place (or ``north_m`` metres north of it) with the crew sent
    to it (queued as its next job if it is on scene elsewhere); its id."""
    policy = load_policy(None)
    travel = StraightLineTravel(detour_factor=1.4, vehicle_speed_kmh=25, walking_speed_kmh=4)
    clock = SystemClock()
    with session_scope(server.factory) as session:
        result = receive_report(
            session,
            ReportCreate(
                channel=Channel.hotline,
                reported_at=clock.now() - timedelta(minutes=5),
                lat=crew.lat + north_m / 111_195,
                lon=crew.lon,
                description="man sitting by the bus stop",
                conditions=["elderly"],
                reporter_contact=contact,
            ),
            clock=clock,
            policy=policy,
            travel=travel,
        )
        incident_id = result.incident_id
        assign_team(
            session,
            incident_id,
            crew.team_id,
            policy=policy,
            travel=travel,
            now=clock.now(),
            assigned_by="dispatcher-11",
        )
    return incident_id


HELP_FIRST = {"zh-CN": "弱势人员先救助后甄别", "en": "Vulnerable: help first, identify later"}
"""The default policy's rule for an elderly person, as the incident page names it."""
ELDERLY = {"zh-CN": "老年人", "en": "Elderly"}


def _record_encounter(page: Page, description: str) -> None:
    page.locator("#e-description").fill(description)
    page.locator("input[name=categories][value=elderly]").check()
    page.locator("input[name=measures][value=food_and_clothing]").check()
    page.locator("#item-coats").fill("1")
    page.locator("#item-hot_drinks").fill("2")
    page.locator("#e-outcome").select_option("supplies_on_site")
    page.locator("#encounter-form button[type=submit]").click()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_report_reaches_console_and_field_app_records_help(
    live_server: LiveServer, crew: Crew, new_context: MakeContext, lang: str
) -> None:
    base = live_server.url
    console = new_context(viewport={"width": 1440, "height": 900}).new_page()
    sign_in(console, base, "dispatcher-11", "/console")
    console.goto(f"{base}/console?lang={lang}")
    ready(console)
    markers = int(console.locator("#map").get_attribute("data-incidents") or 0)

    # A passer-by reports from a phone, with the phone's location.
    public = new_context(
        viewport=PHONE,
        geolocation={"latitude": crew.lat, "longitude": crew.lon},
        permissions=["geolocation"],
    ).new_page()
    public.goto(f"{base}/report?lang={lang}")
    expect(public.locator(".emergency a[href^='tel:']")).to_be_visible()
    public.locator("#use-location").click()
    expect(public.locator("#location-state")).to_contain_text(f"{crew.lat:.5f}")
    public.locator("input[name=conditions][value=elderly]").check()
    public.locator("input[name=conditions][value=inadequate_clothing]").check()
    public.locator("#description").fill("老人坐在公交站，衣着单薄")
    shoot(public, f"public-form-{lang}")
    public.locator("#report-form button[type=submit]").click()
    code = public.locator("#tracking-code")
    expect(code).not_to_be_empty(timeout=TIMEOUT_MS)
    expect(public.locator("#report-form")).to_be_hidden()
    incident_id = _incident_of(live_server, code.inner_text())

    # It appears on the dispatcher's queue and map without a reload.
    row = console.locator(f"#queue tr[data-id='{incident_id}']")
    expect(row).to_be_visible(timeout=TIMEOUT_MS)
    expect(console.locator("#map")).to_have_attribute("data-incidents", str(markers + 1))
    shoot(console, f"console-{lang}")

    # The dispatcher opens it, reads the triage in words, and assigns the recommended team.
    row.locator("a").click()
    ready(console)
    expect(console.locator("#triage-rules")).to_have_text(HELP_FIRST[lang])
    first = console.locator("#recommendations li").first.locator("button")
    expect(first).to_have_attribute("data-team", str(crew.team_id))
    first.click()
    expect(console.locator("#timeline")).to_contain_text(crew.team_code, timeout=TIMEOUT_MS)
    shoot(console, f"incident-{lang}")
    assert _status(live_server, incident_id) == "dispatched"

    console.goto(f"{base}/console/stats")
    ready(console)
    before = int(console.locator("#stat-encounters").inner_text())

    # The patrol member, on a phone, goes en route, arrives and records the encounter.
    field = new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    sign_in(field, base, crew.username, "/field")
    field.goto(f"{base}/field?lang={lang}")
    ready(field)
    expect(field.locator("#a-title")).to_contain_text(f"#{incident_id}")
    expect(field.locator("#a-conditions")).to_contain_text(ELDERLY[lang])
    field.locator("button[data-to=en_route]").click()
    eventually(lambda: _status(live_server, incident_id) == "en_route")
    field.locator("button[data-to=on_scene]").click()
    eventually(lambda: _status(live_server, incident_id) == "on_scene")
    _record_encounter(field, "灰色外套，约七十岁")
    eventually(lambda: _encounters(live_server, incident_id) == 1)
    synced(field)
    shoot(field, f"field-app-{lang}")

    # The statistics page, still open, counts it.
    expect(console.locator("#stat-encounters")).to_have_text(str(before + 1), timeout=TIMEOUT_MS)
    shoot(console, f"stats-{lang}")

    public.goto(f"{base}/report/track?code={code.inner_text()}")
    expect(public.locator("#track-status")).to_have_attribute("data-status", "help_on_the_way")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_encounter_recorded_offline_reaches_server_once(
    live_server: LiveServer, crew: Crew, new_context: MakeContext, lang: str
) -> None:
    incident_id = _on_scene(live_server, crew)
    context = new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    field = context.new_page()
    sign_in(field, live_server.url, crew.username, "/field")
    field.goto(f"{live_server.url}/field?lang={lang}")
    ready(field)
    expect(field.locator("#encounter-section")).to_be_visible()

    scope = field.evaluate(
        """() => Promise.race([
            navigator.serviceWorker.ready.then((r) => r.scope),
            new Promise((done) => setTimeout(() => done("not registered"), 15000)),
        ])"""
    )
    assert scope == f"{live_server.url}/field", "the service worker serves the page itself"

    context.set_offline(True)
    _record_encounter(field, "offline: blue coat")
    expect(field.locator("#sync-state")).to_have_attribute("data-waiting", "1")
    shoot(field, f"field-app-offline-{lang}")
    assert _encounters(live_server, incident_id) == 0

    # Back online, the first send gets through but its answer is lost; the resend must not
    # record the encounter a second time.
    lost = lose_first_answer(field, r".*/encounters$")
    context.set_offline(False)
    expect(field.locator("#sync-state")).to_have_attribute("data-waiting", "0", timeout=40_000)
    assert lost
    assert lost[0]
    assert _encounters(live_server, incident_id) == 1


def test_masked_role_page_and_stream_hold_no_personal_details(
    live_server: LiveServer, crew: Crew, new_context: MakeContext
) -> None:
    name, contact, notes = "王秘密", "13900001111", "糖尿病史"
    incident_id = _on_scene(live_server, crew, contact=contact)
    with session_scope(live_server.factory) as session:
        record_encounter(
            session,
            incident_id,
            EncounterCreate(
                person=PersonIn(name=name, health_notes=notes, description="红色围巾"),
                team_id=crew.team_id,
                outcome=EncounterOutcome.admitted_to_station,
            ),
            policy=load_policy(None),
            now=SystemClock().now(),
        )
    context = new_context()
    page = context.new_page()
    sign_in(page, live_server.url, "dispatcher-11", f"/console/incidents/{incident_id}")
    ready(page)
    expect(page.locator("#encounters tr")).to_have_count(1)
    expect(page.locator("#encounters")).to_contain_text("红色围巾", timeout=TIMEOUT_MS)
    seen: dict[str, Any] = {
        "page": page.content(),
        "stream": context.request.get(
            f"{live_server.url}/api/v1/events?after=0&follow=false"
        ).text(),
    }
    for where, text in seen.items():
        for secret in (name, contact, notes):
            assert secret not in text, f"{secret!r} in the {where}"


def test_console_catches_up_after_a_dropped_stream(
    live_server: LiveServer, crew: Crew, new_context: MakeContext
) -> None:
    context = new_context(viewport={"width": 1440, "height": 900})
    console = context.new_page()
    sign_in(console, live_server.url, "dispatcher-11", "/console")
    ready(console)
    expect(console.locator("#live-state")).to_have_attribute("data-ok", "1", timeout=TIMEOUT_MS)

    # The connection drops and cannot be made again for a while; an incident is reported
    # and moves on meanwhile.
    console.route(re.compile(r".*/api/v1/events.*"), lambda route: route.abort())
    live_server.drop_connections()
    expect(console.locator("#live-state")).to_have_attribute("data-ok", "0", timeout=TIMEOUT_MS)
    missed = _on_scene(live_server, crew)
    console.unroute(re.compile(r".*/api/v1/events.*"))

    row = console.locator(f"#queue tr[data-id='{missed}']")
    expect(row).to_be_visible(timeout=TIMEOUT_MS)
    expect(row).to_contain_text(re.compile("到场|on scene"))
    expect(console.locator(f"#queue tr[data-id='{missed}']")).to_have_count(1)


def test_field_app_lists_the_team_s_revisits_with_a_way_there(
    live_server: LiveServer, crew: Crew, new_context: MakeContext
) -> None:
    incident_id = _on_scene(live_server, crew)
    clock = SystemClock()
    travel = StraightLineTravel(detour_factor=1.4, vehicle_speed_kmh=25, walking_speed_kmh=4)
    with session_scope(live_server.factory) as session:
        record_encounter(
            session,
            incident_id,
            EncounterCreate(
                person=PersonIn(description="green tent, declined the station"),
                team_id=crew.team_id,
                met_at=clock.now() - timedelta(hours=25),
                outcome=EncounterOutcome.refused,
            ),
            policy=load_policy(None),
            now=clock.now(),
        )
        team = require_team(session, crew.team_id)
        set_team_status(session, team, TeamStatus.available, clock.now())
        (revisit,) = assign_due_revisits(session, travel=travel, now=clock.now())
        assert revisit.team_id == crew.team_id
    field = new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    sign_in(field, live_server.url, crew.username, "/field")
    ready(field)
    item = field.locator("#revisits li")
    expect(item).to_have_count(1)
    expect(item.locator("a")).to_have_attribute("href", re.compile(r"^geo:39\.\d+,116\.\d+\?q="))
    shoot(field, "field-app-revisits")


def test_field_app_shows_the_job_in_hand_while_a_next_one_waits(
    live_server: LiveServer, crew: Crew, new_context: MakeContext
) -> None:
    in_hand = _on_scene(live_server, crew)
    queued = _sent(live_server, crew, north_m=800)
    context = new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    field = context.new_page()
    sign_in(field, live_server.url, crew.username, "/field")
    field.goto(f"{live_server.url}/field?lang=en")
    ready(field)
    expect(field.locator("#a-title")).to_contain_text(f"#{in_hand} ")
    expect(field.locator("#a-status")).to_have_attribute("data-status", "on_scene")

    # The team leaves for the queued job before closing the first: that is now the job in hand.
    clock = SystemClock()
    with session_scope(live_server.factory) as session:
        report_progress(
            session,
            queued,
            IncidentStatus.en_route,
            at=clock.now(),
            now=clock.now(),
            team_id=crew.team_id,
        )
    field.reload()
    ready(field)
    expect(field.locator("#a-title")).to_contain_text(f"#{queued} ")
    expect(field.locator("#a-status")).to_have_attribute("data-status", "en_route")
