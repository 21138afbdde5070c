"""API shapes of encounters and persons."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from streetrelief.core.ids import RecordId
from streetrelief.people.models import EncounterOutcome, PersonCategory

if TYPE_CHECKING:
    from streetrelief.people.models import Encounter


class PersonIn(BaseModel):
    """A person met for the first time; identity may stay unknown."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    description: str = Field("", max_length=1000, description="Appearance, clothing, belongings.")
    name: str | None = Field(None, max_length=200, description="Name if given (sensitive).")
    sex: str | None = Field(None, max_length=16)
    approx_age: int | None = Field(None, ge=0, le=120, description="Estimated age, years.")


class ItemGiven(BaseModel):
    """Supplies handed over."""

    model_config = ConfigDict(extra="forbid")

    item: str = Field(pattern=r"^[a-z0-9_]+$", max_length=64, description="Item code, e.g. 'coat'.")
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
    destination_service_point_id: RecordId | None = None
    notes: str | None = Field(None, max_length=1000)

    @model_validator(mode="after")
    def _one_person(self) -> EncounterCreate:
        if (self.person_id is None) == (self.person is None):
            msg = "give exactly one of person_id (met before) and person (met first time)"
            raise ValueError(msg)
        if (self.lat is None) != (self.lon is None):
            msg = "give both lat and lon, or neither"
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
        )
