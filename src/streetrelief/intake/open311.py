"""Open311 GeoReport v2: the service catalogue, service requests in, their status out.

Follows the GeoReport v2 specification (wiki.open311.org/GeoReport_v2): service codes are
strings, request fields are scalars, ``service_request_id`` is a string, a search without dates
covers the last ``DEFAULT_SEARCH_DAYS`` days and answers at most ``MAX_SEARCH_RESULTS``
requests. Our ``service_request_id`` is the report's tracking code, so that the citizen who
filed a request can follow it without enumerating anyone else's. A request is a report on the
``open311`` channel; what happens to it is the incident's business. The public sees only the
status and the public outcome note; staff see the whole request inside their regions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from streetrelief.core.errors import InvalidInputError, NotFoundError
from streetrelief.core.tabular import describe
from streetrelief.incidents.models import Incident, IncidentStatus
from streetrelief.intake import repository
from streetrelief.intake.models import Channel, Report
from streetrelief.intake.schemas import ReportCreate
from streetrelief.intake.service import PUBLIC_STATUS
from streetrelief.regions.service import Scope
from streetrelief.triage.policy import TriagePolicy

DEFAULT_SEARCH_DAYS = 90
MAX_SEARCH_RESULTS = 1000
"""GeoReport v2, GET Service Requests: "the default query should return the last 90 days",
and a jurisdiction may cap an answer at 1000 requests."""

MAX_REQUEST_IDS = 100
"""Most ids one search may name (a comma-separated list in the query string); a local limit
that keeps the query's parameter count low on SQLite."""

CONTACT_FIELDS = ("first_name", "last_name", "email", "phone")
"""GeoReport v2 reporter fields, kept together as the report's private contact."""


class UnknownServiceError(NotFoundError):
    """A service code that is not in the catalogue."""

    code = "unknown_service_code"


@dataclass(frozen=True)
class Service:
    """One entry of the catalogue: a kind of report the public can file."""

    service_code: str
    service_name: str
    description: str
    group: str
    keywords: tuple[str, ...]
    conditions: tuple[str, ...] = ()
    """Condition codes every request of this service carries (an encampment is one)."""


SERVICES = (
    Service(
        "person_in_cold",
        "Person out in the cold",
        "Someone sleeping rough or stranded outside in cold weather who may need help.",
        "street relief",
        ("homeless", "cold", "rough sleeper", "露宿", "寒冷"),
    ),
    Service(
        "encampment",
        "Encampment",
        "Tents or shelter structures in a public place where people are living.",
        "street relief",
        ("encampment", "tent", "homeless encampment"),
        ("encampment",),
    ),
)
SERVICES_BY_CODE = {s.service_code: s for s in SERVICES}


def require_service(code: str) -> Service:
    """The catalogue entry of ``code``.

    Raises:
        UnknownServiceError: (404) no such service code.
    """
    service = SERVICES_BY_CODE.get(code)
    if service is None:
        raise UnknownServiceError(
            f"unknown service_code {code!r}; known: {sorted(SERVICES_BY_CODE)}",
            field="service_code",
        )
    return service


def service_list() -> list[dict[str, Any]]:
    """GET Service List: one record per service."""
    return [
        {
            "service_code": s.service_code,
            "service_name": s.service_name,
            "description": s.description,
            "metadata": True,
            "type": "realtime",
            "keywords": ",".join(s.keywords),
            "group": s.group,
        }
        for s in SERVICES
    ]


def service_definition(code: str, policy: TriagePolicy) -> dict[str, Any]:
    """GET Service Definition: the attributes a request may carry — the observed conditions
    (checkboxes, the triage policy's codes) and the number of people.

    Raises:
        UnknownServiceError: no such service code.
    """
    require_service(code)
    return {
        "service_code": code,
        "attributes": [
            {
                "variable": True,
                "code": "conditions",
                "datatype": "multivaluelist",
                "required": False,
                "datatype_description": "Tick every condition you can see.",
                "order": 1,
                "description": "What do you observe?",
                "values": [{"key": k, "name": v} for k, v in policy.conditions.items()],
            },
            {
                "variable": True,
                "code": "people_count",
                "datatype": "number",
                "required": False,
                "datatype_description": "A whole number from 1 to 500.",
                "order": 2,
                "description": "How many people need help?",
                "values": [],
            },
        ],
    }


def parse_request(
    fields: Mapping[str, Sequence[str]], *, now: datetime, place: tuple[float, float] | None
) -> ReportCreate:
    """A report from the fields of a POST Service Request (form-decoded, each a list).

    Args:
        fields: ``service_code``, ``lat``/``long`` (or ``address_string``), ``description``,
            ``media_url``, the contact fields and ``attribute[conditions][]`` /
            ``attribute[people_count]``; ``coordinate_system`` (wgs84, gcj02, bd09) is our
            extension. Unknown fields (``api_key``, ``device_id``...) are ignored, as the
            specification allows.
        place: (lat, lon) WGS-84 found from ``address_string`` when no coordinates came.

    Raises:
        UnknownServiceError: the service code is not in the catalogue.
        InvalidInputError: no location, a field given twice, or a value the report refuses.
    """
    service = require_service(_one(fields, "service_code") or "")
    lat, lon = _one(fields, "lat"), _one(fields, "long")
    crs = _one(fields, "coordinate_system") or "wgs84"
    if lat is None or lon is None:
        if place is None:
            raise InvalidInputError(
                "give lat and long, or an address_string that names a known region",
                field="lat/long",
            )
        lat, lon, crs = str(place[0]), str(place[1]), "wgs84"
    conditions = list(fields.get("attribute[conditions][]", ())) + list(
        fields.get("attribute[conditions]", ())
    )
    contact = "; ".join(f"{k}: {v}" for k in CONTACT_FIELDS if (v := _one(fields, k)))
    body = {
        "channel": Channel.open311,
        "reported_at": now,
        "lat": lat,
        "lon": lon,
        "coordinate_system": crs,
        "description": _one(fields, "description") or "",
        "conditions": sorted(set(conditions) | set(service.conditions)),
        "people_count": _one(fields, "attribute[people_count]") or 1,
        "reporter_contact": contact or None,
        "address": _one(fields, "address_string"),
        "service_code": service.service_code,
        "media_url": _one(fields, "media_url"),
    }
    try:
        return ReportCreate.model_validate(body)
    except ValidationError as exc:
        raise InvalidInputError(describe(exc).replace("lon:", "long:")) from None


