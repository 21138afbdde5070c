"""Dispatch benchmark: the policy comparison per scenario, the big-night timing, and the
recommendation latency, and the candidate read over a long dispatch history.

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
2. **Big night.** 5,000 reports and 100 teams over 12 hours, our policy only, as shipped and
   with idle teams moving to cover (which adds the standby plan): wall time (goal: under a
   minute).
3. **Recommendation latency.** The best 10 of 500 available teams on a temporary SQLite
   database: the pure ranking, ``dispatch.service.recommend_teams`` with the collector as is,
   after ``gc.freeze()`` (as the API's start-up does) and with a larger first threshold, and
   the HTTP route through the ASGI interface: with an httpx2 client, one event-loop run per
   call and then every call in one running loop, and the application alone called with a
   hand-made request (the server side without the client's cost); p50/p90/p99/max wall time
   and CPU time per call (goal: p99 ≤ 5 ms for the service and for the route; on a shared
   machine the wall time includes waiting for a core).
   ``--only latency`` runs this part alone.
4. **Workload read.** The same teams' candidate read, which counts each team's dispatches of
   the past 24 hours, over 100,000 dispatches of 90 days on SQLite: with the
   ``(team_id, assigned_at)`` index and with the separate ``team_id`` and ``assigned_at``
   indexes it replaced. ``--only workload`` runs this part alone.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from contextlib import AsyncExitStack, contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

import httpx2
from fastapi import FastAPI
from pydantic import SecretStr
from rich.console import Console
from rich.table import Table
from sqlalchemy import insert, select, text
from starlette.types import Message

from streetrelief.access.roles import Role
from streetrelief.access.schemas import UserCreate
from streetrelief.access.service import create_user
from streetrelief.api.app import create_app
from streetrelief.cli.simulate import comparison_table
from streetrelief.config import Settings
from streetrelief.core.clock import FixedClock
from streetrelief.db.engine import make_engine, make_session_factory, session_scope
from streetrelief.db.migrate import upgrade
from streetrelief.dispatch.logic import Candidates, TeamOption, rank_candidates, rank_teams
from streetrelief.dispatch.models import Dispatch
from streetrelief.dispatch.policy import DispatchPolicy
from streetrelief.dispatch.repository import candidate_teams
from streetrelief.dispatch.service import ASSIGNABLE, WORKLOAD_WINDOW, recommend_teams
from streetrelief.dispatch.travel import StraightLineTravel
from streetrelief.incidents.service import require_incident
from streetrelief.intake.models import Channel
from streetrelief.intake.schemas import ReportCreate
from streetrelief.intake.service import receive_report
from streetrelief.regions.importer import import_regions
from streetrelief.regions.service import dispatch_area
from streetrelief.simulation.build import NightInputs, build_night
from streetrelief.simulation.compare import Comparison, compare
from streetrelief.simulation.scenario import PolicyName, Scenario, load_scenario
from streetrelief.teams.models import Capability, Team, TravelMode
from streetrelief.teams.schemas import TeamCreate
from streetrelief.teams.service import create_team
from streetrelief.triage.policy import load_policy

ROOT = Path(__file__).resolve().parent.parent
LA = ROOT / "examples" / "los_angeles"
HELSINKI = ROOT / "examples" / "helsinki"
console = Console(width=160)
DISPATCHER, DISPATCHER_PASSWORD = "bench-dispatcher", "bench dispatcher password"


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


LEVERS = {
    "as shipped": DispatchPolicy(),
    "idle teams stay": DispatchPolicy(idle_teams_stay=True),
    "idle teams cover (MEXCLP)": DispatchPolicy(idle_teams_cover=True),
}
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


def big_night(scenario_file: Path, data_dir: Path, rules: DispatchPolicy) -> str:
    """Time 5,000 reports and 100 teams under our policy with ``rules``."""
    scenario = with_counts(load_scenario(scenario_file), teams=100, reports=5000)
    scenario = scenario.model_copy(update={"policies": (PolicyName.ours,)})
    started = time.perf_counter()
    inputs = build_night(scenario, scenario_file, load_policy(), data_dir)
    built = time.perf_counter()
    result = compare(inputs, rules)
    done = time.perf_counter()
    ours = result.figures[PolicyName.ours.value]
    lever = next(name for name, r in LEVERS.items() if r == rules)
    return (
        f"5,000 reports, 100 teams, 12 h, {lever}: read and draw {built - started:.1f} s, simulate "
        f"{ours.wall_s:.1f} s, with bound and figures {done - built:.1f} s; total "
        f"{done - started:.1f} s (goal < 60 s)"
    )


@dataclass
class Samples:
    """Wall and CPU milliseconds per call, and the full collections during the calls."""

    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    full_gcs: int = 0

    @contextmanager
    def one(self) -> Iterator[None]:
        """Time the calls made inside: wall time and the process's CPU time (every thread)."""
        began, began_cpu = time.perf_counter(), time.process_time()
        yield
        self.wall.append((time.perf_counter() - began) * 1000)
        self.cpu.append((time.process_time() - began_cpu) * 1000)


