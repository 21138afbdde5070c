"""API and CLI shapes of stored CAP alerts and of an ingest run.

(The ``schemas/`` folder beside this module holds the OASIS CAP 1.2 XSD, not Python.)
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from streetrelief.weather.models import AlertState, AreaMatch


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
