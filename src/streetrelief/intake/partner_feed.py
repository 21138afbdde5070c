"""Partner feeds: a partner system's own report JSON, turned into a report by a per-partner
mapping that is data (stored with the partner), not code.

A mapping names, for each report field, the dotted path of the value in the partner's body
(``"location.lat"``), how its times are written, and how its category words translate into
our condition codes. The partner's own record id is the idempotency key: the same record sent
again is the same report.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from streetrelief.core.datum import CoordinateSystem
from streetrelief.core.errors import InvalidInputError
from streetrelief.core.tabular import describe
from streetrelief.intake.models import Channel
from streetrelief.intake.schemas import ReportCreate

MAPPABLE_FIELDS = frozenset(
    {
        "source_id",
        "reported_at",
        "lat",
        "lon",
        "description",
        "conditions",
        "people_count",
        "address",
        "media_url",
    }
)
REQUIRED_FIELDS = frozenset({"source_id", "reported_at", "lat", "lon"})


class TimeFormat(StrEnum):
    """How a partner writes its report times."""

    iso8601 = "iso8601"
    epoch_s = "epoch_s"
    epoch_ms = "epoch_ms"


class FeedMapping(BaseModel):
    """How one partner's report JSON becomes a report."""

    model_config = ConfigDict(extra="forbid")

    fields: dict[str, str] = Field(
        description="Report field -> dotted path in the partner's body, e.g. "
        '{"lat": "location.lat"}; source_id, reported_at, lat and lon are required.'
    )
    time_format: TimeFormat = TimeFormat.iso8601
    condition_values: dict[str, str] = Field(
        default_factory=dict,
        description="The partner's category words -> our condition codes (unlisted words are "
        "refused).",
    )
    coordinate_system: CoordinateSystem = CoordinateSystem.wgs84
    is_machine_source: bool = Field(
        False, description="Cameras or sensors: reports wait for a person's confirmation."
    )

    @field_validator("fields")
    @classmethod
    def _known_fields(cls, value: dict[str, str]) -> dict[str, str]:
        unknown = set(value) - MAPPABLE_FIELDS
        missing = REQUIRED_FIELDS - set(value)
        if unknown or missing:
            msg = f"unknown fields {sorted(unknown)}, missing {sorted(missing)}"
            raise ValueError(msg)
        if any(not p or len(p) > 200 for p in value.values()):
            msg = "every path is 1 to 200 characters"
            raise ValueError(msg)
        return value


def _lookup(body: object, path: str) -> object:
    value = body
    for part in path.split("."):
        if isinstance(value, dict):
            value = value.get(part)
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return None
    return value


def map_report(mapping: FeedMapping, body: object) -> ReportCreate:
    """The report a partner's JSON body describes.

    Raises:
        InvalidInputError: a required value is missing, a time or condition cannot be read,
            or the mapped report does not validate (what and where is said).
    """
    if not isinstance(body, dict):
        raise InvalidInputError("the body is not a JSON object")
    values: dict[str, Any] = {f: _lookup(body, p) for f, p in mapping.fields.items()}
    missing = sorted(f for f in REQUIRED_FIELDS if values.get(f) in (None, ""))
    if missing:
        paths = [mapping.fields[f] for f in missing]
        raise InvalidInputError(f"missing {missing} (paths {paths})", field=paths[0])
    values["reported_at"] = _time(values["reported_at"], mapping.time_format)
    values["source_id"] = str(values["source_id"])
    if "conditions" in values:
        values["conditions"] = _conditions(values["conditions"], mapping.condition_values)
    body_values = {k: v for k, v in values.items() if v is not None}
    try:
        return ReportCreate.model_validate(
            {
                **body_values,
                "channel": Channel.partner,
                "coordinate_system": mapping.coordinate_system,
            }
        )
    except ValidationError as exc:
        raise InvalidInputError(describe(exc)) from None


def _time(value: object, fmt: TimeFormat) -> object:
    if fmt is TimeFormat.iso8601:
        return value
    if not isinstance(value, int | float | str) or isinstance(value, bool):
        raise InvalidInputError(f"reported_at {value!r} is not a number", field="reported_at")
    try:
        seconds = float(value) / (1000 if fmt is TimeFormat.epoch_ms else 1)
        return datetime.fromtimestamp(seconds, tz=UTC)
    except (ValueError, OverflowError, OSError):
        raise InvalidInputError(
            f"reported_at {value!r} is not a time", field="reported_at"
        ) from None


def _conditions(value: object, words: dict[str, str]) -> list[str]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
        raise InvalidInputError("conditions is not a word or a list of words", field="conditions")
    unknown = sorted({i for i in items if words and i not in words})
    if unknown:
        raise InvalidInputError(f"unknown categories {unknown}", field="conditions")
    return [words.get(i) or i for i in items]
