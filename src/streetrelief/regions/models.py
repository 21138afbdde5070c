"""ORM model of the region tree."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import Float, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from streetrelief.db.base import Base


class RegionLevel(StrEnum):
    """Levels of an administrative tree, top down (China: 省 市 县 乡 村)."""

    country = "country"
    province = "province"
    prefecture = "prefecture"
    county = "county"
    township = "township"
    village = "village"


LEVEL_DEPTH = {level: depth for depth, level in enumerate(RegionLevel)}


class Region(Base):
    """An administrative division, keyed by its official code.

    ``path`` is the chain of codes from the root, ``/``-separated with a trailing ``/``, so a
    subtree is one indexed prefix query on any database.
    """

    __tablename__ = "regions"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    level: Mapped[RegionLevel] = mapped_column(String(16))
    parent_code: Mapped[str | None] = mapped_column(
        ForeignKey("regions.code", ondelete="RESTRICT"), index=True
    )
    path: Mapped[str] = mapped_column(String(400))
    country_code: Mapped[str] = mapped_column(String(2), default="CN")
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Shanghai")
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)

    __table_args__ = (
        Index("ix_regions_path", "path", postgresql_ops={"path": "text_pattern_ops"}),
        Index("ix_regions_lat_lon", "lat", "lon"),
    )


class RegionBoundary(Base):
    """The outline of a region: a GeoJSON Polygon or MultiPolygon geometry in WGS-84 degrees
    (``[lon, lat]`` order), with its bounding box for a quick first test."""

    __tablename__ = "region_boundaries"

    region_code: Mapped[str] = mapped_column(
        ForeignKey("regions.code", ondelete="CASCADE"), primary_key=True
    )
    geometry: Mapped[str] = mapped_column(Text)
    """GeoJSON geometry object as text, WGS-84."""
    source_crs: Mapped[str] = mapped_column(String(8))
    """The datum the file was in before conversion (wgs84, gcj02, bd09)."""
    min_lat: Mapped[float] = mapped_column(Float)
    max_lat: Mapped[float] = mapped_column(Float)
    min_lon: Mapped[float] = mapped_column(Float)
    max_lon: Mapped[float] = mapped_column(Float)

    __table_args__ = (
        Index("ix_region_boundaries_box", "min_lat", "max_lat", "min_lon", "max_lon"),
    )
