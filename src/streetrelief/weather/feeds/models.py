"""ORM model of a CAP feed: where it is, how often it is read, and how its last reads went.

The use cases live in `weather.feeds.service`; statuses are derived in `weather.feeds.logic`.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from streetrelief.db.base import Base, UTCDateTime


class CapFeed(Base):
    """A CAP feed URL polled on a schedule (single alerts, ``<alerts>`` or an Atom index).

    ``etag`` and ``last_modified`` are the validators of the last complete 200 answer, as
    received (RFC 9110, §8.8); ``last_refusals`` lists ``[url, reason]`` for each entry of the
    last poll that was refused. ``claimed_until`` is set while a poller works on the feed.
    """

    __tablename__ = "cap_feeds"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    url: Mapped[str] = mapped_column(String(2000), unique=True)
    region_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code", ondelete="RESTRICT"))
    poll_interval_s: Mapped[int] = mapped_column(Integer)
    retry_interval_s: Mapped[int] = mapped_column(Integer)
    stale_after_s: Mapped[int] = mapped_column(Integer)
    is_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    etag: Mapped[str | None] = mapped_column(String(1000))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    last_stored: Mapped[int] = mapped_column(Integer, default=0)
    last_refusals: Mapped[list[list[str]]] = mapped_column(JSON, default=list)
    next_poll_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
