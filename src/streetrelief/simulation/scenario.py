"""Simulation scenarios: a YAML file validated strictly (an unknown key is an error naming it).

A scenario names the reports file and how to scale it onto one night, the case mix that
stands in for what reporters saw, the teams, the service points, the field timings, the travel
provider, the policies to compare, a seed and two bounds (simulated and wall time). Relative
paths are read against ``--data-dir`` when given, else against the scenario file's folder.
"""

from __future__ import annotations

import itertools
from datetime import datetime, time, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Literal, Self

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError, model_validator

from streetrelief.core.errors import InvalidInputError
from streetrelief.core.yamlfile import YAMLFileError, load_yaml
from streetrelief.teams.models import Capability


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PolicyName(StrEnum):
    """The dispatch policies a scenario can compare."""

    ours = "ours"
    nearest_idle = "nearest_idle"
    fixed_zones = "fixed_zones"


class Box(_Strict):
    """A latitude/longitude box, WGS-84 degrees."""

    south: float = Field(ge=-90, le=90)
    west: float = Field(ge=-180, le=180)
    north: float = Field(ge=-90, le=90)
    east: float = Field(ge=-180, le=180)

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if not (self.south < self.north and self.west < self.east):
            msg = "a box needs south < north and west < east"
            raise ValueError(msg)
        return self


class ReportSource(_Strict):
    """Where reports come from and how they are scaled onto the night."""

    file: Path = Field(description="Requests export (CSV or .csv.gz), relative or absolute.")
    mapping: str = Field(description="Column mapping: a shipped name or a YAML file.")
    count: int | None = Field(
        None,
        ge=1,
        le=200_000,
        description="Reports to draw (seeded, without replacement up to the file's rows); "
        "all rows when omitted.",
    )
    people_per_report: int = Field(1, ge=1, le=50)
    relocate_to: Box | None = Field(
        None,
        description="Map the reports' bounding box linearly onto this box: a real city's "
        "pattern of calls, transplanted to a city whose requests are not published.",
    )


class CaseShare(_Strict):
    """A share of reports observed with these conditions (triage decides the rest)."""

    share: float = Field(gt=0, le=1)
    conditions: frozenset[str] = Field(min_length=1)


class TeamSetup(_Strict):
    """Teams placed at bases drawn (seeded) from report locations."""

    count: int = Field(ge=1, le=5000)
    vehicle_share: float = Field(
        ge=0, le=1, description="Share of teams with a vehicle (they can transport)."
    )
    capability_shares: dict[str, float] = Field(
        default_factory=dict,
        description="Capability → share of teams that have it (besides outreach and supplies, "
        "which all have, and transport, which vehicle teams have).",
    )
    shift_h: float = Field(12.0, gt=0, le=24, description="Shift length from the start, hours.")

    @model_validator(mode="after")
    def _shares(self) -> Self:
        known = {str(c) for c in Capability}
        for capability, share in self.capability_shares.items():
            if capability not in known:
                msg = (
                    f"capability_shares.{capability}: not a capability "
                    f"(one of {', '.join(sorted(known))})"
                )
                raise ValueError(msg)
            if not 0 <= share <= 1:
                msg = f"capability_shares.{capability} = {share}: a share lies in [0, 1]"
                raise ValueError(msg)
            if capability == "transport":
                msg = "capability_shares.transport: transport comes with vehicle_share"
                raise ValueError(msg)
        return self


class PointSetup(_Strict):
    """A service point people can be taken to."""

    name: str
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    capacity: int = Field(ge=0, le=100_000)


class FieldTimes(_Strict):
    """Field timings, seconds."""

    dispatcher_confirm_s: float = Field(
        60.0,
        ge=0,
        le=3600,
        description="Confirmation delay for priorities not dispatched automatically. "
        "Source: NFPA 1225 (2022) 7.4, 90 % of calls dispatched within 60 s.",
    )
    turnout_s: float = Field(60.0, ge=0, le=3600)
    on_scene_s: float = Field(1200.0, ge=0, le=6 * 3600)
    handover_s: float = Field(300.0, ge=0, le=6 * 3600, description="At a service point.")