@contextmanager
def sampling() -> Iterator[Samples]:
    """Samples to fill inside, with the full collections made meanwhile counted at the end."""
    out = Samples()
    full_before = gc.get_stats()[2]["collections"]
    yield out
    out.full_gcs = gc.get_stats()[2]["collections"] - full_before


def timed(call: Callable[[], object], calls: int) -> Samples:
    """Run ``call`` ``calls`` times after a few warm-up runs."""
    for _ in range(min(calls, 20)):
        call()
    with sampling() as out:
        for _ in range(calls):
            with out.one():
                call()
    return out


async def timed_in_loop(call: Callable[[], Awaitable[object]], calls: int) -> Samples:
    """``timed`` for a coroutine function, every call awaited in the one running event loop."""
    for _ in range(min(calls, 20)):
        await call()
    with sampling() as out:
        for _ in range(calls):
            with out.one():
                await call()
    return out


def latency_database(url: str, teams: int, now: datetime, travel: StraightLineTravel) -> int:
    """Fill a migrated database with the Los Angeles regions, ``teams`` available teams (half
    of them medical, a third walking) and a dispatcher; return the id of one incident."""
    upgrade(url)
    engine = make_engine(url)
    with session_scope(make_session_factory(engine)) as session:
        import_regions(session, LA / "regions.csv")
        create_user(
            session,
            UserCreate(
                username=DISPATCHER,
                password=SecretStr(DISPATCHER_PASSWORD),
                role=Role.dispatcher,
                region_code="US",
            ),
            now=now,
        )
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
            policy=load_policy(),
            travel=travel,
        )
    engine.dispose()
    return result.incident_id


