"""``streetrelief reporters``: register social reporters, list them with their figures,
disable one, issue a new personal key.

The CLI acts as the system on the server machine; each change is audited as the ``cli`` in the
same transaction as the change.
"""

from __future__ import annotations

from datetime import datetime

import typer
from pydantic import ValidationError
from rich.table import Table
from sqlalchemy.orm import Session

from streetrelief.access.principal import SYSTEM
from streetrelief.audit import service as audit
from streetrelief.cli.common import cli_session, console, fail_cleanly
from streetrelief.core.clock import SystemClock
from streetrelief.core.errors import InvalidInputError
from streetrelief.reporters import service as reporters
from streetrelief.reporters.models import ReporterKind
from streetrelief.reporters.schemas import (
    MAX_KEY_DAYS,
    ReporterCreate,
    ReporterIssued,
    ReporterUpdate,
)

app = typer.Typer(
    help="Social reporters (street cleaners, couriers, drivers, guards, volunteers) and their "
    "personal reporting keys.",
    no_args_is_help=True,
)


def _audit(session: Session, action: str, reporter_id: int, *, now: datetime, change: str) -> None:
    audit.record(
        session,
        SYSTEM,
        action=action,
        resource="social_reporters",
        resource_id=reporter_id,
        at=now,
        origin=audit.CLI,
        detail={"change": change},
    )


def _print_key(issued: ReporterIssued) -> None:
    expires = f", valid until {issued.key_expires_at:%Y-%m-%d}" if issued.key_expires_at else ""
    reporter = issued.reporter
    console.print(
        f"social reporter {reporter.id} ({reporter.kind}, {reporter.region_code}): "
        f"new personal key{expires}"
    )
    console.print("shown once, never again: hand it to the reporter now")
    print(f"key: {issued.key}")


@app.command("add")
def add(
    kind: ReporterKind = typer.Option(..., "--kind", help="What the reporter does."),
    name: str = typer.Option(..., "--name", help="Display name (stored encrypted)."),
    region: str = typer.Option(..., "--region", "-r", help="Region code where they report."),
    phone: str | None = typer.Option(None, "--phone", help="Contact number (encrypted)."),
    email: str | None = typer.Option(
        None, "--email", help="Where the thank-you and outcome go (encrypted)."
    ),
    organisation: str | None = typer.Option(
        None, "--organisation", help="e.g. the sanitation company or courier firm."
    ),
    valid_days: int | None = typer.Option(
        None, "--valid-days", min=1, max=MAX_KEY_DAYS, help="Days the key stays valid."
    ),
) -> None:
    """Register a social reporter and print their personal reporting key once."""
    with fail_cleanly():
        try:
            data = ReporterCreate(
                kind=kind,
                display_name=name,
                region_code=region,
                phone=phone,
                email=email,
                organisation=organisation,
                key_valid_days=valid_days,
            )
        except ValidationError as exc:
            problem = exc.errors()[0]
            field = ".".join(str(p) for p in problem["loc"])
            raise InvalidInputError(f"{field}: {problem['msg']}", field=field) from None
    now = SystemClock().now()
    with cli_session() as session:
        issued = reporters.register_reporter(session, data, by=SYSTEM, now=now)
        _audit(session, "create", issued.reporter.id, now=now, change="registered")
    _print_key(issued)


@app.command("list")
def list_(
    kind: ReporterKind | None = typer.Option(None, "--kind", help="Only reporters of a kind."),
    active_only: bool = typer.Option(False, "--active", help="Only active reporters."),
) -> None:
    """Reporters with their reports and how many led to people helped (no names or contacts)."""
    with cli_session(read_only=True) as session:
        rows = reporters.list_reporters(
            session, by=SYSTEM, kind=kind, is_active=True if active_only else None
        )
    if not rows:
        filtered = kind is not None or active_only
        console.print(
            "no social reporters match"
            if filtered
            else "no social reporters registered yet: `streetrelief reporters add`"
        )
        return
    table = Table(title="Social reporters")
    for column in ("id", "kind", "organisation", "region", "active", "reports", "helped"):
        table.add_column(column, justify="right" if column in {"reports", "helped"} else "left")
    for r in rows:
        table.add_row(
            str(r.id),
            r.kind.value,
            r.organisation or "–",
            r.region_code,
            "yes" if r.is_active else "no",
            f"{r.reports:,}",
            f"{r.helped:,}",
        )
    console.print(table)


@app.command("disable")
def disable(reporter_id: int = typer.Argument(..., min=1, help="The reporter's id.")) -> None:
    """Disable a reporter: their key is refused from now on; their reports stay credited."""
    now = SystemClock().now()
    with cli_session() as session:
        reporters.update_reporter(session, reporter_id, ReporterUpdate(is_active=False), by=SYSTEM)
        _audit(session, "update", reporter_id, now=now, change="disabled")
    console.print(f"social reporter {reporter_id} disabled; their key no longer works")


@app.command("key")
def key(
    reporter_id: int = typer.Argument(..., min=1, help="The reporter's id."),
    valid_days: int | None = typer.Option(
        None, "--valid-days", min=1, max=MAX_KEY_DAYS, help="Days the key stays valid."
    ),
) -> None:
    """Issue a new personal key and print it once; the old key stops working at once."""
    now = SystemClock().now()
    with cli_session() as session:
        issued = reporters.issue_reporter_key(
            session, reporter_id, by=SYSTEM, now=now, valid_days=valid_days
        )
        _audit(session, "create", reporter_id, now=now, change="new key")
    _print_key(issued)
