"""API and service shapes of service points, referral holds and nearest-place queries."""

from __future__ import annotations

import re
from datetime import datetime

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator, model_validator

from streetrelief.service_points.hours import check_hours
from streetrelief.service_points.models import Attribute, HoldStatus, ServicePointKind

Language = str
"""A BCP 47 language tag, e.g. ``zh``, ``en``, ``ug``."""

_LANGUAGE = r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$"


class _PointFields(BaseModel):
    @field_validator("attributes", "languages", mode="before", check_fields=False)
    @classmethod
    def _split_cell(cls, value: object) -> object:
        # A CSV cell lists them separated by semicolons: "men;women".
        if isinstance(value, str):
            return [part.strip() for part in value.split(";") if part.strip()]
        return value

    @field_validator("hours", check_fields=False)
    @classmethod
    def _valid_hours(cls, hours: str | None) -> str | None:
        return None if hours is None else check_hours(hours)

    @field_validator("languages", check_fields=False)
    @classmethod
    def _valid_languages(cls, languages: list[str] | None) -> list[str] | None:
        for tag in languages or []:
            if not re.fullmatch(_LANGUAGE, tag):
                msg = f"{tag!r} is not a BCP 47 language tag such as 'zh' or 'en'"
                raise ValueError(msg)
        return None if languages is None else sorted(set(languages))

    @field_validator("attributes", check_fields=False)
    @classmethod
    def _sorted_attributes(cls, attributes: list[Attribute] | None) -> list[Attribute] | None:
        return None if attributes is None else sorted(set(attributes))


class ServicePointCreate(_PointFields):
    """A new service point (WGS-84)."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, str_strip_whitespace=True)

    code: str = Field(min_length=1, max_length=64, pattern=r"^[0-9A-Za-z_.-]+$")
    name: str = Field(min_length=1, max_length=200)
    kind: ServicePointKind
    host: str | None = Field(None, max_length=200, description="Who hosts it (shop, centre...).")
    region_code: str = Field(max_length=32)
    lat: float = Field(ge=-90, le=90, description="Latitude, WGS-84 degrees.")
    lon: float = Field(ge=-180, le=180, description="Longitude, WGS-84 degrees.")
    address: str | None = Field(None, max_length=400)
    hours: str = Field(
        "24/7",
        max_length=200,
        description="Opening hours per weekday with exceptions, in OpenStreetMap opening_hours "
        "syntax, local time of the point's region, e.g. 'Mo-Fr 18:00-08:00; 2026 Jan 28 off'.",
    )
    capacity: int = Field(0, ge=0, le=100_000, description="Beds or seats there tonight.")
    funded_capacity: int | None = Field(
        None, ge=0, le=100_000, description="Beds or seats paid for (may differ from capacity)."
    )
    occupancy: int = Field(0, ge=0, le=100_000, description="Beds or seats taken.")
    is_active: bool = True
    standby_level: int | None = Field(
        None,
        ge=1,
        le=4,
        description="For a standby point (is_active false): the response level at which it "
        "opens (streetrelief.response.levels values: 1 = IV blue, 2 = III yellow, 3 = II "
        "orange, 4 = I red).",
    )
    attributes: list[Attribute] = Field(
        default_factory=list,
        description="Whom it takes (men, women, families, youth; none named: anyone) and what "
        "it allows (pets, wheelchair_access).",
    )
    languages: list[Language] = Field(default_factory=list, description="BCP 47 tags spoken.")
    requires_id: bool = Field(False, description="Asks for an identity document at the door.")

    @model_validator(mode="after")
    def _occupancy_within_capacity(self) -> ServicePointCreate:
        if self.occupancy > self.capacity:
            msg = "occupancy exceeds capacity"
            raise ValueError(msg)
        return self


class ServicePointUpdate(_PointFields):
    """Fields to change; omitted ones stay."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, str_strip_whitespace=True)

    name: str | None = Field(None, min_length=1, max_length=200)
    host: str | None = Field(None, max_length=200)
    address: str | None = Field(None, max_length=400)
    hours: str | None = Field(None, max_length=200)
    capacity: int | None = Field(None, ge=0, le=100_000)
    funded_capacity: int | None = Field(None, ge=0, le=100_000)
    occupancy: int | None = Field(None, ge=0, le=100_000)
    is_active: bool | None = None
    standby_level: int | None = Field(None, ge=1, le=4)
    attributes: list[Attribute] | None = None
    languages: list[Language] | None = None
    requires_id: bool | None = None


class ServicePointRead(BaseModel):
    """A service point as shown, with its free places and whether its figures are stale."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    name: str
    kind: ServicePointKind
    host: str | None
    region_code: str
    lat: float
    lon: float
    address: str | None
    hours: str
    capacity: int
    funded_capacity: int | None
    occupancy: int
    held: int = Field(description="Places held for referrals on their way.")
    free: int = Field(description="capacity - occupancy - held, at least 0.")
    is_active: bool
    standby_level: int | None
    attributes: list[str]
    languages: list[str]
    requires_id: bool
    created_at: datetime
    updated_at: datetime
    occupancy_updated_at: datetime | None
    is_stale: bool = Field(
        description="Occupancy not updated within the staleness window (or never)."
    )


class NearestQuery(BaseModel):
    """Who needs a place, where and when."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    at: AwareDatetime | None = Field(None, description="When; now when omitted.")
    needs: list[Attribute] = Field(
        default_factory=list, description="What the person needs the place to take or allow."
    )
    has_id: bool = Field(True, description="Carries an identity document.")
    language: Language | None = Field(None, description="A language the staff must speak.")
    limit: int = Field(5, ge=1, le=50)


class NearestRead(BaseModel):
    """One open place that can take the person, with the estimated journey."""

    service_point: ServicePointRead
    distance_m: float
    travel_time_s: float
    is_fallback: bool = Field(description="A straight-line guess by a road provider.")


class HoldCreate(BaseModel):
    """Hold a place at a point for a person being brought there."""

    model_config = ConfigDict(extra="forbid")

    person_id: int | None = Field(None, ge=1, le=2**31 - 1)
    team_id: int | None = Field(None, ge=1, le=2**31 - 1)
    incident_id: int | None = Field(None, ge=1, le=2**31 - 1)
    places: int = Field(1, ge=1, le=20, description="People in the party.")


class AdmitRequest(BaseModel):
    """Admit people at a point, without a hold; above capacity only with an overflow reason."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    places: int = Field(1, ge=1, le=20)
    overflow_reason: str | None = Field(
        None,
        min_length=3,
        max_length=400,
        description="Why people are taken above capacity; records an overflow.",
    )


class HoldRead(BaseModel):
    """A referral hold."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    service_point_id: int
    person_id: int | None
    team_id: int | None
    incident_id: int | None
    places: int
    status: HoldStatus
    referred_by: str
    held_at: datetime
    expires_at: datetime
    closed_at: datetime | None