def latency(teams: int, calls: int) -> Table:
    """The best 10 of ``teams`` available teams for an incident, over SQLite: the pure ranking,
    the service call with the collector as Python leaves it, after ``gc.freeze()`` (as the
    application does at start-up) and with a larger first collection threshold as well, and
    the HTTP route in process."""
    now = datetime(2026, 1, 15, 2, 0, tzinfo=UTC)
    policy = load_policy()
    travel = StraightLineTravel(detour_factor=1.4, vehicle_speed_kmh=30, walking_speed_kmh=4.5)
    rows: list[tuple[str, int, Samples]] = []
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
    columns = Candidates.of(options)
    rows.append(
        (
            "rank_candidates (pure, columns)",
            teams,
            timed(lambda: rank_candidates(columns, frozenset({"medical"}), limit=10), calls),
        )
    )
    rows.append(
        (
            "rank_teams (pure, from option objects)",
            teams,
            timed(lambda: rank_teams(options, frozenset({"medical"}), limit=10), calls),
        )
    )
    with tempfile.TemporaryDirectory(prefix="streetrelief-bench-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        incident_id = latency_database(url, teams, now, travel)
        engine = make_engine(url)
        factory = make_session_factory(engine)
        with session_scope(factory, read_only=True) as session:
            incident = require_incident(session, incident_id)

            def service() -> object:
                return recommend_teams(
                    session, incident, policy=policy, travel=travel, now=now, limit=10
                )

            n = len(recommend_teams(session, incident, policy=policy, travel=travel, now=now))
            rows.append(("recommend_teams (service), gc as is", n, timed(service, calls)))
            gc.freeze()
            rows.append(("recommend_teams (service), after gc.freeze()", n, timed(service, calls)))
            thresholds = gc.get_threshold()
            gc.set_threshold(thresholds[0] * 10, *thresholds[1:])
            rows.append(
                (
                    "recommend_teams (service), frozen, gen-0 threshold ×10",
                    n,
                    timed(service, calls),
                )
            )
            gc.set_threshold(*thresholds)
            gc.unfreeze()
        app = create_app(
            Settings(database_url=url),
            clock=FixedClock(now),
            session_factory=factory,
            triage_policy=policy,
            travel=travel,
        )
        full_gc = [full_collection_ms()]
        with asyncio.Runner() as runner:
            stack = AsyncExitStack()
            route = runner.run(serving(app, incident_id, stack))
            full_gc.append(route.full_gc)
            http = timed(lambda: runner.run(route.client()), calls)
            rows.append(("GET recommendations (ASGI in process)", n, http))
            rows.append(
                (
                    "  the same, calls in one running event loop",
                    n,
                    runner.run(timed_in_loop(route.client, calls)),
                )
            )
            rows.append(
                (
                    "  server alone: the ASGI app, hand-made request",
                    n,
                    runner.run(timed_in_loop(route.server, calls)),
                )
            )
            runner.run(stack.aclose())
        engine.dispose()
    table = samples_table(
        f"Recommendation latency, {teams} teams, best 10, {calls} calls (ms)", rows
    )
    table.caption = (
        f"One full collection with the application loaded: {full_gc[0]} "
        f"before start-up, {full_gc[1]} after (start-up freezes the heap)"
    )
    return table


def samples_table(title: str, rows: list[tuple[str, int, Samples]]) -> Table:
    """One row per measured call: p50/p90/p99/max wall time and CPU time, ms, and the full
    collections during the run; the title gains the machine's load."""
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    table = Table(title=f"{title}; load average {load} on {os.cpu_count()} cores")
    for name in ("what", "teams", "p50", "p90", "p99", "max", "CPU p50", "CPU p99", "full GCs"):
        table.add_column(name, justify="left" if name == "what" else "right")
    for what, n, samples in rows:
        q = statistics.quantiles(samples.wall, n=100)
        qc = statistics.quantiles(samples.cpu, n=100)
        table.add_row(
            what,
            str(n),
            f"{q[49]:.2f}",
            f"{q[89]:.2f}",
            f"{q[98]:.2f}",
            f"{max(samples.wall):.2f}",
            f"{qc[49]:.2f}",
            f"{qc[98]:.2f}",
            str(samples.full_gcs),
        )
    return table


WORKLOAD_INDEXES = (
    ("(team_id, assigned_at), this schema", ()),
    (
        "team_id and assigned_at apart, before",
        (
            "CREATE INDEX ix_dispatches_team_id ON dispatches (team_id)",
            "DROP INDEX ix_dispatches_team_assigned",
        ),
    ),
)
"""The indexes the workload read is timed with, and the statements that go from one to the
next."""


def workload(teams: int, dispatches: int, calls: int) -> Table:
    """The candidate read of recommendations (``dispatch.repository.candidate_teams``, which
    counts each team's dispatches of the past 24 hours) for ``teams`` available teams over
    ``dispatches`` past dispatches spread over 90 days, on a temporary SQLite database: with
    the ``(team_id, assigned_at)`` index and with the single-column indexes it replaced."""
    now = datetime(2026, 1, 15, 2, 0, tzinfo=UTC)
    travel = StraightLineTravel(detour_factor=1.4, vehicle_speed_kmh=30, walking_speed_kmh=4.5)
    rows: list[tuple[str, int, Samples]] = []
    with tempfile.TemporaryDirectory(prefix="streetrelief-bench-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        incident_id = latency_database(url, teams, now, travel)
        engine = make_engine(url)
        with engine.begin() as conn:
            team_ids = conn.scalars(select(Team.id)).all()
            history = [
                {
                    "incident_id": incident_id,
                    "team_id": team_ids[k % len(team_ids)],
                    "region_code": "US",
                    "estimated_travel_s": 600.0,
                    "assigned_at": now - timedelta(seconds=k * 7919 % (90 * 86400)),
                }
                for k in range(dispatches)
            ]
            conn.execute(insert(Dispatch), history)
        factory = make_session_factory(engine)
        for what, statements in WORKLOAD_INDEXES:
            with engine.begin() as conn:
                for statement in statements:
                    conn.execute(text(statement))
                conn.execute(text("ANALYZE"))
            with session_scope(factory, read_only=True) as session:
                area = dispatch_area(session, require_incident(session, incident_id).region_code)

                read = partial(
                    candidate_teams,
                    session,
                    area.path,
                    statuses=ASSIGNABLE,
                    now=now,
                    stale_before=now - timedelta(minutes=15),
                    workload_since=now - WORKLOAD_WINDOW,
                )
                rows.append((what, len(read()), timed(read, calls)))
        engine.dispose()
    return samples_table(
        f"Candidate read over {dispatches:,} dispatches of 90 days, {calls} calls (ms)", rows
    )


@dataclass(frozen=True)
class Route:
    """The recommendation route called two ways, and the cost of a full collection after
    start-up."""

    client: Callable[[], Coroutine[None, None, object]]
    """Through an httpx2 client on the ASGI transport: the client builds the request and
    parses the answer."""
    server: Callable[[], Coroutine[None, None, object]]
    """The ASGI application called directly with a hand-made request: server side only."""
    full_gc: str


async def serving(app: FastAPI, incident_id: int, stack: AsyncExitStack) -> Route:
    """Start ``app`` on ``stack`` as a server would (its lifespan runs) and sign the dispatcher
    in; return the incident's recommendation route through the ASGI interface (no network)."""
    await stack.enter_async_context(app.router.lifespan_context(app))
    full_after = full_collection_ms()
    client = await stack.enter_async_context(
        httpx2.AsyncClient(transport=httpx2.ASGITransport(app=app), base_url="http://bench")
    )
    signed_in = await client.post(
        "/api/v1/auth/token", json={"username": DISPATCHER, "password": DISPATCHER_PASSWORD}
    )
    authorization = f"Bearer {signed_in.json()['access_token']}"
    client.headers["Authorization"] = authorization
    path = f"/api/v1/incidents/{incident_id}/recommendations"
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"limit=10",
        "headers": [(b"host", b"bench"), (b"authorization", authorization.encode())],
        "client": ("127.0.0.1", 50000),
        "server": ("bench", 80),
    }

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def call_client() -> object:
        return (await client.get(f"{path}?limit=10")).raise_for_status().json()

    async def call_server() -> object:
        sent: list[Message] = []

        async def send(message: Message) -> None:
            sent.append(message)

        await app(dict(scope), receive, send)
        if sent[0]["status"] != 200:
            raise RuntimeError(f"the route answered {sent[0]['status']}: {sent[1:]}")
        return sent

    return Route(client=call_client, server=call_server, full_gc=full_after)


def full_collection_ms() -> str:
    """CPU time of a full garbage collection (best of three) and the objects it walks."""
    times = []
    for _ in range(3):
        began = time.process_time()
        gc.collect()
        times.append((time.process_time() - began) * 1000)
    return f"{min(times):.1f} ms CPU over {len(gc.get_objects()):,} tracked objects"


def main() -> None:
    """Parse the arguments and run the four parts."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--scenario", type=Path, default=LA / "cold_night.yaml")
    parser.add_argument("--teams", type=int, nargs="+", default=[25, 50, 100, 200])
    parser.add_argument("--helsinki", type=Path, default=HELSINKI / "cold_night.yaml")
    parser.add_argument("--helsinki-teams", type=int, nargs="+", default=[6, 12])
    parser.add_argument("--latency-teams", type=int, default=500)
    parser.add_argument("--latency-calls", type=int, default=300)
    parser.add_argument("--workload-dispatches", type=int, default=100_000)
    parser.add_argument(
        "--only",
        choices=("comparison", "big-night", "latency", "workload"),
        help="Run only this part.",
    )
    args = parser.parse_args()
    if args.only in (None, "comparison"):
        goals = comparison(args.scenario, args.data_dir, args.teams)
        goals += comparison(args.helsinki, args.data_dir, args.helsinki_teams)
        for line in goals:
            console.print(line)
    if args.only in (None, "big-night"):
        for rules in (DispatchPolicy(), DispatchPolicy(idle_teams_cover=True)):
            console.print(big_night(args.scenario, args.data_dir, rules))
    if args.only in (None, "latency"):
        console.print(latency(args.latency_teams, args.latency_calls))
    if args.only in (None, "workload"):
        console.print(
            workload(args.latency_teams, args.workload_dispatches, args.latency_calls // 3)
        )


if __name__ == "__main__":
    main()
