"""Turns every error into RFC 9457 problem details, in one place.

Domain errors keep their own status and stable ``code``; request-validation errors become 422
with the list of offending fields; a client that leaves mid-body gets a quiet 400 nobody reads;
anything unexpected becomes a bare 500 problem without internals (and is logged), so a client
never sees a traceback.
"""

from __future__ import annotations

import logging
import math
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect

from streetrelief.api.security import REFUSALS, audit_refusal
from streetrelief.core.errors import (
    AuthenticationError,
    NotFoundError,
    RateLimitedError,
    StreetReliefError,
)

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger(__name__)


def problem(status: int, title: str, detail: str, code: str, **extra: Any) -> JSONResponse:
    """An RFC 9457 problem-details response; ``code`` is our stable machine-readable reason."""
    body = {
        "type": f"urn:streetrelief:problem:{code}",
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
        **extra,
    }
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, str | int | bool) or value is None:
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    return str(value)


def install_error_handlers(app: FastAPI) -> None:
    """Register the problem-details handlers on ``app``."""

    @app.exception_handler(StreetReliefError)
    async def _domain(request: Request, exc: StreetReliefError) -> JSONResponse:
        if isinstance(exc, REFUSALS):
            await audit_refusal(request, exc)
        # A 404 names nothing but its detail, so that a record outside the caller's regions
        # and one that does not exist answer alike.
        extra = {} if isinstance(exc, NotFoundError) else _jsonable(exc.extra)
        response = problem(exc.status, exc.title, exc.detail, exc.code, **extra)
        if isinstance(exc, AuthenticationError):
            response.headers["WWW-Authenticate"] = 'Bearer realm="streetrelief"'  # RFC 6750 §3
        if isinstance(exc, RateLimitedError):
            response.headers["Retry-After"] = str(exc.retry_after_s)  # RFC 9110 §10.2.3
        return response

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {
                "loc": _jsonable(list(e.get("loc", ()))),
                "msg": str(e.get("msg", "")),
                "type": str(e.get("type", "")),
            }
            for e in exc.errors()
        ]
        first = errors[0] if errors else {"loc": [], "msg": "invalid request"}
        where = ".".join(str(p) for p in first["loc"] if p != "body")
        return problem(
            422,
            "Invalid input",
            f"{where or 'body'}: {first['msg']}",
            "validation_failed",
            errors=errors,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed", 413: "payload_too_large"}.get(
            exc.status_code, "http_error"
        )
        return problem(exc.status_code, str(exc.detail), str(exc.detail), code)

    @app.exception_handler(ClientDisconnect)
    async def _gone(request: Request, _exc: ClientDisconnect) -> Response:
        # The client left while sending its body (a page closed mid-request): nobody reads the
        # answer and nothing went wrong here, so no error is logged.
        log.debug("client left during %s %s", request.method, request.url.path)
        return Response(status_code=400)

    @app.exception_handler(Exception)
    async def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
        log.error("unhandled error: %r", exc, exc_info=exc)
        return problem(
            500, "Internal error", "the server could not complete the request", "internal_error"
        )
