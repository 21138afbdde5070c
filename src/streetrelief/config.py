"""Settings for streetrelief, read from the environment with the ``STREETRELIEF_`` prefix.

Code reads settings through :func:`get_settings`, never at import time, so tests and the CLI
can point the same code at another database.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

SUPPORTED_BACKENDS = frozenset({"sqlite", "postgresql"})
DEFAULT_DATABASE_URL = "sqlite:///" + str(Path("var") / "streetrelief.db")


class Settings(BaseSettings):
    """All run-time settings; each field maps to ``STREETRELIEF_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="STREETRELIEF_", env_file=".env", extra="ignore")

    database_url: str = Field(
        DEFAULT_DATABASE_URL,
        description="SQLAlchemy URL: sqlite:///path (embedded default) or "
        "postgresql+psycopg://user@host/db (production).",
    )
    sqlite_busy_timeout_s: float = Field(
        30.0, gt=0, description="How long a SQLite writer waits for the write lock, seconds."
    )
    triage_policy_path: Path | None = Field(
        None, description="YAML triage policy; the shipped campaign default when unset."
    )
    geocode_tables_dir: Path | None = Field(
        None,
        description="Folder of extra YAML geocode tables (CAP geocode -> region code), read "
        "after the shipped ones in streetrelief/weather/geocodes; a later table wins.",
    )
    max_text_length: int = Field(
        2000, gt=0, description="Longest free-text field accepted in a report, characters."
    )
    max_body_bytes: int = Field(
        1_048_576, gt=0, description="Largest request body accepted, bytes (413 beyond)."
    )
    event_poll_interval_s: float = Field(
        0.5, gt=0, description="How often the event stream looks for new committed events, seconds."
    )
    detour_factor: float = Field(
        1.4,
        ge=1.0,
        description="Road distance over straight-line distance for the default travel-time "
        "estimate. Source: circuity of urban road networks is 1.2-1.6 "
        "(Boeing 2019, 'Urban spatial order'; Ballou et al. 2002).",
    )
    vehicle_speed_kmh: float = Field(
        30.0, gt=0, description="Average urban driving speed for travel estimates, km/h."
    )
    walking_speed_kmh: float = Field(
        4.5, gt=0, description="Average walking speed of a foot patrol, km/h."
    )

    feed_timeout_s: float = Field(
        10.0,
        gt=0,
        description="How long one CAP feed request may take (connect, each read, and the whole "
        "body), seconds.",
    )
    feed_max_bytes: int = Field(
        5_000_000,
        gt=0,
        description="Largest CAP feed response read, bytes after decompression; real alerts "
        "are tens of kilobytes.",
    )
    feed_max_entries_per_poll: int = Field(
        50,
        ge=1,
        description="Most alerts an Atom index poll fetches; the rest wait for the next poll.",
    )
    feed_claim_s: float = Field(
        300.0,
        gt=0,
        description="How long a poller holds its claim on a feed, seconds; another process "
        "polls the feed only after the claim ends or is released.",
    )
    feed_check_interval_s: float = Field(
        30.0, gt=0, description="How often the scheduler looks for feeds due a poll, seconds."
    )
    reassess_interval_s: float = Field(
        300.0,
        gt=0,
        description="How often the scheduler reassesses every configured region, seconds.",
    )
    run_jobs_in_server: bool = Field(
        False,
        description="Run the scheduled jobs (feed polls, reassessment) inside `streetrelief "
        "serve`; otherwise run `streetrelief jobs run` as a worker of its own.",
    )

    @field_validator("database_url")
    @classmethod
    def _supported_database(cls, url: str) -> str:
        backend = url.split(":", 1)[0].split("+", 1)[0]
        if backend not in SUPPORTED_BACKENDS:
            msg = f"database URL must start with sqlite:// or postgresql://, not {backend!r}"
            raise ValueError(msg)
        return url


@lru_cache
def get_settings() -> Settings:
    """Return the process settings, read once from the environment."""
    return Settings()
