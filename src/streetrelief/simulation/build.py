"""Turn a scenario into the night's incidents, teams and service points.

Reports keep their real places and their order in time; their times are scaled linearly from
the file's span onto the night (a cold night's volume from a few days of requests). Each report
draws (seeded) one case of the scenario's case mix, or none, and the real triage policy turns
the observed conditions into priority, measures, capabilities and destination. Team bases are
drawn (seeded) from the report locations, so teams sit where people call from.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path

from streetrelief.core.errors import InvalidInputError
from streetrelief.dispatch.travel import StraightLineTravel, TravelTimeProvider
from streetrelief.incidents.models import Priority
from streetrelief.response.levels import ResponseLevel
from streetrelief.response.policy import load_preset
from streetrelief.simulation.night import LatLon, SimIncident, SimPoint, SimTeam
from streetrelief.simulation.scenario import Box, Scenario, resolve
from streetrelief.simulation.sources import ReadCounts, SourceReport, load_mapping, read_reports
from streetrelief.teams.models import Capability, TravelMode
from streetrelief.triage.policy import TriagePolicy, triage

BASE_CAPABILITIES = frozenset({Capability.outreach, Capability.supplies})
"""What every simulated team can do: talk to people and hand out food and clothing."""

TRANSPORT_DESTINATIONS = frozenset({"hospital", "relief_station", "warming_shelter"})
"""Triage destinations that mean taking people somewhere."""


@dataclass(frozen=True)
class NightInputs:
    """A scenario made concrete: incidents, teams and points (fresh copies per rule).

    ``history``: the places (lat, lon) of the file's reports not drawn into the night, the
    demand known before it; ``critical_target_s`` and ``critical_confirm_s``: the triage
    policy's critical response target and that priority's confirmation delay, seconds.
    """

    scenario: Scenario
    reports: list[SourceReport]
    incidents: list[SimIncident]
    teams: list[SimTeam]
    points: list[SimPoint]
    travel: TravelTimeProvider
    horizon_s: float
    level_factors: list[tuple[float, float]]
    history: list[LatLon]
    critical_target_s: float
    critical_confirm_s: float


def level_factors(scenario: Scenario) -> list[tuple[float, float]]:
    """The night's response levels as (seconds from the start, ``response_target_factor``),
    from level none at the start (factor 1) through each change of ``scenario.levels``."""
    if scenario.levels is None:
        return [(0.0, 1.0)]
    policy = load_preset(scenario.levels.preset)
    factor = [policy.actions(level).response_target_factor for level in ResponseLevel]
    out = [(0.0, factor[ResponseLevel.none])]
    for at_s, change in zip(scenario.level_times_s(), scenario.levels.changes, strict=True):
        out.append((at_s, factor[ResponseLevel[change.level]]))
    return out


def factor_at(factors: list[tuple[float, float]], at_s: float) -> float:
    """The ``response_target_factor`` in force at ``at_s`` (seconds from the start)."""
    return next(f for t, f in reversed(factors) if t <= at_s)


def make_travel(
    scenario: Scenario, scenario_file: Path, data_dir: Path | None
) -> TravelTimeProvider:
    """The scenario's travel provider.

    Raises:
        InvalidInputError: the OSM file is missing.
        RoadNetworkError: the OSM file is not OSM PBF or has no roads for a mode.
    """
    t = scenario.travel
    if t.osm is None:
        return StraightLineTravel(
            detour_factor=t.detour_factor,
            vehicle_speed_kmh=t.vehicle_speed_kmh,
            walking_speed_kmh=t.walking_speed_kmh,
        )
    # Imported here: scipy and pyrosm take seconds to load and only road scenarios need them.
    from streetrelief.routing.provider import RoadNetworkTravel  # noqa: PLC0415

    return RoadNetworkTravel.from_osm(
        resolve(t.osm, scenario_file, data_dir),
        walking_speed_kmh=t.walking_speed_kmh,
        vehicle_speed_kmh=t.vehicle_speed_kmh,
        detour_factor=t.detour_factor,
        max_snap_m=t.max_snap_m,
    )


def _check_on_network(travel: TravelTimeProvider, reports: list[SourceReport]) -> None:
    """Refuse reports the road network cannot reach (its straight-line fallback)."""
    if isinstance(travel, StraightLineTravel):
        return
    points = [(r.lat, r.lon) for r in reports]
    for mode in (TravelMode.walking, TravelMode.vehicle):
        estimates = travel.one_to_many(points[0], points, mode)
        off = [r for r, e in zip(reports, estimates, strict=True) if e.is_fallback]
        if off:
            # With the first report on the network, the others off it are; otherwise it is.
            bad = reports[0] if len(off) == len(reports) or len(reports) == 1 else off[0]
            raise InvalidInputError(
                f"report {bad.source_id} (line {bad.line}) at {bad.lat:.5f}, {bad.lon:.5f} lies "
                f"outside the road network ({mode} roads farther than the snap distance)"
            )


def _relocate(
    reports: list[SourceReport], box: Box, frame: list[SourceReport]
) -> list[SourceReport]:
    """Map ``reports`` linearly from the bounding box of ``frame`` onto ``box``."""
    south, north = min(r.lat for r in frame), max(r.lat for r in frame)
    west, east = min(r.lon for r in frame), max(r.lon for r in frame)

    def scale(value: float, low: float, high: float, to_low: float, to_high: float) -> float:
        return to_low + (value - low) / (high - low or 1.0) * (to_high - to_low)

    return [
        replace(
            r,
            lat=scale(r.lat, south, north, box.south, box.north),
            lon=scale(r.lon, west, east, box.west, box.east),
        )
        for r in reports
    ]


def build_night(
    scenario: Scenario, scenario_file: Path, policy: TriagePolicy, data_dir: Path | None = None
) -> NightInputs:
    """Read the reports and draw the night.

    Raises:
        InvalidInputError: a file is missing or unreadable, a case names a condition the
            triage policy does not know, no report is left, or a report lies off the road
            network.
        RoadNetworkError: the OSM file is not OSM PBF or has no roads.
    """
    rng = random.Random(scenario.seed)  # noqa: S311 - a seeded draw, reproducible on purpose
    unknown = {c for case in scenario.case_mix for c in case.conditions} - set(policy.conditions)
    if unknown:
        raise InvalidInputError(f"case_mix names unknown conditions {sorted(unknown)}")
    path = resolve(scenario.reports.file, scenario_file, data_dir)
    rows = list(read_reports(path, load_mapping(scenario.reports.mapping), ReadCounts()))
    if not rows:
        raise InvalidInputError(f"no usable report in {path}")
    rows.sort(key=lambda r: (r.reported_at, r.source_id))
    first, last = rows[0].reported_at, rows[-1].reported_at
    count = scenario.reports.count or len(rows)
    picked = sorted(rng.sample(range(len(rows)), min(count, len(rows))))
    reports = [rows[i] for i in picked]
    drawn = set(picked)
    history = [r for i, r in enumerate(rows) if i not in drawn]
    box = scenario.reports.relocate_to
    if box is not None:
        history = [
            r
            for r in _relocate(history, box, reports)
            if box.south <= r.lat <= box.north and box.west <= r.lon <= box.east
        ]
        reports = _relocate(reports, box, reports)
    travel = make_travel(scenario, scenario_file, data_dir)
    _check_on_network(travel, reports)
    span_s = max((last - first).total_seconds(), 1.0)
    night_s = scenario.duration_h * 3600
    factors = level_factors(scenario)
    incidents = []
    for idx, report in enumerate(reports):
        at_s = (report.reported_at - first).total_seconds() / span_s * night_s
        conditions = _draw_case(scenario, rng)
        # The start's own offset is the night's local time (night-only triage rules).
        local = (scenario.start + timedelta(seconds=at_s)).time()
        decision = triage(policy, conditions | set(report.conditions), local_time=local)
        incidents.append(
            SimIncident(
                idx=idx,
                source_id=report.source_id,
                reported_s=at_s,
                pos=(report.lat, report.lon),
                priority=decision.priority,
                required=policy.required_capabilities(decision.measures),
                needs_transport=decision.destination in TRANSPORT_DESTINATIONS,
                people=scenario.reports.people_per_report,
                # Triaged on report, under the level then in force (as triage_incident does).
                target_s=float(
                    max(1, round(decision.response_target_s * factor_at(factors, at_s)))
                ),
                base_target_s=float(decision.response_target_s),
                confirm_s=0.0
                if decision.priority in policy.auto_dispatch
                else scenario.field.dispatcher_confirm_s,
            )
        )
    return NightInputs(
        scenario=scenario,
        reports=reports,
        incidents=incidents,
        teams=_draw_teams(scenario, reports, rng),
        points=[SimPoint(p.name, (p.lat, p.lon), p.capacity) for p in scenario.service_points],
        travel=travel,
        horizon_s=night_s + scenario.overrun_h * 3600,
        level_factors=factors,
        history=[(r.lat, r.lon) for r in history],
        critical_target_s=float(policy.response_targets_s[Priority.critical]),
        critical_confirm_s=0.0
        if Priority.critical in policy.auto_dispatch
        else scenario.field.dispatcher_confirm_s,
    )


def _draw_case(scenario: Scenario, rng: random.Random) -> set[str]:
    roll = rng.random()
    for case in scenario.case_mix:
        if roll < case.share:
            return set(case.conditions)
        roll -= case.share
    return set()


def _draw_teams(
    scenario: Scenario, reports: list[SourceReport], rng: random.Random
) -> list[SimTeam]:
    setup = scenario.teams
    bases = [(r.lat, r.lon) for r in rng.choices(reports, k=setup.count)]
    teams = []
    for idx, base in enumerate(bases):
        has_vehicle = rng.random() < setup.vehicle_share
        capabilities: set[str] = set(BASE_CAPABILITIES)
        if has_vehicle:
            capabilities.add(Capability.transport)
        capabilities.update(
            c for c, share in setup.capability_shares.items() if rng.random() < share
        )
        teams.append(
            SimTeam(
                idx=idx,
                code=f"T{idx + 1:03d}",
                base=base,
                mode=TravelMode.vehicle if has_vehicle else TravelMode.walking,
                capabilities=frozenset(capabilities),
                shift_end_s=setup.shift_h * 3600,
            )
        )
    return teams
