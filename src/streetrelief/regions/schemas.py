"""API and service shapes of regions."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from streetrelief.regions.models import RegionLevel


class RegionCreate(BaseModel):
    """A region to add under an existing parent (or as a root)."""

    model_config = ConfigDict(extra="forbid")

    code: str = Field(
        min_length=1,
        max_length=32,
        pattern=r"^[0-9A-Za-z_.-]+$",
        description="Official code, e.g. GB/T 2260 '110101' or US FIPS '06037'.",
    )
    name: str = Field(min_length=1, max_length=200)
    level: RegionLevel
    parent_code: str | None = Field(None, description="Code of the parent; none for a root.")
    country_code: str = Field("CN", min_length=2, max_length=2, description="ISO 3166-1 alpha-2.")
    timezone: str = Field("Asia/Shanghai", description="IANA zone used to show local time.")
    lat: float | None = Field(None, ge=-90, le=90, description="Centre latitude, WGS-84 degrees.")
    lon: float | None = Field(
        None, ge=-180, le=180, description="Centre longitude, WGS-84 degrees."
    )


class RegionRead(BaseModel):
    """A region as shown to clients."""

    model_config = ConfigDict(from_attributes=True)

    code: str
    name: str
    level: RegionLevel
    parent_code: str | None
    country_code: str
    timezone: str
    lat: float | None
    lon: float | None
