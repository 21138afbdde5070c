"""``streetrelief privacy`` and ``streetrelief audit``: data keys, retention, purge, audit log."""

from __future__ import annotations

from pathlib import Path

import typer
from pydantic import TypeAdapter, ValidationError
from rich.table import Table

from streetrelief.access.principal import SYSTEM
from streetrelief.audit import service as audit
from streetrelief.audit.schemas import AuditEventRead, AuditQuery
from streetrelief.cli.common import cli_session, console, fail_cleanly, parse_time_option
from streetrelief.config import get_settings
from streetrelief.core.clock import SystemClock
from streetrelief.core.errors import InvalidInputError
from streetrelief.privacy import crypto
from streetrelief.privacy import service as privacy

app = typer.Typer(help="Personal data: encryption key, retention, purge.", no_args_is_help=True)
audit_app = typer.Typer(help="The audit log.", no_args_is_help=True)

_EVENTS = TypeAdapter(list[AuditEventRead])


@app.command("new-key")
def new_key(
    file: Path | None = typer.Option(
        None,
        "--file",
        help="Where to write it; STREETRELIEF_DATA_KEY_FILE (var/data.key) by default.",
    ),
) -> None:
    """Create the data key file (owner-only permissions); an existing file is never replaced."""
    with fail_cleanly():
        target = file or get_settings().data_key_file
        crypto.write_key_file(target)
    console.print(f"data key written to {target}; back it up: without it personal data is lost")


@app.command("rotate-key")
def rotate_key() -> None:
    """Re-encrypt every personal field with the first key of the key setting."""
    with cli_session() as session:
        count = privacy.rotate_keys(session)
        audit.record(
            session,
            SYSTEM,
            action="rotate_key",
            resource="persons",
            at=SystemClock().now(),
            origin=audit.CLI,
            detail={"values": count},
        )
    console.print(f"{count} values re-encrypted with the first key")


@app.command("retention")
def retention(
    region: str = typer.Argument(..., help="Region code: the policy covers its subtree."),
    days: int = typer.Argument(..., min=1, help="Days after last contact."),
) -> None:
    """Set a region's retention period (the nearest policy up the tree applies)."""
    now = SystemClock().now()
    with cli_session() as session:
        privacy.set_retention(session, region, days, by=SYSTEM, now=now)
        audit.record(
            session,
            SYSTEM,
            action="update",
            resource="retention",
            resource_id=region,
            region_code=region,
            at=now,
            origin=audit.CLI,
            detail={"days": days},
        )
    console.print(f"{region}: identifying data kept {days} days after last contact")


@app.command("purge")
def purge(
    dry_run: bool = typer.Option(False, "--dry-run", help="Only show what would go."),
) -> None:
    """De-identify persons not met within their region's retention period; statistics stay."""
    now = SystemClock().now()
    with cli_session() as session:
        report = privacy.purge(
            session, now=now, default_days=get_settings().retention_days, dry_run=dry_run
        )
        if not dry_run:
            audit.record(
                session,
                SYSTEM,
                action="purge",
                resource="persons",
                at=now,
                origin=audit.CLI,
                detail={
                    "persons": [p[0] for p in report.persons],
                    "encounters": report.encounters,
                    "reports": report.reports,
                },
            )
    table = Table(title="Would be de-identified" if dry_run else "De-identified")
    for column in ("person", "temp id", "region", "last contact", "kept (days)"):
        table.add_column(column)
    for person_id, temp_id, region, last in report.persons:
        table.add_row(
            str(person_id), temp_id, region, f"{last:%Y-%m-%d}", str(report.cutoff_days[region])
        )
    console.print(table)
    verb = "would lose" if dry_run else "lost"
    console.print(
        f"{len(report.persons)} persons, {report.encounters} encounters (notes and exact "
        f"places) and {report.reports} reporter contacts {verb} identifying data"
    )


@audit_app.command("search")
def search(
    actor: str | None = typer.Option(None, "--actor"),
    action: str | None = typer.Option(None, "--action"),
    resource: str | None = typer.Option(None, "--resource"),
    resource_id: str | None = typer.Option(None, "--id"),
    outcome: str | None = typer.Option(None, "--outcome", help="allowed or denied."),
    since: str | None = typer.Option(None, "--since", help="ISO 8601 with offset."),
    until: str | None = typer.Option(None, "--until", help="ISO 8601 with offset."),
    limit: int = typer.Option(100, min=1, max=1000),
    as_json: bool = typer.Option(False, "--json", help="Print JSON (every field) for scripts."),
) -> None:
    """Search the audit log, newest first."""
    with fail_cleanly():
        try:
            query = AuditQuery(
                actor=actor,
                action=action,
                resource=resource,
                resource_id=resource_id,
                outcome=outcome,
                since=parse_time_option(since, "--since"),
                until=parse_time_option(until, "--until"),
                limit=limit,
            )
        except ValidationError as exc:
            raise InvalidInputError(str(exc.errors()[0]["msg"])) from exc
    with cli_session(read_only=True) as session:
        rows = [AuditEventRead.model_validate(e) for e in audit.search(session, query, by=SYSTEM)]
    if as_json:
        print(_EVENTS.dump_json(rows, indent=2).decode())
        return
    table = Table(title="Audit log")
    for column in (
        "id",
        "at (UTC)",
        "actor",
        "role",
        "action",
        "resource",
        "id",
        "region",
        "outcome",
        "from",
        "reason",
    ):
        table.add_column(column)
    for e in rows:
        table.add_row(
            str(e.id),
            f"{e.at:%Y-%m-%d %H:%M:%S}",
            e.actor,
            e.role,
            e.action,
            e.resource,
            e.resource_id or "",
            e.region_code or "",
            e.outcome,
            e.source_ip or "",
            str(e.detail.get("reason") or e.detail.get("code") or ""),
        )
    console.print(table)
