"""Page routes: thin handlers that render a page shell in the caller's language.

Staff pages need a page session (the cookie set by ``POST /api/v1/auth/session``) and
redirect to the sign-in page without one. A shell holds no records: its scripts read them
through the API, which checks permissions and masks personal details by role, so nothing a
role may not see reaches the page source.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlsplit

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, PackageLoader, select_autoescape

from streetrelief.access import service as access
from streetrelief.access.principal import Principal
from streetrelief.access.roles import Permission, Role
from streetrelief.api.deps import ClockDep, IdPath, SessionDep
from streetrelief.api.security import SESSION_COOKIE
from streetrelief.config import Settings
from streetrelief.core.errors import AuthenticationError
from streetrelief.db.outbox import latest_event_id
from streetrelief.regions.models import Region
from streetrelief.regions.service import list_regions, require_region
from streetrelief.web.i18n import (
    DEFAULT_LANGUAGE,
    LANGUAGE_COOKIE,
    LANGUAGES,
    Language,
    language_for,
    script_messages,
    translations,
)

STATIC_DIR = Path(__file__).parent / "static"
LANGUAGE_COOKIE_MAX_AGE_S = 365 * 24 * 3600
"""A year: the language choice is a preference, not a secret."""

router = APIRouter(include_in_schema=False)

LangQuery = Annotated[str | None, Query(max_length=16, description="zh-CN or en.")]


class SignInRequiredError(Exception):
    """A staff page was asked for without a valid page session."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


