"""``streetrelief simulate``: one night under several dispatch rules, side by side."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.progress import Progress
from rich.table import Table

from streetrelief.cli.common import console, fail_cleanly
from streetrelief.config import get_settings
from streetrelief.dispatch.policy import DispatchPolicy
from streetrelief.simulation.build import build_night
from streetrelief.simulation.compare import Comparison, compare
from streetrelief.simulation.scenario import load_scenario
from streetrelief.simulation.summary import ALL, plot_reach_times, write_incidents_csv
from streetrelief.triage.policy import load_policy


def simulate(
    scenario: Path = typer.Argument(..., exists=True, dir_okay=False, help="Scenario YAML."),
    data_dir: Path | None = typer.Option(
        None, exists=True, file_okay=False, help="Folder the scenario's relative files are in."
    ),
    out: Path = typer.Option(
        Path("simulation-out"), file_okay=False, help="Folder for incidents.csv and reach.png."
    ),
    seed: int | None = typer.Option(None, help="Override the scenario's seed."),
) -> None:
    """Simulate SCENARIO's night under each of its dispatch rules and print reach-time
    percentiles per priority, the share within target, team utilisation and people left
    waiting, with each rule's ratio to the hindsight lower bound."""
    with fail_cleanly():
        night = load_scenario(scenario)
        if seed is not None:
            night = night.model_copy(update={"seed": seed})
        inputs = build_night(
            night, scenario, load_policy(get_settings().triage_policy_path), data_dir
        )
        with Progress(console=console, transient=True) as progress:
            task = progress.add_task(
                "simulating", total=len(inputs.incidents) * len(night.policies)
            )
            result = compare(inputs, DispatchPolicy(), on_progress=lambda: progress.advance(task))
        out.mkdir(parents=True, exist_ok=True)
        write_incidents_csv(out / "incidents.csv", night.start, result.results, result.bound)
        plot_reach_times(out / "reach.png", night.name, result.results, result.bound)
    console.print(comparison_table(night.name, result))
    console.print(f"wrote {out / 'incidents.csv'} and {out / 'reach.png'}")


def comparison_table(title: str, comparison: Comparison) -> Table:
    """Rules side by side: reach-time figures (minutes) per priority and for all incidents,
    ratios to the hindsight bounds, share within target, utilisation and people left waiting.

    ``mean/sched``: the mean over all incidents to the schedule bound (one team, one place at
    a time); ``mean/inc`` and ``p90/inc``: to the per-incident bound. The bound's rows give
    the per-incident bound's own share within target: no rule can do better."""
    table = Table(title=title)
    for name in (
        "rule",
        "priority",
        "n",
        "mean",
        "p50",
        "p90",
        "p99",
        "mean/sched",
        "mean/inc",
        "p90/inc",
        "on time",
        "waiting",
        "use",
    ):
        table.add_column(name, justify="left" if name in {"rule", "priority"} else "right")
    for rule, figures in comparison.figures.items():
        order = [ALL, *(g for g in ("critical", "high", "normal", "low") if g in figures.groups)]
        for group in order:
            f = figures.groups[group]
            table.add_row(
                rule if group == ALL else "",
                group,
                f"{f.count:,}",
                f"{f.mean_s / 60:.1f}",
                f"{f.p50_s / 60:.1f}",
                f"{f.p90_s / 60:.1f}",
                f"{f.p99_s / 60:.1f}",
                f"{f.mean_s / comparison.schedule_bound_mean_s:.2f}" if group == ALL else "",
                f"{f.mean_s / f.bound_mean_s:.2f}",
                f"{f.p90_s / f.bound_p90_s:.2f}",
                f"{f.within_target:.0%}",
                f"{f.left_waiting:,}",
                f"{figures.utilisation:.0%}" if group == ALL else "",
            )
        table.add_section()
    table.add_row(
        "schedule bound",
        ALL,
        "",
        f"{comparison.schedule_bound_mean_s / 60:.1f}",
        *[""] * 3,
        "1.00",
        *[""] * 5,
    )
    first = next(iter(comparison.figures.values()))
    for group in [ALL, *(g for g in ("critical", "high", "normal", "low") if g in first.groups)]:
        f = first.groups[group]
        table.add_row(
            "incident bound" if group == ALL else "",
            group,
            f"{f.count:,}",
            f"{f.bound_mean_s / 60:.1f}",
            "",
            f"{f.bound_p90_s / 60:.1f}",
            "",
            "",
            "1.00",
            "1.00",
            f"{f.bound_within_target:.0%}",
            "",
            "",
        )
    return table
