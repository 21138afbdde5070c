"""Settings for streetrelief, read from the environment with the ``STREETRELIEF_`` prefix.

Code reads settings through :func:`get_settings`, never at import time, so tests and the CLI
can point the same code at another database.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, ValidationInfo, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

SUPPORTED_BACKENDS = frozenset({"sqlite", "postgresql"})
DEFAULT_DATABASE_URL = "sqlite:///" + str(Path("var") / "streetrelief.db")
DEFAULT_DATA_KEY_FILE = Path("var") / "data.key"
DEFAULT_ROAD_NETWORK_CACHE_DIR = Path("var") / "roads"


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
    holiday_calendar_path: Path | None = Field(
        None,
        description="YAML holiday calendar for patrol planning; the shipped China 2026/27 "
        "calendar (streetrelief/patrols/holidays_china_2026_27.yaml) when unset.",
    )
    geocode_tables_dir: Path | None = Field(
        None,
        description="Folder of extra YAML geocode tables (CAP geocode -> region code), read "
        "after the shipped ones in streetrelief/weather/geocodes; a later table wins.",
    )
    max_text_length: int = Field(
        2000, gt=0, description="Longest free-text field accepted in a report, characters."
    )
    public_rate_limit: str = Field(
        "30/minute",
        description="Reports one anonymous client (by address) may send, as 'N/second|minute|"
        "hour' (the `limits` notation); more answer 429.",
    )
    client_rate_limit: str = Field(
        "1200/minute",
        description="Reports one signed-in client (token or partner key) may send; more answer "
        "429. Gateways and partner backfills send in bursts, so this is wider than the public's.",
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
        4.5,
        gt=0,
        description="Average walking speed of a foot patrol, km/h. Source: comfortable walking "
        "speed of adults is 1.27-1.46 m/s, 4.6-5.3 km/h (Bohannon 1997, 'Comfortable and "
        "maximum walking speed of adults aged 20-79 years', Age and Ageing 26(1)); a patrol "
        "carrying supplies on winter pavements walks at the low end.",
    )
    travel_provider: Literal["straight_line", "road_network"] = Field(
        "straight_line",
        description="How dispatch estimates travel: straight_line (great-circle distance times "
        "detour_factor) or road_network (shortest paths over road_network_file).",
    )
    road_network_file: Path | None = Field(
        None,
        validate_default=True,
        description="OpenStreetMap extract (.osm.pbf) of the area served; required when "
        "travel_provider is road_network.",
    )
    road_network_cache_dir: Path = Field(
        DEFAULT_ROAD_NETWORK_CACHE_DIR,
        description="Folder of built road graphs, reused while the extract and the build "
        "settings are unchanged.",
    )
    road_snap_max_m: float = Field(
        500.0,
        gt=0,
        description="Farthest a point may lie from the road network before its travel is "
        "estimated in a straight line instead (flagged as a fallback), metres.",
    )

    data_keys: SecretStr | None = Field(
        None,
        description="Comma-separated Fernet keys that encrypt personal data at rest; the first "
        "encrypts, all decrypt (rotation). Read before data_key_file.",
    )
    data_key_file: Path = Field(
        DEFAULT_DATA_KEY_FILE,
        description="File holding the data keys (one per line, first encrypts) when data_keys "
        "is unset; create it with `streetrelief privacy new-key`.",
    )
    token_ttl_s: int = Field(
        12 * 3600, gt=0, description="Lifetime of an API token or page session, seconds (a shift)."
    )
    max_failed_sign_ins: int = Field(
        5,
        ge=1,
        description="Failed sign-ins in a row that lock an account. NIST SP 800-63B §5.2.2 "
        "requires such throttling (at most 100); 5 is the usual local choice.",
    )
    lockout_s: int = Field(
        15 * 60, gt=0, description="How long a locked account stays locked, seconds."
    )
    signature_max_age_s: int = Field(
        300,
        gt=0,
        description="Oldest (or furthest-future) timestamp accepted on a signed partner "
        "request, seconds; older requests are refused as replays.",
    )
    retention_days: int = Field(
        7 * 365,
        gt=0,
        description="Default days after last contact before a person's identifying data is "
        "removed, where no region policy says otherwise. Source: HUD HMIS privacy standard "
        "(69 FR 45888, 2004, §4.2.5): identifiers not in current use are removed seven years "
        "after creation or last change.",
    )
    minor_age: int = Field(
        14,
        gt=0,
        description="Age under which a person is a minor whose record is most restricted. "
        "Source: PIPL art. 28 and 31 (personal information of minors under 14 is sensitive).",
    )

    warm_up_on_start: bool = Field(
        True,
        description="Prepare every API route (and the OpenAPI schema) when the server starts "
        "rather than on the first request, which otherwise waits about a second.",
    )
    notify_worker_in_serve: bool = Field(
        False,
        description="Run the notification delivery worker inside `streetrelief serve` "
        "(one per server process; `streetrelief notify deliver` runs it on its own).",
    )
    notify_poll_interval_s: float = Field(
        5.0, gt=0, description="How often the delivery worker looks for new work, seconds."
    )
    notify_batch_size: int = Field(
        50, gt=0, le=1000, description="Deliveries a worker claims per round."
    )
    notify_max_attempts: int = Field(
        8, ge=1, le=100, description="Attempts per delivery before it is marked dead."
    )
    notify_backoff_base_s: float = Field(
        30.0,
        gt=0,
        description="Wait before the second attempt, seconds; doubles with each attempt "
        "(exponential backoff with jitter, see notify.logic.retry_delay_s).",
    )
    notify_backoff_max_s: float = Field(
        3600.0, gt=0, description="Longest wait between two attempts, seconds."
    )
    notify_timeout_s: float = Field(
        10.0, gt=0, description="Time allowed for one HTTP or SMTP delivery, seconds."
    )
    notify_lease_s: float = Field(
        120.0,
        gt=0,
        description="How long a claimed delivery stays with its worker before another may "
        "take it (a worker that died mid-send), seconds; keep it above notify_timeout_s.",
    )
    smtp_host: str = Field("localhost", description="SMTP server for e-mail notifications.")
    smtp_port: int = Field(587, ge=1, le=65535, description="SMTP server port.")
    smtp_starttls: bool = Field(
        True, description="Upgrade the SMTP connection with STARTTLS (RFC 3207) before login."
    )
    smtp_user: str | None = Field(None, description="SMTP login user; no login when unset.")
    smtp_password: str | None = Field(None, description="SMTP login password.")
    smtp_from: str = Field(
        "streetrelief@localhost", description="From address of e-mail notifications."
    )

    @model_validator(mode="after")
    def _lease_outlasts_a_send(self) -> Settings:
        if self.notify_lease_s <= self.notify_timeout_s:
            msg = "notify_lease_s must exceed notify_timeout_s, or two workers send at once"
            raise ValueError(msg)
        return self

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
    hold_ttl_s: int = Field(
        2700,
        ge=60,
        le=6 * 3600,
        description="How long a referral holds a place while the team brings the person, "
        "seconds (45 min: a local choice, a cross-town drive at night with time to persuade).",
    )
    hold_sweep_interval_s: float = Field(
        60.0, gt=0, description="How often the scheduler expires referral holds, seconds."
    )
    thank_reporters_interval_s: float = Field(
        300.0,
        gt=0,
        description="How often the scheduler thanks social reporters whose reported incident "
        "has closed, seconds.",
    )
    occupancy_stale_after_s: int = Field(
        4 * 3600,
        gt=0,
        description="Occupancy figures older than this are flagged stale, seconds (4 h: a "
        "local choice, one update per shift change and one at midnight at least).",
    )
    supply_items_path: Path | None = Field(
        None,
        description="YAML catalogue of supply item types used instead of the shipped one "
        "(streetrelief/supplies/items.yaml).",
    )
    dispatch_timers_interval_s: float = Field(
        30.0,
        gt=0,
        description="How often the scheduler checks acknowledgement timeouts and response "
        "targets, seconds.",
    )
    revisit_usual_interval_s: int = Field(
        24 * 3600,
        ge=600,
        le=7 * 86400,
        description="When a person who refused help is revisited where the response level sets "
        "no interval, seconds after the encounter (24 h: the China preset's mildest level, IV, "
        "so that nobody who refused goes unchecked for more than a day).",
    )
    revisit_grace_s: int = Field(
        3600,
        ge=0,
        le=86400,
        description="How long after its due time a revisit may wait before the duty leader is "
        "told it is overdue, seconds (1 h: a local choice, about one patrol round).",
    )
    revisit_timers_interval_s: float = Field(
        60.0,
        gt=0,
        description="How often the scheduler turns due revisits into patrol tasks and escalates "
        "overdue ones, seconds.",
    )
    run_jobs_in_server: bool = Field(
        False,
        description="Run the scheduled jobs (feed polls, reassessment) inside `streetrelief "
        "serve`; otherwise run `streetrelief jobs run` as a worker of its own.",
    )
    map_tile_url: str | None = Field(
        None,
        description="Map tiles for the pages, as a Leaflet URL template "
        "(e.g. https://tiles.example.org/{z}/{x}/{y}.png); none by default, and the maps then "
        "draw regions only.",
    )
    map_tile_attribution: str = Field(
        "", max_length=300, description="Attribution shown with the map tiles (plain text)."
    )
    emergency_number: str = Field(
        "120",
        pattern=r"^[0-9+ ]{2,20}$",
        description="Number the public report form tells people to call when a life is in "
        "danger (120: China's medical emergency number).",
    )

    @field_validator("road_network_file")
    @classmethod
    def _road_network_has_a_file(cls, path: Path | None, info: ValidationInfo) -> Path | None:
        if path is None and info.data.get("travel_provider") == "road_network":
            msg = "required when STREETRELIEF_TRAVEL_PROVIDER is road_network (an .osm.pbf file)"
            raise ValueError(msg)
        return path

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
