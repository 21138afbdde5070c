"""API and CLI shapes of stored CAP alerts and of an ingest run, and of stored observations.

(The ``schemas/`` folder beside this module holds the OASIS CAP 1.2 XSD, not Python.)
"""

from __future__ import annotations

from datetime import datetime

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from streetrelief.weather.models import AlertState, AreaMatch

MAX_OBSERVATIONS_PAGE = 1000
"""Most observations one list request returns; page on with ``offset``."""
MAX_OFFSET = 2**63 - 1
"""Largest offset a database accepts (a signed 64-bit integer)."""


class AlertRegionRead(BaseModel):
    """A region an alert covers."""

    model_config = ConfigDict(from_attributes=True)

    region_code: str
    matched_by: AreaMatch = Field(description="How the area was matched: geocode, polygon, circle.")


class AlertRead(BaseModel):
    """A stored CAP alert: its CAP header, a summary of its infos, its state and regions."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    identifier: str
    sender: str
    sent: datetime
    status: str
    msg_type: str
    scope: str
    references: list[str] = Field(description="CAP references: `sender,identifier,sent` each.")
    event: str | None = Field(description="Event of the first info block.")
    events: list[str] = Field(description="Distinct events of all info blocks, in order.")
    severity: str | None = Field(description="Highest CAP severity of the info blocks.")
    onset: datetime | None = Field(description="Earliest onset (or effective) of the infos.")
    expires: datetime | None = Field(description="Latest expiry of the infos; none: open-ended.")
    state: AlertState
    state_changed_at: datetime | None
    ended_by_id: int | None = Field(description="The Update or Cancel that ended this alert.")
    received_at: datetime
    source: str
    regions: list[AlertRegionRead]


class AlertAreaRead(BaseModel):
    """One CAP area, coordinates as CAP gives them ([lat, lon], radius in km)."""

    model_config = ConfigDict(from_attributes=True)

    area_desc: str
    polygons: list[list[list[float]]]
    circles: list[list[float]] = Field(description="[lat, lon, radius_km] each.")
    geocodes: list[list[str]] = Field(description="[valueName, value] each.")


class AlertInfoRead(BaseModel):
    """One CAP info block."""

    model_config = ConfigDict(from_attributes=True)

    language: str
    event: str
    urgency: str
    severity: str
    certainty: str
    onset: datetime | None
    expires: datetime | None
    headline: str | None
    description: str | None
    instruction: str | None
    areas: list[AlertAreaRead]


class AlertDetail(AlertRead):
    """A stored alert with its info blocks and areas."""

    infos: list[AlertInfoRead]


class AlertIngested(BaseModel):
    """What happened to one alert of a message."""

    identifier: str
    sender: str
    sent: datetime
    alert_id: int
    is_duplicate: bool = Field(description="Stored before (same sender, identifier, sent).")
    region_codes: list[str] = Field(default_factory=list)
    skipped_geocode_systems: list[str] = Field(
        default_factory=list, description="Geocode systems with no table, skipped."
    )


class FileIngested(BaseModel):
    """What happened to one file: its alerts, or why it was refused."""

    source: str
    alerts: list[AlertIngested] = Field(default_factory=list)
    refused: str | None = Field(None, description="Why nothing of the file was read.")


class IngestReport(BaseModel):
    """The outcome of ingesting a file or a folder of CAP files."""

    files: list[FileIngested]

    @property
    def stored(self) -> int:
        """Alerts stored by this run."""
        return sum(not a.is_duplicate for f in self.files for a in f.alerts)

    @property
    def duplicates(self) -> int:
        """Alerts that were stored already."""
        return sum(a.is_duplicate for f in self.files for a in f.alerts)

    @property
    def refused(self) -> int:
        """Files refused."""
        return sum(f.refused is not None for f in self.files)


class WarningInForce(BaseModel):
    """One info block of an alert in force for a region, as other domains read it.

    ``event_codes`` and ``parameters`` are CAP [valueName, value] pairs; times are aware UTC.
    """

    model_config = ConfigDict(frozen=True)

    alert_id: int
    identifier: str
    sender: str
    sent: datetime
    event: str
    event_codes: list[list[str]]
    severity: str
    onset: datetime | None
    expires: datetime | None
    parameters: list[list[str]]
    region_codes: list[str] = Field(description="The asked-for regions the alert was matched to.")


class ObservationRead(BaseModel):
    """One stored hourly reading of a region: observed, or forecast for ``observed_at``."""

    model_config = ConfigDict(from_attributes=True)

    region_code: str
    observed_at: datetime = Field(description="The hour the reading is for, UTC.")
    is_forecast: bool
    issued_at: datetime | None = Field(description="When a forecast was issued, UTC.")
    station: str
    temperature_c: float = Field(description="Air temperature, °C.")
    wind_speed_kmh: float | None = Field(description="Wind speed at 10 m, km/h.")
    wind_chill_c: float | None = Field(
        description="2001 JAG/TI wind chill, °C; none outside its range or without wind."
    )


class ObservationFilter(BaseModel):
    """Query parameters of the observation list; times are aware, returned in UTC."""

    model_config = ConfigDict(extra="forbid")

    region_code: str = Field(max_length=32, description="The region (its own readings only).")
    start: AwareDatetime | None = Field(None, description="Readings at or after this instant.")
    end: AwareDatetime | None = Field(None, description="Readings before this instant.")
    is_forecast: bool = Field(False, description="Forecasts instead of observations.")
    limit: int = Field(500, ge=1, le=MAX_OBSERVATIONS_PAGE)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


class ObservationsImported(BaseModel):
    """The outcome of importing one observation file for a region."""

    source: str
    region_code: str
    read: int = Field(description="Data rows with every value needed.")
    stored: int = Field(description="Readings stored by this import.")
    already_stored: int = Field(description="Readings that were stored before (or repeated).")
    skipped: int = Field(description="Rows skipped for a missing temperature or wind speed.")

    @property
    def summary(self) -> str:
        """``N stored, N already stored, N skipped (missing values)``."""
        return (
            f"{self.stored} stored, {self.already_stored} already stored, "
            f"{self.skipped} skipped (missing values)"
        )
