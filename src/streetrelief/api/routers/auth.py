"""Sign-in: bearer tokens for the API, a cookie session for pages, sign-out, and who am I."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response, status
from fastapi.responses import JSONResponse

from streetrelief.access import service as access
from streetrelief.access.principal import PUBLIC
from streetrelief.access.roles import ROLE_PERMISSIONS
from streetrelief.access.schemas import Credentials, SessionRead, TokenRead, WhoAmI
from streetrelief.api.deps import ClockDep, SessionDep
from streetrelief.api.errors import problem
from streetrelief.api.security import SESSION_COOKIE, PrincipalDep, origin
from streetrelief.audit import service as audit
from streetrelief.core.errors import AuthenticationError

router = APIRouter(prefix="/auth", tags=["auth"])

FAILED = "wrong user name or password, or the account is locked or disabled"


def _sign_in(
    request: Request, data: Credentials, session: SessionDep, clock: ClockDep, kind: str
) -> access.IssuedToken | JSONResponse:
    now = clock.now()
    settings = request.app.state.settings
    result = access.sign_in(
        session, data.username, data.password.get_secret_value(), now=now, settings=settings
    )
    where = origin(request)
    if result.user is None:
        # Answered, not raised: the failure count and the audit event must be committed.
        audit.record(
            session,
            PUBLIC,
            action="sign_in_failed",
            resource="user",
            resource_id=data.username,
            outcome="denied",
            at=now,
            origin=where,
            detail={"reason": result.reason},
        )
        response = problem(401, AuthenticationError.title, FAILED, AuthenticationError.code)
        response.headers["WWW-Authenticate"] = 'Bearer realm="streetrelief"'
        return response
    principal = access.user_principal(session, result.user, now=now)
    audit.record(
        session,
        principal,
        action="sign_in",
        resource="user",
        resource_id=result.user.username,
        region_code=result.user.region_code,
        at=now,
        origin=where,
        detail={"kind": kind},
    )
    return access.issue_token(
        session, result.user, kind=kind, now=now, settings=settings, source_ip=where.source_ip
    )


@router.post("/token", response_model=TokenRead)
def post_token(
    request: Request, data: Credentials, session: SessionDep, clock: ClockDep
) -> TokenRead | JSONResponse:
    """Sign in for the API: a bearer token valid for one shift (``token_ttl_s``)."""
    issued = _sign_in(request, data, session, clock, "api")
    if isinstance(issued, JSONResponse):
        return issued
    return TokenRead(access_token=issued.token, expires_at=issued.expires_at)


@router.post("/session", response_model=SessionRead)
def post_session(
    request: Request, data: Credentials, response: Response, session: SessionDep, clock: ClockDep
) -> SessionRead | JSONResponse:
    """Sign in for pages: an HttpOnly, SameSite=Strict session cookie and a CSRF token."""
    issued = _sign_in(request, data, session, clock, "session")
    if isinstance(issued, JSONResponse):
        return issued
    response.set_cookie(
        SESSION_COOKIE,
        issued.token,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        max_age=request.app.state.settings.token_ttl_s,
        path="/",
    )
    return SessionRead(expires_at=issued.expires_at, csrf_token=issued.csrf or "")


@router.post("/sign-out", status_code=status.HTTP_204_NO_CONTENT)
def post_sign_out(
    request: Request,
    response: Response,
    principal: PrincipalDep,
    session: SessionDep,
    clock: ClockDep,
) -> None:
    """End the current token or page session."""
    if principal.kind != "user":
        raise AuthenticationError("sign in first")
    header = request.headers.get("authorization", "")
    token = header.partition(" ")[2] or request.cookies.get(SESSION_COOKIE, "")
    now = clock.now()
    access.revoke_token(session, token, now=now)
    audit.record(
        session,
        principal,
        action="sign_out",
        resource="user",
        resource_id=principal.name,
        region_code=principal.region_code,
        at=now,
        origin=origin(request),
    )
    response.delete_cookie(SESSION_COOKIE, path="/")


@router.get("/me", response_model=WhoAmI)
def get_me(principal: PrincipalDep) -> WhoAmI:
    """The caller: role, region, jurisdiction and permissions."""
    return WhoAmI(
        kind=principal.kind,
        name=principal.name,
        role=principal.role,
        region_code=principal.region_code,
        scope=None if principal.scope is None else list(principal.scope),
        permissions=sorted(p.value for p in ROLE_PERMISSIONS[principal.role]),
        team_id=principal.team_id,
    )
