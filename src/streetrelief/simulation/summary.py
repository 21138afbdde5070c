"""Figures of a simulated night: reach-time percentiles per priority, share within target,
team utilisation, people left waiting; the per-incident CSV and the reach-time plot.

An incident never reached counts as late, and its reach time is censored at the end of the
simulation (the time it had waited by then), so leaving people waiting never improves a figure.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import matplotlib as mpl

mpl.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes

from streetrelief.incidents.models import Priority
from streetrelief.simulation.night import NightResult, SimIncident

ALL = "all"


@dataclass(frozen=True)
class Figures:
    """Reach-time figures of one group of incidents (seconds, shares in [0, 1])."""

    count: int
    mean_s: float
    p50_s: float
    p90_s: float
    p99_s: float
    within_target: float
    bound_mean_s: float
    bound_p90_s: float
    bound_within_target: float
    left_waiting: int


@dataclass(frozen=True)
class RunFigures:
    """Figures of one rule's night, per priority and for all incidents (key ``ALL``)."""

    rule: str
    groups: dict[str, Figures]
    utilisation: float
    unplaced_people: int
    wall_s: float


def reach_or_censored_s(incident: SimIncident, horizon_s: float) -> float:
    """Report to arrival, or to the end of the simulation when never reached, seconds."""
    reach = incident.reach_s
    return horizon_s - incident.reported_s if reach is None else reach


def figures(rule: str, result: NightResult, bound: dict[int, float]) -> RunFigures:
    """Summarise one run against the hindsight bound."""
    groups: dict[str, list[SimIncident]] = {ALL: list(result.incidents)}
    for incident in result.incidents:
        groups.setdefault(incident.priority.value, []).append(incident)
    out: dict[str, Figures] = {}
    for name, members in groups.items():
        reach = np.array([reach_or_censored_s(i, result.horizon_s) for i in members])
        lower = np.array([bound[i.idx] for i in members])
        on_time = sum(1 for i in members if i.reach_s is not None and i.reach_s <= i.target_s)
        p50, p90, p99 = np.percentile(reach, [50, 90, 99]).tolist()
        out[name] = Figures(
            count=len(members),
            mean_s=float(reach.mean()),
            p50_s=p50,
            p90_s=p90,
            p99_s=p99,
            within_target=on_time / len(members),
            bound_mean_s=float(lower.mean()),
            bound_p90_s=float(np.percentile(lower, 90)),
            bound_within_target=sum(1 for i in members if bound[i.idx] <= i.target_s)
            / len(members),
            left_waiting=sum(1 for i in members if i.arrived_s is None),
        )
    busy = sum(min(t.busy_s, result.horizon_s) for t in result.teams)
    return RunFigures(
        rule=rule,
        groups=out,
        utilisation=busy / (len(result.teams) * result.horizon_s),
        unplaced_people=result.unplaced_people,
        wall_s=result.wall_s,
    )


def write_incidents_csv(
    path: Path, start: datetime, runs: dict[str, NightResult], bound: dict[int, float]
) -> None:
    """One row per incident and rule: times (UTC ISO 8601), reach, target, bound, team."""

    def at(seconds: float | None) -> str:
        return "" if seconds is None else (start + timedelta(seconds=seconds)).isoformat()

    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "rule",
                "incident",
                "source_id",
                "priority",
                "lat",
                "lon",
                "reported_at",
                "dispatched_at",
                "arrived_at",
                "reach_s",
                "target_s",
                "is_on_time",
                "bound_s",
                "team",
            ]
        )
        for rule, result in runs.items():
            for i in sorted(result.incidents, key=lambda i: i.idx):
                reach = i.reach_s
                writer.writerow(
                    [
                        rule,
                        i.idx,
                        i.source_id,
                        i.priority.value,
                        f"{i.pos[0]:.6f}",
                        f"{i.pos[1]:.6f}",
                        at(i.reported_s),
                        at(i.dispatched_s),
                        at(i.arrived_s),
                        "" if reach is None else f"{reach:.1f}",
                        f"{i.target_s:.0f}",
                        reach is not None and reach <= i.target_s,
                        f"{bound[i.idx]:.1f}",
                        "" if i.team is None else result.teams[i.team].code,
                    ]
                )


def plot_reach_times(
    path: Path, title: str, runs: dict[str, NightResult], bound: dict[int, float]
) -> None:
    """A PNG: cumulative share reached by minutes after the report, one panel per priority,
    one line per rule and a dotted one for the hindsight bound."""
    incidents = next(iter(runs.values())).incidents
    priorities = [p for p in Priority if any(i.priority == p for i in incidents)]
    panels = max(1, len(priorities))
    fig, axes = plt.subplots(1, panels, figsize=(4.2 * panels, 3.6), squeeze=False)
    for ax, priority in zip(axes[0], priorities, strict=False):
        for rule, result in runs.items():
            reach = [
                reach_or_censored_s(i, result.horizon_s) / 60
                for i in result.incidents
                if i.priority == priority
            ]
            _ecdf(ax, reach, rule, "-")
        _ecdf(ax, [bound[i.idx] / 60 for i in incidents if i.priority == priority], "bound", ":")
        target_min = next(i.target_s for i in incidents if i.priority == priority) / 60
        ax.axvline(target_min, color="grey", linewidth=0.8)
        ax.set_title(f"{priority.value} (target {target_min:.0f} min)")
        ax.set_xlabel("minutes from report to arrival")
        ax.set_xlim(0, max(target_min * 3, 1))
        ax.set_ylim(0, 1)
    axes[0][0].set_ylabel("share reached")
    axes[0][0].legend(fontsize="small")
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _ecdf(ax: Axes, minutes: list[float], label: str, style: str) -> None:
    values = np.sort(np.array(minutes))
    ax.step(
        values,
        np.arange(1, len(values) + 1) / len(values),
        where="post",
        label=label,
        linestyle=style,
    )
