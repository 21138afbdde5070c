"""Shapes of social reporters in and out of the API and CLI.

Lists never carry a reporter's name or contact; only the reporter's own record does, for the
staff who registered them (PIPL art. 6: no more personal information than the purpose needs).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from streetrelief.core.text import Text
from streetrelief.notify.channels import EMAIL_ADDRESS
from streetrelief.people.schemas import Phone
from streetrelief.reporters.models import ReporterKind

Email = Annotated[str, StringConstraints(pattern=EMAIL_ADDRESS.pattern, max_length=254)]
"""A bare e-mail address ``local@domain``."""

MAX_KEY_DAYS = 366
"""Longest validity of a personal key: one campaign season and its reporting tail."""


class ReporterCreate(BaseModel):
    """A reporter to register."""

    model_config = ConfigDict(extra="forbid")

    kind: ReporterKind
    display_name: Text = Field(min_length=1, max_length=100)
    phone: Phone | None = None
    email: Email | None = Field(None, description="Where the thank-you and outcome go.")
    organisation: Text | None = Field(None, max_length=200, description="e.g. the company.")
    region_code: str = Field(min_length=1, max_length=12)
    key_valid_days: int | None = Field(None, ge=1, le=MAX_KEY_DAYS)


class ReporterUpdate(BaseModel):
    """Fields to change; absent ones stay. ``is_active`` false disables the reporter."""

    model_config = ConfigDict(extra="forbid")

    kind: ReporterKind | None = None
    display_name: Text | None = Field(None, min_length=1, max_length=100)
    phone: Phone | None = None
    email: Email | None = None
    organisation: Text | None = Field(None, max_length=200)
    is_active: bool | None = None

    @model_validator(mode="after")
    def _required_stay_set(self) -> ReporterUpdate:
        """``kind``, ``display_name`` and ``is_active`` may be changed, never cleared (null);
        phone, e-mail and organisation may be cleared."""
        cleared = [
            name
            for name in ("kind", "display_name", "is_active")
            if name in self.model_fields_set and getattr(self, name) is None
        ]
        if cleared:
            msg = f"{', '.join(cleared)} cannot be null"
            raise ValueError(msg)
        return self


class KeyRequest(BaseModel):
    """A new personal key, replacing the old one at once."""

    model_config = ConfigDict(extra="forbid")

    valid_days: int | None = Field(None, ge=1, le=MAX_KEY_DAYS)


class ReporterRead(BaseModel):
    """A reporter in a list, with their figures: no name, no contact."""

    id: int
    kind: ReporterKind
    organisation: str | None
    region_code: str
    is_active: bool
    created_at: datetime
    key_prefix: str
    key_expires_at: datetime | None
    reports: int = Field(description="Reports credited to the reporter.")
    helped: int = Field(description="Of those, reports whose incident ended with help given.")


class ReporterDetail(ReporterRead):
    """One reporter's record, with name and contact (for the staff of their region)."""

    display_name: str
    phone: str | None
    email: str | None


class ReporterIssued(BaseModel):
    """A reporter with their new personal key: the key is shown this once and never again. A
    repeated request (same ``Idempotency-Key``) answers with ``key`` null: issue a new key if
    the first answer was lost."""

    reporter: ReporterDetail
    key: str | None
    key_expires_at: datetime | None
    is_replay: bool = False


class OwnReport(BaseModel):
    """One of a reporter's reports, at the level the public is told."""

    tracking_code: str
    received_at: datetime
    status: str = Field(description="received, help_on_the_way, helped or closed.")


class ReporterFigures(BaseModel):
    """Counts of reports by social reporters over a period."""

    reports: int
    by_kind: dict[str, int]
    helped: int
