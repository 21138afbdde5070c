"""The ``streetrelief`` command."""

from __future__ import annotations

import typer

from streetrelief.cli import (
    db,
    hotspots,
    jobs,
    notify,
    patrols,
    privacy,
    regions,
    replay,
    reporters,
    response,
    revisits,
    roads,
    roster,
    serve,
    service_points,
    simulate,
    stats,
    stock,
    teams,
    users,
    weather,
)

app = typer.Typer(
    name="streetrelief",
    help="Winter street relief: reports, incidents, triage, dispatch, encounters, statistics.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(db.app, name="db")
app.add_typer(regions.app, name="regions")
app.command("serve")(serve.serve)
app.command("replay")(replay.replay)
app.command("simulate")(simulate.simulate)
app.command("stats")(stats.stats)
app.add_typer(teams.app, name="teams")
app.add_typer(service_points.app, name="service-points")
app.add_typer(hotspots.app, name="hotspots")
app.add_typer(patrols.app, name="patrols")
app.add_typer(weather.app, name="weather")
app.add_typer(response.app, name="response")
app.add_typer(revisits.app, name="revisits")
app.add_typer(users.app, name="users")
app.add_typer(users.partners_app, name="partners")
app.add_typer(reporters.app, name="reporters")
app.add_typer(privacy.app, name="privacy")
app.add_typer(privacy.audit_app, name="audit")
app.add_typer(roster.app, name="roster")
app.add_typer(stock.app, name="stock")
app.add_typer(notify.app, name="notify", no_args_is_help=True)
app.add_typer(jobs.app, name="jobs")
app.add_typer(roads.app, name="roads")
