"""Open311 GeoReport v2 at ``/open311/v2/``: the service list, service requests in and out.

Thin: the catalogue, the parsing of a request and the search live in
:mod:`streetrelief.intake.open311`; a request is received like every other report.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Depends, Path, Query, Request, Response, status
from lxml import etree

from streetrelief.access.principal import Principal
from streetrelief.access.roles import Permission, Role
from streetrelief.api.deps import ClockDep, SessionDep, TravelDep, TriagePolicyDep
from streetrelief.api.limits import throttle_intake
from streetrelief.api.security import IdempotencyKeyHeader, caller_key, require
from streetrelief.core.errors import (
    AuthenticationError,
    InvalidInputError,
    PermissionDeniedError,
)
from streetrelief.intake import open311
from streetrelief.intake.models import Channel
from streetrelief.intake.service import ReportSource, place_from_address, receive_report

router = APIRouter(prefix="/open311/v2", tags=["open311"])

Catalogue = Annotated[Principal, Depends(require(Permission.service_catalogue_read))]
Reporter = Annotated[Principal, Depends(require(Permission.reports_create))]
ServiceCode = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")]
RequestId = Annotated[str, Path(min_length=8, max_length=32, pattern=r"^[A-Za-z0-9_-]+$")]
MAX_FORM_FIELDS = 100
"""Most fields one form may carry; more is refused rather than parsed (a cheap flood)."""

FORM = "application/x-www-form-urlencoded"
_FORM_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            FORM: {
                "schema": {
                    "type": "object",
                    "required": ["service_code"],
                    "properties": {
                        "service_code": {"type": "string", "maxLength": 64},
                        "lat": {"type": "number"},
                        "long": {"type": "number"},
                        "address_string": {"type": "string", "maxLength": 400},
                        "description": {"type": "string", "maxLength": 2000},
                        "media_url": {"type": "string", "maxLength": 2000},
                        "email": {"type": "string", "maxLength": 100},
                        "phone": {"type": "string", "maxLength": 40},
                        "first_name": {"type": "string", "maxLength": 40},
                        "last_name": {"type": "string", "maxLength": 40},
                        "api_key": {"type": "string", "maxLength": 200},
                        "coordinate_system": {"enum": ["wgs84", "gcj02", "bd09"]},
                        "attribute[conditions][]": {"type": "array", "items": {"type": "string"}},
                        "attribute[people_count]": {"type": "integer"},
                    },
                }
            }
        },
    },
    "responses": {
        "400": {"description": "Malformed body (not UTF-8, not a form)."},
        "415": {"description": "Not a form body."},
        "429": {"description": "Too many reports from this client."},
    },
}


@router.get("/services.json")
def get_services(_principal: Catalogue) -> list[dict[str, Any]]:
    """GET Service List (JSON)."""
    return open311.service_list()


@router.get(
    "/services.xml", response_class=Response, responses={200: {"content": {"text/xml": {}}}}
)
def get_services_xml(_principal: Catalogue) -> Response:
    """GET Service List (XML), the same records under ``<services><service>``."""
    root = etree.Element("services")
    for record in open311.service_list():
        item = etree.SubElement(root, "service")
        for key, value in record.items():
            etree.SubElement(item, key).text = str(value).lower() if value is True else str(value)
    body = etree.tostring(root, xml_declaration=True, encoding="utf-8")
    return Response(body, media_type="text/xml; charset=utf-8")


@router.get("/services/{service_code}.json")
def get_service_definition(
    service_code: ServiceCode, _principal: Catalogue, policy: TriagePolicyDep
) -> dict[str, Any]:
    """GET Service Definition: the attributes (observed conditions, number of people)."""
    return open311.service_definition(service_code, policy)


@router.post(
    "/requests.json",
    status_code=status.HTTP_201_CREATED,
    dependencies=[Depends(throttle_intake)],
    openapi_extra=_FORM_BODY,
)
async def post_request(
    request: Request,
    principal: Reporter,
    response: Response,
    session: SessionDep,
    clock: ClockDep,
    policy: TriagePolicyDep,
    travel: TravelDep,
    idempotency_key: IdempotencyKeyHeader = None,
) -> list[dict[str, Any]]:
    """POST Service Request (form-encoded): file a report on the ``open311`` channel.

    Answers ``[{"service_request_id", "token", "service_notice", "account_id"}]``; the id
    (also the token) lets the reporter follow the request. A repeated ``Idempotency-Key``
    with the same fields answers 200 with the first request.
    """
    if principal.role is Role.partner and Channel.open311.value not in principal.channels:
        raise PermissionDeniedError("this partner may not send on the 'open311' channel")
    fields = _form(request.headers.get("content-type", ""), await request.body())
    now = clock.now()
    needs_place = "lat" not in fields or "long" not in fields
    address = (fields.get("address_string") or [""])[0]
    place = place_from_address(session, address) if needs_place and address else None
    data = open311.parse_request(fields, now=now, place=place.point if place else None)
    result = receive_report(
        session,
        data,
        clock=clock,
        policy=policy,
        travel=travel,
        idempotency_key=caller_key(principal, idempotency_key),
        scope=None if principal.role is Role.public else principal.scope,
        source=ReportSource(location_note=place.note if place else None),
    )
    if result.is_replay:
        response.status_code = status.HTTP_200_OK
        response.headers["Idempotent-Replayed"] = "true"
    code = result.report.tracking_code
    return [{"service_request_id": code, "token": code, "service_notice": None, "account_id": None}]


def _form(content_type: str, body: bytes) -> dict[str, list[str]]:
    if content_type.split(";", maxsplit=1)[0].strip().lower() != FORM:
        raise UnsupportedFormError(f"send the request as {FORM}")
    try:
        text = body.decode("utf-8", errors="strict")
        return parse_qs(
            text,
            keep_blank_values=True,
            strict_parsing=bool(text),
            errors="strict",
            max_num_fields=MAX_FORM_FIELDS,
        )
    except UnicodeDecodeError as exc:
        raise MalformedFormError(f"the form is not UTF-8: {exc.reason}") from None
    except ValueError as exc:
        raise MalformedFormError(f"the form cannot be read: {exc}") from None


class MalformedFormError(InvalidInputError):
    """A form body that is not UTF-8 or not url-encoded."""

    code = "malformed_body"
    status = 400
    title = "Malformed body"


class UnsupportedFormError(InvalidInputError):
    """A request body in another media type than the one the route takes."""

    code = "unsupported_media_type"
    status = 415
    title = "Unsupported media type"


@router.get("/requests.json")
def get_requests(
    principal: Catalogue,
    session: SessionDep,
    clock: ClockDep,
    service_request_id: Annotated[str | None, Query(max_length=3300)] = None,
    service_code: Annotated[str | None, Query(max_length=650)] = None,
    start_date: Annotated[datetime | None, Query()] = None,
    end_date: Annotated[datetime | None, Query()] = None,
    request_status: Annotated[str | None, Query(alias="status", max_length=20)] = None,
) -> list[dict[str, Any]]:
    """GET Service Requests: by ``service_request_id`` (comma-separated), or by
    ``service_code``, ``status`` (open, closed) and dates (default: the last 90 days).

    Staff see whole requests in their regions; anyone else may ask by id only and sees the
    status and the public outcome note.
    """
    is_full = principal.can(Permission.reports_read)
    ids = _csv(service_request_id)
    if ids is None and not is_full:
        raise AuthenticationError("sign in to search requests; anyone may ask by id")
    window = None
    if ids is None:
        window = open311.search_window(_utc(start_date), _utc(end_date), clock.now())
    rows = open311.search_requests(
        session,
        request_ids=ids,
        service_codes=_csv(service_code),
        status=request_status,
        window=window,
        scope=principal.scope if is_full else None,
    )
    return [open311.request_record(r, i, is_full=is_full) for r, i in rows]


@router.get("/requests/{service_request_id}.json")
def get_request(
    service_request_id: RequestId, principal: Catalogue, session: SessionDep
) -> list[dict[str, Any]]:
    """GET Service Request: one request, as a one-element list (GeoReport v2)."""
    is_full = principal.can(Permission.reports_read)
    report, incident = open311.require_request(
        session, service_request_id, principal.scope if is_full else None
    )
    return [open311.request_record(report, incident, is_full=is_full)]


@router.get("/tokens/{token}.json")
def get_token(token: RequestId, _principal: Catalogue, session: SessionDep) -> list[dict[str, Any]]:
    """GET service_request_id from a token: our token is the request id itself."""
    report, _incident = open311.require_request(session, token, None)
    return [{"service_request_id": report.tracking_code, "token": token}]


def _csv(value: str | None) -> list[str] | None:
    if value is None:
        return None
    return [v.strip() for v in value.split(",") if v.strip()]


def _utc(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        raise InvalidInputError("dates need a UTC offset (W3C format)", field="start_date")
    return value
