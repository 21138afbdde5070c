"""Dispatch benchmark: the policy comparison per scenario, the big-night timing, and the
recommendation latency.

Run from the repository root::

    .venv/bin/python bench/dispatch.py --data-dir ../shared/data

1. **Policy comparison.** For each scenario (the Los Angeles cold night with team counts from
   scarce to ample; the Helsinki night on the road network, scarce and ample; both with the
   response level rising over the night), simulates the night under our policy, nearest idle
   team first come first served, and fixed zones, and prints one table per scenario:
   reach-time figures (minutes) per priority, each rule's mean over the schedule bound and
   its mean and p90 over the per-incident bound, the share within target and the people left
   waiting; then our policy with each lever of ``DispatchPolicy`` tried. Then it checks the
   goals: mean at most 1.10 times the schedule bound; critical ≥ 95 % within target where
   nearest-idle is below that; mean no more than 10 % worse than nearest-idle.
2. **Big night.** 5,000 reports and 100 teams over 12 hours, our policy only: wall time
   (goal: under a minute).
3. **Recommendation latency.** ``dispatch.service.recommend_teams`` on a temporary SQLite
   database with 500 available teams: p50 and p99 over repeated calls (goal: p99 ≤ 5 ms),
   and the pure ranking alone; wall time and the process's CPU time per call (on a shared
   machine the wall time includes waiting for a core).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console
from rich.table import Table

from streetrelief.cli.simulate import comparison_table
from streetrelief.core.clock import FixedClock
from streetrelief.db.engine import make_engine, make_session_factory, session_scope
from streetrelief.db.migrate import upgrade
from streetrelief.dispatch.logic import TeamOption, rank_teams
from streetrelief.dispatch.policy import DispatchPolicy
from streetrelief.dispatch.service import recommend_teams
from streetrelief.dispatch.travel import StraightLineTravel
from streetrelief.incidents.service import require_incident
from streetrelief.intake.models import Channel
from streetrelief.intake.schemas import ReportCreate
from streetrelief.intake.service import receive_report
from streetrelief.regions.importer import import_regions
from streetrelief.simulation.build import NightInputs, build_night
from streetrelief.simulation.compare import Comparison, compare
from streetrelief.simulation.scenario import PolicyName, Scenario, load_scenario
from streetrelief.teams.models import Capability, TravelMode
from streetrelief.teams.schemas import TeamCreate
from streetrelief.teams.service import create_team
from streetrelief.triage.policy import load_policy

ROOT = Path(__file__).resolve().parent.parent
LA = ROOT / "examples" / "los_angeles"
HELSINKI = ROOT / "examples" / "helsinki"
console = Console(width=140)


def with_counts(scenario: Scenario, *, teams: int, reports: int | None = None) -> Scenario:
    """The scenario with another team count (and report count)."""
    update: dict[str, object] = {
        "name": f"{scenario.name}, {teams} teams",
        "teams": scenario.teams.model_copy(update={"count": teams}),
    }
    if reports is not None:
        update["reports"] = scenario.reports.model_copy(update={"count": reports})
        update["name"] = f"{reports:,} reports, {teams} teams"
    return scenario.model_copy(update=update)


def comparison(scenario_file: Path, data_dir: Path, counts: list[int]) -> list[str]:
    """Print the comparison table and the levers table per team count; return goal lines."""
    base = load_scenario(scenario_file)
    policy = load_policy()
    goals = []
    for count in counts:
        scenario = with_counts(base, teams=count)
        inputs = build_night(scenario, scenario_file, policy, data_dir)
        result = compare(inputs, DispatchPolicy())
        console.print(comparison_table(scenario.name, result))
        console.print(levers(scenario, inputs, result))
        ours = result.figures[PolicyName.ours.value].groups
        near = result.figures[PolicyName.nearest_idle.value].groups
        mean_ratio = ours["all"].mean_s / result.schedule_bound_mean_s
        vs_nearest = ours["all"].mean_s / near["all"].mean_s
        line = (
            f"{count:>4} teams: mean {mean_ratio:.2f} × schedule bound (goal ≤ 1.10): "
            f"{'met' if mean_ratio <= 1.10 else 'NOT met'}; mean {vs_nearest:.2f} × nearest-idle "
            f"(goal ≤ 1.10): {'met' if vs_nearest <= 1.10 else 'NOT met'}"
        )
        if "critical" in ours:
            ours_c, near_c = ours["critical"].within_target, near["critical"].within_target
            verdict = (
                "not applicable (nearest-idle already ≥ 95 %)"
                if near_c >= 0.95
                else ("met" if ours_c >= 0.95 else "NOT met")
            )
            line += f"; critical on time {ours_c:.0%} vs {near_c:.0%}: {verdict}"
        goals.append(line)
    return goals


LEVERS = {"as shipped": DispatchPolicy(), "idle teams stay": DispatchPolicy(idle_teams_stay=True)}
"""Our policy with each lever of ``DispatchPolicy`` tried, against the policy as shipped."""


def levers(scenario: Scenario, inputs: NightInputs, shipped: Comparison) -> Table:
    """Our policy's mean and p90 (minutes) and on-time shares with each lever of ``LEVERS``."""
    ours_only = replace(
        inputs, scenario=scenario.model_copy(update={"policies": (PolicyName.ours,)})
    )
    table = Table(title=f"{scenario.name}: our policy's levers")
    for name in ("lever", "mean", "p90", "mean/sched", "on time", "critical on time"):
        table.add_column(name, justify="left" if name == "lever" else "right")
    for name, rules in LEVERS.items():
        run = shipped if rules == DispatchPolicy() else compare(ours_only, rules)
        groups = run.figures[PolicyName.ours.value].groups
        table.add_row(
            name,
            f"{groups['all'].mean_s / 60:.1f}",
            f"{groups['all'].p90_s / 60:.1f}",
            f"{groups['all'].mean_s / run.schedule_bound_mean_s:.2f}",
            f"{groups['all'].within_target:.0%}",
            f"{groups['critical'].within_target:.0%}" if "critical" in groups else "",
        )
    return table