@cache
def _environment(locale: str) -> Environment:
    env = Environment(
        loader=PackageLoader("streetrelief.web", "templates"),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(translations(locale), newstyle=True)  # type: ignore[attr-defined]
    return env


def _language(request: Request, lang: str | None) -> Language:
    return (
        language_for(lang) or language_for(request.cookies.get(LANGUAGE_COOKIE)) or DEFAULT_LANGUAGE
    )


def _security_headers(settings: Settings) -> dict[str, str]:
    """Scripts and styles from this server only; map tiles from the configured tile host."""
    tiles = ""
    if settings.map_tile_url:
        parts = urlsplit(settings.map_tile_url.replace("{s}", "a"))
        tiles = f" {parts.scheme}://{parts.netloc.replace('a.', '*.', 1)}"
    return {
        "Content-Security-Policy": (
            "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
            f"img-src 'self' data:{tiles}; connect-src 'self'; frame-ancestors 'none'; "
            "base-uri 'none'; form-action 'self'"
        ),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "Cache-Control": "no-store",
    }


def render(
    request: Request,
    template: str,
    *,
    lang: str | None,
    config: dict[str, Any] | None = None,
    **context: Any,
) -> HTMLResponse:
    """The page ``template`` in the caller's language, with the scripts' strings and config.

    Args:
        lang: a language asked for in the query (remembered in a cookie), else the cookie's,
            else Chinese.
        config: JSON-serialisable settings for the page's scripts.
    """
    language = _language(request, lang)
    settings: Settings = request.app.state.settings
    page_config = {
        "lang": language.code,
        "tileUrl": settings.map_tile_url,
        "tileAttribution": settings.map_tile_attribution,
        **(config or {}),
    }
    html = (
        _environment(language.locale)
        .get_template(template)
        .render(
            language=language,
            languages=LANGUAGES,
            path=request.url.path,
            messages=script_messages(language),
            page_config=page_config,
            **context,
        )
    )
    response = HTMLResponse(html, headers=_security_headers(settings))
    if language_for(lang) is not None:
        response.set_cookie(
            LANGUAGE_COOKIE, language.code, max_age=LANGUAGE_COOKIE_MAX_AGE_S, samesite="lax"
        )
    return response


def _staff(request: Request, session: SessionDep, clock: ClockDep) -> Principal:
    """The signed-in staff member of a page request.

    Raises:
        SignInRequiredError: no page session, or one that is no longer valid.
    """
    token = request.cookies.get(SESSION_COOKIE)
    if token is None:
        raise SignInRequiredError(request.url.path)
    try:
        return access.principal_for_token(session, token, now=clock.now())
    except AuthenticationError:
        raise SignInRequiredError(request.url.path) from None


def _home_region(session: SessionDep, principal: Principal) -> Region | None:
    """The caller's own region; for an account of every region, the first root region."""
    if principal.region_code is not None:
        return require_region(session, principal.region_code)
    roots = list_regions(session, None)
    return roots[0] if roots else None


def _staff_config(session: SessionDep, principal: Principal) -> dict[str, Any]:
    region = _home_region(session, principal)
    return {
        "role": principal.role.value,
        "user": principal.name,
        "teamId": principal.team_id,
        "regionCode": region.code if region else None,
        "regionName": region.name if region else None,
        "timezone": region.timezone if region else "UTC",
        "centre": [region.lat, region.lon] if region and region.lat is not None else None,
        "canAssign": principal.can(Permission.dispatch_create),
        "canReadStats": principal.can(Permission.stats_read),
        "lastEventId": latest_event_id(session),
    }


def sign_in_redirect(request: Request, exc: Exception) -> Response:
    """Send a visitor of a staff page to the sign-in page, to come back afterwards."""
    assert isinstance(exc, SignInRequiredError)  # noqa: S101 - registered for this type only
    return RedirectResponse(f"/sign-in?next={quote(exc.next_path)}", status_code=303)


@router.get("/")
def home(request: Request, session: SessionDep, clock: ClockDep) -> RedirectResponse:
    """Each role's home page: the field app for patrol members (on a phone, and the console's
    live events are not theirs to read), the console for other staff; sign-in first."""
    principal = _staff(request, session, clock)
    return RedirectResponse("/field" if principal.role == Role.patrol else "/console", 303)


@router.get("/sign-in")
def sign_in_page(
    request: Request,
    lang: LangQuery = None,
    next_path: Annotated[str, Query(alias="next", max_length=300)] = "/",
) -> HTMLResponse:
    """Sign in for the console or the field app; without a page to return to, the role's
    home page (``/``)."""
    if not next_path.startswith("/") or next_path.startswith("//"):
        next_path = "/"  # only paths of this site: no open redirect
    return render(request, "auth/sign_in.html", lang=lang, config={"next": next_path})


def _staff_page(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    template: str,
    *,
    lang: str | None,
    **extra: Any,
) -> HTMLResponse:
    """A staff page for the signed-in caller, its config from the caller's role and region
    plus ``extra`` (also given to the template).

    Raises:
        SignInRequiredError: no valid page session.
    """
    principal = _staff(request, session, clock)
    config = {**_staff_config(session, principal), **extra}
    return render(request, template, lang=lang, config=config, **extra)


@router.get("/console")
def console_page(
    request: Request, session: SessionDep, clock: ClockDep, lang: LangQuery = None
) -> HTMLResponse:
    """The dispatcher's console: response level, live map and incident queue."""
    return _staff_page(request, session, clock, "console/index.html", lang=lang)


@router.get("/console/incidents/{incident_id}")
def incident_page(
    incident_id: IdPath,
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    lang: LangQuery = None,
) -> HTMLResponse:
    """One incident: reports, triage, recommended teams, assignment and timeline."""
    return _staff_page(
        request, session, clock, "console/incident.html", lang=lang, incidentId=incident_id
    )


@router.get("/console/teams")
def teams_page(
    request: Request, session: SessionDep, clock: ClockDep, lang: LangQuery = None
) -> HTMLResponse:
    """The team status board."""
    return _staff_page(request, session, clock, "console/teams.html", lang=lang)


@router.get("/console/stats")
def stats_page(
    request: Request, session: SessionDep, clock: ClockDep, lang: LangQuery = None
) -> HTMLResponse:
    """The campaign's figures and charts for the caller's region."""
    return _staff_page(request, session, clock, "console/stats.html", lang=lang)


@router.get("/field")
def field_page(
    request: Request, session: SessionDep, clock: ClockDep, lang: LangQuery = None
) -> HTMLResponse:
    """The field app of patrol teams (mobile, installable, works offline)."""
    return _staff_page(request, session, clock, "field/index.html", lang=lang)


@router.get("/field/manifest.webmanifest")
def field_manifest(request: Request, lang: LangQuery = None) -> Response:
    """The web app manifest that makes the field app installable."""
    language = _language(request, lang)
    gettext = translations(language.locale).gettext
    manifest = {
        "name": gettext("streetrelief field app"),
        "short_name": gettext("Field app"),
        "lang": language.code,
        "start_url": "/field",
        "scope": "/field",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#0b3d91",
        "icons": [
            {"src": "/static/icons/app.svg", "sizes": "any", "type": "image/svg+xml"},
        ],
    }
    return Response(
        json.dumps(manifest, ensure_ascii=False), media_type="application/manifest+json"
    )


@router.get("/field/sw.js")
def field_service_worker() -> FileResponse:
    """The field app's service worker, served under /field so that its scope covers the app.

    Its default scope would be ``/field/``, which leaves out the page ``/field`` itself; the
    ``Service-Worker-Allowed`` header lets it register for ``/field`` (Service Workers,
    W3C, "Service-Worker-Allowed").
    """
    return FileResponse(
        STATIC_DIR / "field" / "sw.js",
        media_type="text/javascript",
        headers={"Cache-Control": "no-cache", "Service-Worker-Allowed": "/field"},
    )


def _public_places(session: SessionDep) -> list[dict[str, Any]]:
    """Names and centres of the root regions and the level below: the public map's background
    when no tile server is configured (public facts; the regions API needs a sign-in)."""
    places: list[dict[str, Any]] = []
    for root in list_regions(session, None):
        regions = [root]
        for child in list_regions(session, root.code):
            # A level without centres (a municipality's prefecture level): use the one below.
            regions.extend([child] if child.lat is not None else list_regions(session, child.code))
        places.extend(
            {"name": r.name, "lat": r.lat, "lon": r.lon}
            for r in regions
            if r.lat is not None and r.lon is not None
        )
    return places


@router.get("/report")
def report_page(request: Request, session: SessionDep, lang: LangQuery = None) -> HTMLResponse:
    """The public report form (no sign-in; Chinese unless English is chosen)."""
    settings: Settings = request.app.state.settings
    return render(
        request,
        "public/report.html",
        lang=lang,
        config={"emergencyNumber": settings.emergency_number, "places": _public_places(session)},
        emergency_number=settings.emergency_number,
    )


@router.get("/report/track")
def track_page(
    request: Request,
    lang: LangQuery = None,
    code: Annotated[str, Query(max_length=32)] = "",
) -> HTMLResponse:
    """The public status of a report, by its tracking code."""
    settings: Settings = request.app.state.settings
    return render(
        request,
        "public/track.html",
        lang=lang,
        code=code,
        emergency_number=settings.emergency_number,
    )