class TravelSetup(_Strict):
    """The travel-time provider of the night: straight line, or a road network from an
    OpenStreetMap extract (``osm``), with the straight line as its fallback."""

    provider: Literal["straight_line", "road_network"] = "straight_line"
    osm: Path | None = Field(None, description="OSM PBF extract, for provider road_network.")
    max_snap_m: float = Field(
        500.0,
        gt=0,
        le=5000,
        description="A report farther than this from the road network is refused, metres.",
    )
    detour_factor: float = Field(1.4, ge=1, le=5)
    vehicle_speed_kmh: float = Field(30.0, gt=0, le=200)
    walking_speed_kmh: float = Field(4.5, gt=0, le=20)

    @model_validator(mode="after")
    def _osm(self) -> Self:
        if (self.provider == "road_network") != (self.osm is not None):
            msg = "osm is given exactly when the provider is road_network"
            raise ValueError(msg)
        return self


class LevelChange(_Strict):
    """The response level from a clock time of the night on."""

    at: time = Field(
        description='Local clock time (the start\'s UTC offset), e.g. "22:00": its first '
        "occurrence at or after the start."
    )
    level: Literal["none", "IV", "III", "II", "I"]


class LevelTimeline(_Strict):
    """How the response level changes over the night. Incidents triaged under a level get its
    playbook's ``response_target_factor``; a rise shortens the targets of incidents no team has
    reached yet, as the live service does (``response.tasks.tighten_open_targets``)."""

    preset: Literal["china", "nyc_code_blue", "toronto", "uk_swep", "meteoalarm", "taiwan_cwa"] = (
        Field("china", description="Shipped response preset whose playbook gives the factors.")
    )
    changes: tuple[LevelChange, ...] = Field(min_length=1)


class Scenario(_Strict):
    """One simulated night."""

    name: str
    seed: int
    start: AwareDatetime = Field(description="Start of the night (aware).")
    duration_h: float = Field(gt=0, le=72, description="Length of the night, hours.")
    overrun_h: float = Field(
        6.0, ge=0, le=72, description="Simulated time after the night to finish open work."
    )
    wall_time_limit_s: float = Field(300.0, gt=0, le=3600)
    reports: ReportSource
    case_mix: tuple[CaseShare, ...] = ()
    teams: TeamSetup
    service_points: tuple[PointSetup, ...] = ()
    field: FieldTimes = Field(default_factory=FieldTimes)
    travel: TravelSetup = Field(default_factory=TravelSetup)
    levels: LevelTimeline | None = Field(
        None, description="Response levels over the night; level none throughout when omitted."
    )
    policies: tuple[PolicyName, ...] = (
        PolicyName.ours,
        PolicyName.nearest_idle,
        PolicyName.fixed_zones,
    )

    @model_validator(mode="after")
    def _mix(self) -> Self:
        total = sum(c.share for c in self.case_mix)
        if total > 1 + 1e-9:
            msg = f"case_mix shares add up to {total:g}, more than 1"
            raise ValueError(msg)
        return self

    @model_validator(mode="after")
    def _levels_in_order(self) -> Self:
        if self.levels is not None:
            times = self.level_times_s()
            if any(b <= a for a, b in itertools.pairwise(times)):
                msg = "levels.changes: clock times must follow each other through the night"
                raise ValueError(msg)
        return self

    def level_times_s(self) -> list[float]:
        """Seconds from the start of each level change (none when there is no timeline)."""
        if self.levels is None:
            return []
        out = []
        for change in self.levels.changes:
            at = datetime.combine(self.start.date(), change.at, tzinfo=self.start.tzinfo)
            if at < self.start:
                at += timedelta(days=1)
            out.append((at - self.start).total_seconds())
        return out


def load_scenario(path: Path) -> Scenario:
    """Read and validate a scenario file.

    Raises:
        InvalidInputError: unreadable, not YAML, or invalid; the message names the key.
    """
    try:
        data = load_yaml(path.read_text(encoding="utf-8"))
    except (OSError, YAMLFileError) as exc:
        raise InvalidInputError(f"cannot read scenario {path}: {exc}") from exc
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(top level)"
        message = str(first["msg"]).removeprefix("Value error, ")
        raise InvalidInputError(f"scenario {path}: {where}: {message}") from exc


def resolve(path: Path, scenario_file: Path, data_dir: Path | None) -> Path:
    """An absolute path for ``path`` read against ``data_dir`` or the scenario's folder.

    Raises:
        InvalidInputError: the file does not exist.
    """
    full = path if path.is_absolute() else (data_dir or scenario_file.parent) / path
    if not full.is_file():
        raise InvalidInputError(f"scenario {scenario_file}: no file {full}")
    return full
