"""Who is calling, and may they: the authentication and permission dependencies of the API.

Credentials, in order: ``Authorization: Bearer`` with a user token (``srt_…``), a partner API
key (``srk_…``) or a social reporter's personal key (``srr_…``); else the page session
cookie, which on a state-changing request must come with its CSRF token in ``X-CSRF-Token``
(double submit, OWASP CSRF Prevention Cheat Sheet); else the caller is the public. A partner's
state-changing requests must also be signed (see :mod:`streetrelief.core.signing`).

Every change is audited in the same transaction as the change itself; every refusal (401, 403,
or a record outside the caller's regions) is audited in a transaction of its own, since the
request's own is rolled back.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Coroutine
from datetime import datetime
from typing import Annotated, Any

from anyio import to_thread
from fastapi import Depends, Header, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session, sessionmaker

from streetrelief.access import service as access
from streetrelief.access.principal import (
    PUBLIC,
    OutOfJurisdictionError,
    Principal,
    RegionOutOfJurisdictionError,
)
from streetrelief.access.roles import Permission
from streetrelief.api.deps import READ_METHODS, ClockDep, SessionDep
from streetrelief.audit import service as audit
from streetrelief.audit.service import Origin
from streetrelief.core.errors import AuthenticationError, PermissionDeniedError, StreetReliefError
from streetrelief.core.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify_signature
from streetrelief.db.engine import session_scope
from streetrelief.reporters import service as reporters

SESSION_COOKIE = "streetrelief_session"
CSRF_HEADER = "X-CSRF-Token"

log = logging.getLogger(__name__)
_bearer = HTTPBearer(auto_error=False, description="A user token or a partner API key.")

_ACTIONS = {"POST": "create", "PUT": "update", "PATCH": "update", "DELETE": "delete"}


def origin(request: Request) -> Origin:
    """The client address, user agent and request line of ``request``."""
    return Origin(
        source_ip=request.client.host if request.client else None,
        user_agent=request.headers.get("user-agent"),
        request=f"{request.method} {request.url.path}",
    )


def get_principal(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """The caller, from a bearer token or key, a session cookie, or nobody (the public).

    Raises:
        AuthenticationError: credentials that are given but not valid (never falls back to
            the public when a token was sent).
    """
    now = clock.now()
    if request.headers.get("authorization") and bearer is None:
        raise AuthenticationError("use 'Authorization: Bearer <token or key>'")
    if bearer is not None:
        credential = bearer.credentials
        if credential.startswith(reporters.KEY_MARKER):
            principal = reporters.principal_for_reporter_key(session, credential, now=now)
        elif credential.startswith(access.KEY_PREFIX):
            principal, partner = access.principal_for_key(session, credential, now=now)
            request.state.partner = partner
        else:
            principal = access.principal_for_token(session, credential, now=now)
    elif (cookie := request.cookies.get(SESSION_COOKIE)) is not None:
        csrf = None if request.method in READ_METHODS else request.headers.get(CSRF_HEADER, "")
        principal = access.principal_for_token(session, cookie, now=now, csrf=csrf)
    else:
        principal = PUBLIC
    request.state.principal = principal
    return principal


PrincipalDep = Annotated[Principal, Depends(get_principal)]

IdempotencyKeyHeader = Annotated[
    str | None,
    Header(max_length=200, description="The client's key: a repeat answers the first result."),
]


def caller_key(principal: Principal, key: str | None) -> str | None:
    """An ``Idempotency-Key`` as stored: a digest of the caller and the key, so that one
    caller's key can neither replay nor block another caller's record."""
    if key is None:
        return None
    return hashlib.sha256(f"{principal.kind}\n{principal.name}\n{key}".encode()).hexdigest()


async def _raw_body(request: Request) -> bytes:
    return await request.body()


def require(permission: Permission) -> Callable[..., Coroutine[Any, Any, Principal]]:
    """A dependency that admits callers whose role allows ``permission``.

    On a state-changing request it also checks a partner's signature and audits the change,
    in the thread pool (both read or write the database). A read needs neither, so the
    dependency is async: a sync one would cost every request a hop to the thread pool.
    """

    async def dependency(
        request: Request,
        principal: PrincipalDep,
        session: SessionDep,
        clock: ClockDep,
        body: Annotated[bytes, Depends(_raw_body)],
    ) -> Principal:
        principal.require(permission)
        if request.method not in READ_METHODS:
            await to_thread.run_sync(
                _admit_change, request, principal, session, clock.now(), body, permission
            )
        return principal

    return dependency


def _admit_change(
    request: Request,
    principal: Principal,
    session: Session,
    now: datetime,
    body: bytes,
    permission: Permission,
) -> None:
    """Check a partner's signature on a state-changing request and audit the change."""
    if principal.kind == "partner":
        verify_signature(
            request.state.partner.signing_secret,
            body,
            timestamp=request.headers.get(TIMESTAMP_HEADER),
            signature=request.headers.get(SIGNATURE_HEADER),
            now=now,
            tolerance_s=request.app.state.settings.signature_max_age_s,
        )
        access.remember_signature(
            session,
            request.state.partner.id,
            request.headers.get(SIGNATURE_HEADER, ""),
            now=now,
            window_s=request.app.state.settings.signature_max_age_s,
        )
    path_params = list(request.path_params.values())
    audit.record(
        session,
        principal,
        action=_ACTIONS.get(request.method, request.method.lower()),
        resource=permission.value.split(".", 1)[0],
        resource_id=path_params[0] if path_params else None,
        region_code=principal.region_code,
        at=now,
        origin=origin(request),
        detail={"permission": permission.value},
    )


REFUSALS = (
    AuthenticationError,
    PermissionDeniedError,
    OutOfJurisdictionError,
    RegionOutOfJurisdictionError,
)


def audit_refusal(request: Request, exc: StreetReliefError) -> Coroutine[Any, Any, None]:
    """Record a refused attempt in a transaction of its own (the request's was rolled back)."""
    principal: Principal = getattr(request.state, "principal", None) or PUBLIC
    where = origin(request)
    factory: sessionmaker[Session] = request.app.state.session_factory
    now = request.app.state.clock.now()

    def write() -> None:
        with session_scope(factory) as session:
            audit.record(
                session,
                principal,
                action="denied",
                resource=request.url.path.removeprefix("/api/v1/").split("/", 1)[0] or "api",
                resource_id=str(next(iter(request.path_params.values()), "")) or None,
                region_code=getattr(exc, "region_code", None) or principal.region_code,
                outcome="denied",
                at=now,
                origin=where,
                detail={"code": exc.code, "status": exc.status, "reason": exc.detail},
            )

    return to_thread.run_sync(write)