def _one(fields: Mapping[str, Sequence[str]], name: str) -> str | None:
    values = fields.get(name) or ()
    if len(values) > 1:
        raise InvalidInputError(f"{name} is given {len(values)} times", field=name)
    return values[0] if values and values[0] != "" else None


@dataclass(frozen=True)
class SearchWindow:
    """The dates a search covers, UTC."""

    start: datetime
    end: datetime


def search_window(start: datetime | None, end: datetime | None, now: datetime) -> SearchWindow:
    """The search dates, the specification's defaults filled in (the ``DEFAULT_SEARCH_DAYS``
    before ``end``, or before now).

    Raises:
        InvalidInputError: start after end, or a span over ``DEFAULT_SEARCH_DAYS``.
    """
    span = timedelta(days=DEFAULT_SEARCH_DAYS)
    end = end or (start + span if start is not None else now)
    start = start or end - span
    if start > end:
        raise InvalidInputError("start_date is after end_date", field="start_date")
    if end - start > span:
        raise InvalidInputError(
            f"start_date to end_date spans more than {DEFAULT_SEARCH_DAYS} days",
            field="start_date",
        )
    return SearchWindow(start, end)


def search_requests(
    session: Session,
    *,
    request_ids: Sequence[str] | None,
    service_codes: Sequence[str] | None,
    status: str | None,
    window: SearchWindow | None,
    scope: Scope,
) -> Sequence[tuple[Report, Incident]]:
    """Requests by id, or by service, status and dates, inside ``scope``, newest first.

    Args:
        request_ids: when given, the other filters are ignored (GeoReport v2).
        status: ``open`` or ``closed``; None for both.

    Raises:
        InvalidInputError: more than ``MAX_REQUEST_IDS`` ids, or another status.
    """
    if request_ids is not None:
        if len(request_ids) > MAX_REQUEST_IDS:
            raise InvalidInputError(
                f"at most {MAX_REQUEST_IDS} service_request_id values", field="service_request_id"
            )
        return repository.search_with_incidents(
            session,
            channel=Channel.open311,
            tracking_codes=request_ids,
            service_codes=None,
            is_open=None,
            start=None,
            end=None,
            scope=scope,
            limit=MAX_SEARCH_RESULTS,
        )
    if status not in (None, "open", "closed"):
        raise InvalidInputError("status is open or closed", field="status")
    return repository.search_with_incidents(
        session,
        channel=Channel.open311,
        tracking_codes=None,
        service_codes=service_codes,
        is_open=None if status is None else status == "open",
        start=window.start if window else None,
        end=window.end if window else None,
        scope=scope,
        limit=MAX_SEARCH_RESULTS,
    )


def require_request(session: Session, request_id: str, scope: Scope) -> tuple[Report, Incident]:
    """One request by its id.

    Raises:
        NotFoundError: no such request (or none inside ``scope``).
    """
    found = search_requests(
        session, request_ids=[request_id], service_codes=None, status=None, window=None, scope=scope
    )
    if not found:
        raise NotFoundError(f"service request {request_id!r} not found")
    return found[0]


def updated_at(incident: Incident) -> datetime:
    """When the incident last changed state (its latest lifecycle timestamp)."""
    steps: list[datetime | None] = [
        getattr(incident, f"{s.value}_at", None) for s in IncidentStatus
    ]
    return max([incident.created_at, *(s for s in steps if s is not None)])


def request_record(report: Report, incident: Incident, *, is_full: bool) -> dict[str, Any]:
    """A GeoReport v2 service request record.

    ``is_full`` (staff inside their regions) adds the description, place and link; the public
    gets the status and the public outcome note only.
    """
    public = {
        "service_request_id": report.tracking_code,
        "status": "open" if incident.is_open else "closed",
        "status_notes": PUBLIC_STATUS.get(IncidentStatus(incident.status), "received"),
        "service_name": SERVICES_BY_CODE[report.service_code or "person_in_cold"].service_name,
        "service_code": report.service_code,
        "requested_datetime": report.reported_at.isoformat(),
        "updated_datetime": updated_at(incident).isoformat(),
        "expected_datetime": None,
        "service_notice": None,
    }
    if not is_full:
        return public
    return {
        **public,
        "description": report.description,
        "agency_responsible": report.region_code,
        "address": report.address,
        "address_id": None,
        "zipcode": None,
        "lat": report.lat,
        "long": report.lon,
        "media_url": report.media_url,
    }
