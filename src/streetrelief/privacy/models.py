"""ORM model of retention policies per region."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from streetrelief.db.base import Base, UTCDateTime


class RetentionPolicy(Base):
    """How long a region keeps a person's identifying data after the last contact.

    The nearest policy up the region tree applies; with none, ``Settings.retention_days``.
    """

    __tablename__ = "retention_policies"

    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), primary_key=True)
    retention_days: Mapped[int] = mapped_column(Integer)
    set_by: Mapped[str] = mapped_column(String(64))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime)
