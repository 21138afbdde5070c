"""API and CLI shapes of CAP feeds: add one, read one with its status, and a poll's outcome."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from streetrelief.weather.feeds.logic import FeedStatus
from streetrelief.weather.schemas import FileIngested

DAY_S = 86_400
MAX_INTERVAL_S = 7 * DAY_S
"""Longest poll, retry interval or staleness window accepted: a week, seconds."""

FeedName = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.-]+$"
    ),
]
FeedUrl = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True,
        min_length=8,
        max_length=2000,
        pattern=r"^[Hh][Tt][Tt][Pp][Ss]?://\S+$",
    ),
]


class FeedCreate(BaseModel):
    """A CAP feed to poll: a single alert, an ``<alerts>`` collection or an Atom index."""

    model_config = ConfigDict(extra="forbid")

    name: FeedName = Field(description="A short name, unique, e.g. cwa or meteoalarm-uk.")
    url: FeedUrl = Field(description="http:// or https:// URL of the feed.")
    region_code: str | None = Field(
        None,
        max_length=32,
        description="The subtree whose warnings the feed carries: when the feed is stale, "
        "levels of this region and its descendants say so. None: every region.",
    )
    poll_interval_s: int = Field(
        300, ge=10, le=MAX_INTERVAL_S, description="Seconds between reads."
    )
    retry_interval_s: int = Field(
        60, ge=5, le=MAX_INTERVAL_S, description="Seconds before reading again after a failure."
    )
    stale_after_s: int = Field(
        1800,
        ge=10,
        le=MAX_INTERVAL_S,
        description="Seconds after the last successful read when the feed counts as stale.",
    )
    is_enabled: bool = Field(True, description="Polled, and counted as a warning source.")

    @model_validator(mode="after")
    def _stale_after_a_missed_poll(self) -> FeedCreate:
        if self.stale_after_s <= self.poll_interval_s:
            msg = (
                "stale_after_s must be longer than poll_interval_s, or the feed goes stale "
                "between two good reads"
            )
            raise ValueError(msg)
        return self


class FeedRead(BaseModel):
    """A CAP feed with its polling state and status."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    url: str
    region_code: str | None
    poll_interval_s: int
    retry_interval_s: int
    stale_after_s: int
    is_enabled: bool
    status: FeedStatus = Field(description="pending, fresh, failing, stale or disabled.")
    stale_since: datetime | None = Field(
        description="When the feed became stale (status stale only)."
    )
    last_attempt_at: datetime | None
    last_success_at: datetime | None
    last_error: str | None = Field(description="Why the last read failed; none after a success.")
    consecutive_failures: int
    last_stored: int = Field(description="Alerts stored by the last successful read.")
    last_refusals: list[list[str]] = Field(
        description="[url, reason] of each entry the last read refused."
    )
    next_poll_at: datetime | None
    etag: str | None
    last_modified: str | None


class FeedPolled(BaseModel):
    """The outcome of one poll of a feed."""

    feed: str
    is_claimed: bool = Field(description="False: not due, or another poller had it.")
    is_success: bool = False
    is_not_modified: bool = Field(False, description="The feed answered 304 Not Modified.")
    error: str | None = None
    files: list[FileIngested] = Field(
        default_factory=list, description="Each document read: its alerts or why refused."
    )

    @property
    def stored(self) -> int:
        """Alerts stored by this poll."""
        return sum(not a.is_duplicate for f in self.files for a in f.alerts)


class StaleSource(BaseModel):
    """An enabled feed that is stale, as a response level shows it."""

    model_config = ConfigDict(frozen=True)

    name: str
    url: str
    last_success_at: datetime | None = Field(description="Its last successful read, if any.")
    stale_since: datetime
