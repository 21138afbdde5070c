"""``streetrelief patrols``: plan a shift's patrol routes, and see a night's coverage."""

from __future__ import annotations

import threading
import time
from datetime import datetime

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from streetrelief.cli.common import cli_session, console, fail_cleanly, parse_time_option
from streetrelief.config import get_settings
from streetrelief.core.clock import SystemClock
from streetrelief.dispatch.travel import StraightLineTravel
from streetrelief.patrols.logic import load_calendar
from streetrelief.patrols.schemas import CoverageReport, PlanRead, PlanRequest
from streetrelief.patrols.service.coverage import compare_coverage, coverage_report
from streetrelief.patrols.service.planning import plan_patrols, plan_reads

app = typer.Typer(help="Patrols: plan routes over hotspots, and coverage.", no_args_is_help=True)

PROGRESS_AFTER_S = 1.0
"""Show a progress bar for solves given at least this long."""


def _shift(value: str) -> tuple[datetime, datetime]:
    start_text, sep, end_text = value.partition("/")
    start = parse_time_option(start_text, "--shift") if sep else None
    end = parse_time_option(end_text, "--shift") if sep else None
    if start is None or end is None:
        raise typer.BadParameter(
            "give START/END in ISO 8601 with offsets, e.g. "
            "2026-12-20T18:00+08:00/2026-12-21T06:00+08:00",
            param_hint="--shift",
        )
    return start, end


@app.command("plan")
def plan_command(
    region: str = typer.Option(..., "--region", "-r", help="Region code."),
    shift: str = typer.Option(..., "--shift", help="START/END, ISO 8601 with UTC offsets."),
    team: list[int] | None = typer.Option(None, "--team", "-t", help="Team id (repeatable)."),
    time_limit: float = typer.Option(10.0, "--time-limit", min=0.1, max=300, help="Seconds."),
    replan: int | None = typer.Option(None, "--replan", help="Replan this plan id from now."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """Plan the shift's routes over the visits due, and store the plan."""
    start, end = _shift(shift)
    settings = get_settings()
    with fail_cleanly():
        calendar = load_calendar(settings.holiday_calendar_path)
        request = PlanRequest(
            region_code=region,
            shift_start_at=start,
            shift_end_at=end,
            team_ids=team or None,
            time_limit_s=time_limit,
            replans_id=replan,
        )
    travel = StraightLineTravel(
        detour_factor=settings.detour_factor,
        vehicle_speed_kmh=settings.vehicle_speed_kmh,
        walking_speed_kmh=settings.walking_speed_kmh,
    )
    with cli_session() as session:
        done: list[PlanRead] = []
        failed: list[BaseException] = []

        def work() -> None:
            try:
                row = plan_patrols(
                    session, request, travel=travel, calendar=calendar, now=SystemClock().now()
                )
                done.extend(plan_reads(session, [row]))
            except BaseException as exc:  # handed back to the main thread, raised there
                failed.append(exc)

        worker = threading.Thread(target=work)
        worker.start()
        if time_limit >= PROGRESS_AFTER_S and not as_json:
            _progress(worker, time_limit)
        worker.join()
        if failed:
            raise failed[0]
    plan = done[0]
    if as_json:
        print(plan.model_dump_json(indent=2))
        return
    console.print(plan_table(plan))
    console.print(f"plan {plan.id}: {plan.status} — {plan.message}")


def _progress(worker: threading.Thread, limit_s: float) -> None:
    columns = (TextColumn("solving"), BarColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("solve", total=limit_s)
        began = time.monotonic()
        while worker.is_alive():
            progress.update(task, completed=min(limit_s, time.monotonic() - began))
            worker.join(0.1)


def plan_table(plan: PlanRead) -> Table:
    """One row per visit: team, order, hotspot, window, planned arrival, or why not planned."""
    table = Table(title=f"Patrol plan {plan.id} ({plan.region_code}, level {plan.level})")
    for column in ("team", "#", "hotspot", "window (UTC)", "arrive (UTC)", "note"):
        table.add_column(column)
    for s in sorted(plan.stops, key=lambda s: (s.team_id is None, s.team_id or 0, s.sequence or 0)):
        table.add_row(
            str(s.team_id or "-"),
            str(s.sequence or "-"),
            str(s.hotspot_id) if s.hotspot_id is not None else f"revisit {s.revisit_id}",
            f"{s.earliest_at:%H:%M}-{s.latest_at:%H:%M}",
            f"{s.arrive_at:%H:%M}" if s.arrive_at else "-",
            s.reason or ("visited" if s.check_in_id else ""),
        )
    return table


@app.command("coverage")
def coverage_command(
    region: str = typer.Option(..., "--region", "-r", help="Region code."),
    night: datetime = typer.Option(..., "--night", formats=["%Y-%m-%d"], help="YYYY-MM-DD."),
    compare: datetime | None = typer.Option(
        None, "--compare", formats=["%Y-%m-%d"], help="An earlier night to compare with."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """Hotspots visited within their interval, blind spots and figures by region for a night
    (local noon to noon); with --compare, the change from that night."""
    calendar = load_calendar(get_settings().holiday_calendar_path)
    with cli_session(read_only=True) as session:
        after = coverage_report(session, region, night.date(), calendar=calendar)
        before = (
            None
            if compare is None
            else coverage_report(session, region, compare.date(), calendar=calendar)
        )
    if as_json:
        body = after if before is None else compare_coverage(before, after)
        print(body.model_dump_json(indent=2))
        return
    if before is not None:
        console.print(coverage_table(before))
    console.print(coverage_table(after))


def coverage_table(report: CoverageReport) -> Table:
    """One row per region: hotspots, visited, overdue, check-ins, share within interval."""
    table = Table(title=f"Coverage, night of {report.night:%Y-%m-%d} (local noon to noon)")
    for column in ("region", "hotspots", "visited", "blind spots", "check-ins", "within interval"):
        table.add_column(column, justify="right")
    for r in report.regions:
        share = "-" if r.share_within_interval is None else f"{r.share_within_interval:.0%}"
        table.add_row(
            r.region_code, str(r.hotspots), str(r.visited), str(r.overdue), str(r.check_ins), share
        )
    return table
