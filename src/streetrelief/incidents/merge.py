"""When a report is the same situation as an open incident: pure rules over plain values.

A report joins an incident when it lies close enough, soon enough, with compatible people and
no contradicting vulnerability. People move, so the window is wider than for a fixed defect,
and the distance allowed shrinks as the gap grows: right after a report, a person seen a few
hundred metres on is probably the same; hours later, only the same spot still is. Two reports
that name different vulnerability flags (an elderly man; a child) are never merged
automatically: a dispatcher decides. Every verdict carries its reason.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from streetrelief.core.geo import haversine_m
from streetrelief.triage.policy import MergeWindow


@dataclass(frozen=True)
class Situation:
    """What merging compares: a place, a span of report times, conditions and people."""

    lat: float
    lon: float
    first_at: datetime
    last_at: datetime
    conditions: frozenset[str]
    people_count: int


@dataclass(frozen=True)
class MergeVerdict:
    """The outcome of comparing a report with an incident."""

    is_same: bool
    distance_m: float
    gap_s: float
    allowed_m: float
    reason: str


def allowed_distance_m(window: MergeWindow, gap_s: float) -> float:
    """The greatest distance, metres, at which a report ``gap_s`` seconds from an incident's
    reports still counts as the same situation: ``radius_m`` halved every ``half_life_s``
    (no decay when the policy sets none); zero beyond ``window_s``."""
    if gap_s > window.window_s:
        return 0.0
    if window.half_life_s is None:
        return window.radius_m
    return float(window.radius_m * 0.5 ** (gap_s / window.half_life_s))


def gap_s(at: datetime, first_at: datetime, last_at: datetime) -> float:
    """Seconds from ``at`` to the span [first_at, last_at] (zero inside it)."""
    if first_at <= at <= last_at:
        return 0.0
    return min(abs((at - first_at).total_seconds()), abs((at - last_at).total_seconds()))


def compare(window: MergeWindow, incident: Situation, report: Situation) -> MergeVerdict:
    """Whether ``report`` is the situation ``incident`` already describes, and why.

    ``report.first_at`` is the report's time. Distances are haversine metres between the
    report and the incident's place (its first report).
    """
    distance = haversine_m(report.lat, report.lon, incident.lat, incident.lon)
    gap = gap_s(report.first_at, incident.first_at, incident.last_at)
    allowed = allowed_distance_m(window, gap)
    where = f"{distance:.0f} m away (allowed {allowed:.0f} m at {gap / 60:.0f} min)"
    if gap > window.window_s:
        return MergeVerdict(False, distance, gap, allowed, f"too late: {gap / 3600:.1f} h apart")
    if distance > allowed:
        return MergeVerdict(False, distance, gap, allowed, f"too far: {where}")
    clash = _vulnerability_clash(window.vulnerability_conditions, incident, report)
    if clash:
        return MergeVerdict(False, distance, gap, allowed, f"{where}, but {clash}")
    if abs(incident.people_count - report.people_count) > window.people_tolerance:
        return MergeVerdict(
            False,
            distance,
            gap,
            allowed,
            f"{where}, but {report.people_count} people against {incident.people_count}",
        )
    return MergeVerdict(True, distance, gap, allowed, where)


def _vulnerability_clash(
    flags: Collection[str], incident: Situation, report: Situation
) -> str | None:
    mine = report.conditions & frozenset(flags)
    theirs = incident.conditions & frozenset(flags)
    if mine and theirs and mine != theirs:
        return f"vulnerability {sorted(mine)} against {sorted(theirs)}"
    return None
