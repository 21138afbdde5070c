"""API and CLI shapes of response levels: configure, reassess, override, and read."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

from streetrelief.response.policy import LevelField
from streetrelief.weather.feeds.schemas import StaleSource

ReasonText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


def _name(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


class ResponseConfigure(BaseModel):
    """Give a region a response policy from the shipped presets."""

    model_config = ConfigDict(extra="forbid")

    preset: Annotated[str, BeforeValidator(_name)] = Field(
        min_length=1, max_length=32, description="A shipped preset, e.g. china, toronto."
    )
    province: str | None = Field(
        None, max_length=32, description="Province code for the China preset's local rules."
    )


class WeatherReading(BaseModel):
    """A reading or forecast for the region now."""

    model_config = ConfigDict(extra="forbid")

    temperature_c: float = Field(ge=-90, le=60, description="Air temperature, °C.")
    wind_speed_kmh: float | None = Field(
        None, ge=0, le=400, description="Wind speed at 10 m, km/h; gives the wind chill."
    )


class OverrideRequest(BaseModel):
    """A leader's level for a region, with the reason, until a time."""

    model_config = ConfigDict(extra="forbid")

    level: LevelField = Field(description="none, IV, III, II or I.")
    reason: ReasonText = Field(description="Why the leader overrides the policy.")
    until: AwareDatetime | None = Field(
        None, description="When the override ends; 24 hours from now when left out."
    )
    by: str = Field("", max_length=200, description="Who overrides (name or call sign).")


class TriggerRead(BaseModel):
    """What set a level."""

    kind: str = Field(description="warning, condition, override or none.")
    rule: str | None = Field(None, description="The policy rule, or who overrode.")
    source: str | None = Field(None, description="The policy source the rule cites.")
    warning: str | None = Field(None, description="Identifier of the CAP alert.")
    reading_c: float | None = Field(None, description="The reading that met the rule, °C.")
    reason: str = ""


class ResponseLevelRead(BaseModel):
    """A configured region's level in force."""

    region_code: str
    preset: str
    province: str | None
    level: str = Field(description="none, IV, III, II or I.")
    colour: str | None = Field(description="blue, yellow, orange, red; None for none.")
    since_at: datetime = Field(description="When the level began.")
    evaluated_at: datetime | None
    trigger: TriggerRead
    override_until: datetime | None = Field(None, description="End of a leader's override.")
    stale_sources: list[StaleSource] = Field(
        default_factory=list,
        description="Warning feeds for this region that are stale: the level rests on "
        "warnings that may be out of date (it is kept, not dropped, until they expire, are "
        "cancelled or the hold ends). Empty: every source is current.",
    )


class ActivationRead(BaseModel):
    """One level change."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    region_code: str
    from_level: str
    to_level: str
    at: datetime
    trigger_kind: str
    trigger_rule: str | None
    trigger_source: str | None
    trigger_warning: str | None
    trigger_reading_c: float | None
    reason: str
    is_override: bool
    by: str | None


class EffectiveLevelRead(BaseModel):
    """The level that applies in a region: its own, or its nearest configured ancestor's."""

    region_code: str
    level: str
    colour: str | None
    is_inherited: bool = Field(description="Read from an ancestor's configuration.")
    from_region_code: str | None = Field(description="The configured region it comes from.")
    response: ResponseLevelRead | None = Field(description="That region's level in force.")
    history: list[ActivationRead] = Field(
        default_factory=list, description="That region's level changes, newest first."
    )


class ReassessResult(BaseModel):
    """The outcome of a reassessment or an override."""

    response: ResponseLevelRead
    has_changed: bool
    previous_level: str
    is_held: bool = Field(description="The level is held after nothing calls for it.")
    held_until: datetime | None
    activation: ActivationRead | None = None
