"""API shapes of encounters and persons."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints, model_validator

from streetrelief.core.ids import RecordId
from streetrelief.core.text import Text
from streetrelief.people.models import EncounterOutcome, LegalBasis, PersonCategory, Sex

if TYPE_CHECKING:
    from streetrelief.people.models import Encounter


IdNumber = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9 -]{2,30}[A-Za-z0-9]$"),
]
"""An identity document number: letters and digits (spaces and hyphens inside), 4-32
characters; a mainland resident ID has 18 (GB 11643-1999), a passport 8-9."""

Phone = Annotated[str, StringConstraints(pattern=r"^\+?[0-9][0-9 ()-]{2,30}$")]
"""A contact number: digits with an optional leading + and spaces, hyphens or brackets."""


class PersonIn(BaseModel):
    """A person met for the first time; identity may stay unknown."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    description: Text = Field("", max_length=1000, description="Appearance, clothing, belongings.")
    name: Text | None = Field(None, max_length=200, description="Name if given (sensitive).")
    sex: Sex | None = None
    approx_age: int | None = Field(None, ge=0, le=120, description="Estimated age, years.")
    id_number: IdNumber | None = Field(None, description="ID document number (sensitive).")
    phone: Phone | None = Field(None, description="Contact number (sensitive).")
    health_notes: Text | None = Field(
        None, max_length=2000, description="Health and mental state (sensitive)."
    )
    keep_local: bool = Field(
        False, description="Never leaves this store: kept out of every export and partner feed."
    )


class PersonUpdate(BaseModel):
    """Details learnt later (identification); only the fields given change."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: Text | None = Field(None, max_length=200)
    id_number: IdNumber | None = None
    phone: Phone | None = None
    health_notes: Text | None = Field(None, max_length=2000)
    description: Text | None = Field(None, max_length=1000)
    sex: Sex | None = None
    approx_age: int | None = Field(None, ge=0, le=120)
    is_minor: bool | None = None
    keep_local: bool | None = None


SENSITIVE_FIELDS = ("name", "id_number", "phone", "health_notes")
"""Person fields shown only to roles allowed to read sensitive details."""


class PersonRead(BaseModel):
    """A person as the caller may see them; fields the caller may not see are null and named
    in ``masked``."""

    id: int
    temp_id: str
    region_code: str
    is_identified: bool
    name: str | None
    id_number: str | None
    phone: str | None
    health_notes: str | None
    has_photo: bool
    description: str
    sex: str | None
    approx_age: int | None
    is_minor: bool
    keep_local: bool
    first_met_at: datetime
    last_met_at: datetime
    deidentified_at: datetime | None
    masked: list[str] = Field(description="Fields withheld from this caller.")


class NoticeCreate(BaseModel):
    """Notice given to the person after an emergency (PIPL art. 18)."""

    model_config = ConfigDict(extra="forbid")

    given_at: AwareDatetime | None = Field(None, description="When; now when omitted.")


class ItemGiven(BaseModel):
    """Supplies handed over."""

    model_config = ConfigDict(extra="forbid")

    item: str = Field(
        pattern=r"^[a-z0-9_]+$",
        max_length=64,
        description="Item code from the supplies catalogue, e.g. 'coats'.",
    )
    quantity: int = Field(ge=1, le=1000)


class EncounterCreate(BaseModel):
    """One person met by a team at an incident."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    person_id: RecordId | None = Field(
        None, description="A person met before; else give ``person``."
    )
    person: PersonIn | None = None
    team_id: RecordId | None = None
    met_at: AwareDatetime | None = Field(None, description="When; now when omitted.")
    lat: float | None = Field(
        None, ge=-90, le=90, description="Where; the incident's place when omitted."
    )
    lon: float | None = Field(None, ge=-180, le=180)
    categories: list[PersonCategory] = Field(default_factory=list, max_length=10)
    measures: list[str] = Field(
        default_factory=list, max_length=20, description="Measure codes from the triage policy."
    )
    items: list[ItemGiven] = Field(default_factory=list, max_length=50)
    outcome: EncounterOutcome
    destination_service_point_id: RecordId | None = Field(
        None,
        description="Where the person was taken; with outcome admitted_to_station the point's "
        "occupancy goes up by one (409 when it has no free place).",
    )
    hold_id: RecordId | None = Field(
        None, description="The place held for the person at the destination, admitted now."
    )
    notes: Text | None = Field(None, max_length=1000)
    legal_basis: LegalBasis = Field(
        LegalBasis.emergency, description="Why the person's data may be processed (PIPL art. 13)."
    )
    consent_given: bool | None = Field(
        None, description="Required true when the legal basis is consent."
    )

    @model_validator(mode="after")
    def _one_person(self) -> EncounterCreate:
        if (self.person_id is None) == (self.person is None):
            msg = "give exactly one of person_id (met before) and person (met first time)"
            raise ValueError(msg)
        if (self.lat is None) != (self.lon is None):
            msg = "give both lat and lon, or neither"
            raise ValueError(msg)
        if self.hold_id is not None and self.destination_service_point_id is None:
            msg = "a hold_id needs the destination_service_point_id it was held at"
            raise ValueError(msg)
        if self.legal_basis is LegalBasis.consent and self.consent_given is not True:
            msg = "with legal_basis 'consent', consent_given must be true"
            raise ValueError(msg)
        return self


class EncounterRead(BaseModel):
    """A recorded encounter (personal details are not repeated here)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    person_id: int
    person_temp_id: str
    incident_id: int | None
    team_id: int | None
    region_code: str
    met_at: datetime
    lat: float
    lon: float
    categories: list[str]
    measures: list[str]
    items: list[ItemGiven]
    outcome: EncounterOutcome
    destination_service_point_id: int | None
    legal_basis: LegalBasis
    consent_given: bool | None
    notice_given_at: datetime | None

    @classmethod
    def from_encounter(cls, e: Encounter) -> EncounterRead:
        """Build from an encounter loaded with its person and items."""
        return cls(
            id=e.id,
            person_id=e.person_id,
            person_temp_id=e.person.temp_id,
            incident_id=e.incident_id,
            team_id=e.team_id,
            region_code=e.region_code,
            met_at=e.met_at,
            lat=e.lat,
            lon=e.lon,
            categories=e.categories,
            measures=e.measures,
            items=[ItemGiven(item=i.item, quantity=i.quantity) for i in e.items],
            outcome=e.outcome,
            destination_service_point_id=e.destination_service_point_id,
            legal_basis=e.legal_basis,
            consent_given=e.consent_given,
            notice_given_at=e.notice_given_at,
        )