def big_night(scenario_file: Path, data_dir: Path) -> str:
    """Time 5,000 reports and 100 teams under our policy."""
    scenario = with_counts(load_scenario(scenario_file), teams=100, reports=5000)
    scenario = scenario.model_copy(update={"policies": (PolicyName.ours,)})
    started = time.perf_counter()
    inputs = build_night(scenario, scenario_file, load_policy(), data_dir)
    built = time.perf_counter()
    result = compare(inputs, DispatchPolicy())
    done = time.perf_counter()
    ours = result.figures[PolicyName.ours.value]
    return (
        f"5,000 reports, 100 teams, 12 h: read and draw {built - started:.1f} s, simulate "
        f"{ours.wall_s:.1f} s, with bound and figures {done - built:.1f} s; total "
        f"{done - started:.1f} s (goal < 60 s)"
    )


def latency(teams: int, calls: int) -> Table:
    """recommend_teams over SQLite with ``teams`` available teams, and ranking alone."""
    now = datetime(2026, 1, 15, 2, 0, tzinfo=UTC)
    policy = load_policy()
    travel = StraightLineTravel(detour_factor=1.4, vehicle_speed_kmh=30, walking_speed_kmh=4.5)
    with tempfile.TemporaryDirectory(prefix="streetrelief-bench-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        upgrade(url)
        engine = make_engine(url)
        factory = make_session_factory(engine)
        with session_scope(factory) as session:
            import_regions(session, LA / "regions.csv")
            for k in range(teams):
                create_team(
                    session,
                    TeamCreate(
                        code=f"B{k:04d}",
                        name=f"Bench team {k}",
                        region_code=f"US-0644000-CD{k % 15 + 1:02d}",
                        capabilities=[Capability.outreach, Capability.medical][: 1 + k % 2],
                        vehicle=f"V{k}" if k % 3 else None,
                        base_lat=33.95 + (k * 0.6180339) % 1 * 0.3,
                        base_lon=-118.55 + (k * 0.4142135) % 1 * 0.4,
                    ),
                    now=now,
                )
            result = receive_report(
                session,
                ReportCreate(
                    channel=Channel.hotline,
                    reported_at=now,
                    lat=34.0522,
                    lon=-118.2437,
                    conditions=["elderly"],
                ),
                clock=FixedClock(now),
                policy=policy,
                travel=travel,
            )
            incident_id = result.incident_id
        samples, cpu = [], []
        with session_scope(factory, read_only=True) as session:
            incident = require_incident(session, incident_id)
            for _ in range(calls):
                began, began_cpu = time.perf_counter(), time.process_time()
                ranked = recommend_teams(
                    session, incident, policy=policy, travel=travel, now=now, limit=10
                )
                samples.append((time.perf_counter() - began) * 1000)
                cpu.append((time.process_time() - began_cpu) * 1000)
        engine.dispose()
    options = [
        TeamOption(
            team_id=k,
            code=f"B{k:04d}",
            capabilities=frozenset({"outreach"}),
            mode=TravelMode.vehicle,
            estimate=travel.one_to_many(
                (34.05, -118.24), [(34.0 + k / 5000, -118.3)], TravelMode.vehicle
            )[0],
            dispatches_24h=k % 5,
        )
        for k in range(teams)
    ]
    pure, pure_cpu = [], []
    for _ in range(calls):
        began, began_cpu = time.perf_counter(), time.process_time()
        rank_teams(options, frozenset({"medical"}), limit=10)
        pure.append((time.perf_counter() - began) * 1000)
        pure_cpu.append((time.process_time() - began_cpu) * 1000)
    table = Table(title=f"Recommendation latency, {teams} teams, {calls} calls (ms)")
    for name in ("what", "teams ranked", "p50", "p99", "max", "CPU p50", "CPU p99"):
        table.add_column(name, justify="left" if name == "what" else "right")
    for what, values, cpu_values, n in (
        ("recommend_teams (SQLite, service, best 10)", samples, cpu, len(ranked)),
        ("rank_teams (pure, best 10 explained)", pure, pure_cpu, teams),
    ):
        q = statistics.quantiles(values, n=100)
        qc = statistics.quantiles(cpu_values, n=100)
        table.add_row(
            what,
            str(n),
            f"{q[49]:.2f}",
            f"{q[98]:.2f}",
            f"{max(values):.2f}",
            f"{qc[49]:.2f}",
            f"{qc[98]:.2f}",
        )
    return table


def main() -> None:
    """Parse the arguments and run the three parts."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--scenario", type=Path, default=LA / "cold_night.yaml")
    parser.add_argument("--teams", type=int, nargs="+", default=[25, 50, 100, 200])
    parser.add_argument("--helsinki", type=Path, default=HELSINKI / "cold_night.yaml")
    parser.add_argument("--helsinki-teams", type=int, nargs="+", default=[6, 12])
    parser.add_argument("--latency-teams", type=int, default=500)
    parser.add_argument("--latency-calls", type=int, default=300)
    args = parser.parse_args()
    goals = comparison(args.scenario, args.data_dir, args.teams)
    goals += comparison(args.helsinki, args.data_dir, args.helsinki_teams)
    for line in goals:
        console.print(line)
    console.print(big_night(args.scenario, args.data_dir))
    console.print(latency(args.latency_teams, args.latency_calls))


if __name__ == "__main__":
    main()
