"""``streetrelief users`` and ``streetrelief partners``: accounts and partner systems.

Run on the server machine itself (the CLI acts as the system and every change it makes is
audited as the ``cli``), e.g. to create the first administrator.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

import typer
from pydantic import SecretStr, TypeAdapter, ValidationError
from rich.table import Table

from streetrelief.access import service as access
from streetrelief.access.principal import SYSTEM
from streetrelief.access.roles import Role
from streetrelief.access.schemas import KeyRead, PartnerCreate, PartnerRead, UserCreate, UserRead
from streetrelief.audit import service as audit
from streetrelief.cli.common import cli_session, console, fail_cleanly, list_records
from streetrelief.core.clock import SystemClock
from streetrelief.core.errors import InvalidInputError
from streetrelief.core.tabular import describe
from streetrelief.intake.models import Channel
from streetrelief.intake.partner_feed import FeedMapping

app = typer.Typer(
    help="Staff accounts: create, list, enable, disable, unlock.", no_args_is_help=True
)
partners_app = typer.Typer(help="Partner systems and their API keys.", no_args_is_help=True)

_USERS = TypeAdapter(list[UserRead])
_PARTNERS = TypeAdapter(list[PartnerRead])


def _audit_cli(action: str, resource: str, resource_id: str | int | None, **detail: object) -> None:
    """Audit a CLI change in a unit of work of its own (the change has committed)."""
    with cli_session() as session:
        audit.record(
            session,
            SYSTEM,
            action=action,
            resource=resource,
            resource_id=resource_id,
            at=SystemClock().now(),
            origin=audit.CLI,
            detail=dict(detail),
        )


@app.command("create")
def create(
    username: str = typer.Argument(..., help="Sign-in name."),
    role: Role = typer.Option(..., "--role", help="What the account may do."),
    region: str | None = typer.Option(
        None,
        "--region",
        "-r",
        help="Region code of its jurisdiction; the whole installation when omitted.",
    ),
    name: str | None = typer.Option(None, "--name", help="Display name."),
    team: int | None = typer.Option(None, "--team", help="A patrol member's team id."),
    service_point: int | None = typer.Option(
        None, "--service-point", help="A staff member's service point id."
    ),
    password: str = typer.Option(
        ...,
        prompt=True,
        hide_input=True,
        confirmation_prompt=True,
        envvar="STREETRELIEF_NEW_PASSWORD",
        help="At least 12 characters; asked for when not given.",
    ),
) -> None:
    """Create a staff account, e.g. the first administrator:
    ``streetrelief users create admin --role administrator``."""
    data = UserCreate(
        username=username,
        display_name=name,
        password=SecretStr(password),
        role=role,
        region_code=region,
        team_id=team,
        service_point_id=service_point,
    )
    with cli_session() as session:
        user = access.create_user(session, data, now=SystemClock().now())
        summary = f"{user.username}: {user.role} of {user.region_code or 'every region'}"
    _audit_cli("create", "user", username, role=role.value, region_code=region)
    console.print(f"created {summary}")


@app.command("list")
def list_command(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Print every account."""
    list_records(
        _USERS, access.list_users, as_json=as_json, table=partial(_users_table, title="Accounts")
    )


def _users_table(users: list[UserRead], *, title: str) -> Table:
    table = Table(title=title)
    for column in ("user", "name", "role", "region", "active", "locked until", "last sign-in"):
        table.add_column(column)
    for u in users:
        table.add_row(
            u.username,
            u.display_name,
            u.role,
            u.region_code or "all",
            "yes" if u.is_active else "no",
            f"{u.locked_until:%Y-%m-%d %H:%M}Z" if u.locked_until else "",
            f"{u.last_sign_in_at:%Y-%m-%d %H:%M}Z" if u.last_sign_in_at else "",
        )
    return table


@app.command("disable")
def disable(username: str = typer.Argument(...)) -> None:
    """Disable an account and revoke its tokens."""
    with cli_session() as session:
        access.set_active(session, username, active=False, now=SystemClock().now())
    _audit_cli("update", "user", username, change="disabled")
    console.print(f"{username} disabled")


@app.command("enable")
def enable(username: str = typer.Argument(...)) -> None:
    """Enable a disabled account."""
    with cli_session() as session:
        access.set_active(session, username, active=True, now=SystemClock().now())
    _audit_cli("update", "user", username, change="enabled")
    console.print(f"{username} enabled")


@app.command("unlock")
def unlock(username: str = typer.Argument(...)) -> None:
    """Clear a lock-out after failed sign-ins."""
    with cli_session() as session:
        access.unlock(session, username)
    _audit_cli("update", "user", username, change="unlocked")
    console.print(f"{username} unlocked")


@app.command("set-password")
def set_password(
    username: str = typer.Argument(...),
    password: str = typer.Option(
        ...,
        prompt=True,
        hide_input=True,
        confirmation_prompt=True,
        envvar="STREETRELIEF_NEW_PASSWORD",
    ),
) -> None:
    """Replace a password (and unlock the account)."""
    with cli_session() as session:
        access.set_password(session, username, password)
    _audit_cli("update", "user", username, change="password")
    console.print(f"{username}: password replaced")


@partners_app.command("add")
def add_partner(
    name: str = typer.Argument(..., help="Partner name, e.g. beijing-110."),
    channel: list[Channel] = typer.Option(..., "--channel", help="A report channel it may use."),
    region: str | None = typer.Option(None, "--region", "-r", help="Region it may report in."),
    all_regions: bool = typer.Option(
        False, "--all-regions", help="Let it report anywhere (instead of --region)."
    ),
    valid_days: int = typer.Option(365, min=1, help="Days the first key stays valid."),
) -> None:
    """Register a partner and issue its first API key; the key and signing secret are printed
    once and stored only as a digest (key) or encrypted (secret)."""
    if (region is None) != all_regions:
        raise typer.BadParameter("give --region CODE, or --all-regions", param_hint="--region")
    now = SystemClock().now()
    with cli_session() as session:
        partner, secret = access.create_partner(
            session, PartnerCreate(name=name, region_code=region, channels=channel), now=now
        )
        issued = access.issue_key(session, partner, now=now, valid_days=valid_days)
    _audit_cli("create", "partner", name, channels=[c.value for c in channel], key_id=issued.key_id)
    console.print(f"partner {name}: key id {issued.key_id}")
    print(f"API key: {issued.key}")
    print(f"signing secret: {secret}")


@partners_app.command("feed")
def set_feed(
    name: str = typer.Argument(...),
    mapping_file: Path = typer.Argument(
        ...,
        help="JSON: fields, time_format, condition_values, coordinate_system, "
        "is_machine_source (see README, Partner feeds).",
    ),
) -> None:
    """Set how the partner's own report JSON maps onto a report."""
    with fail_cleanly():
        try:
            mapping = FeedMapping.model_validate_json(mapping_file.read_bytes())
        except ValidationError as exc:
            raise InvalidInputError(f"{mapping_file}: {describe(exc)}") from None
    with cli_session() as session:
        access.set_feed_mapping(
            session,
            name,
            field_mapping=mapping.model_dump(
                mode="json", include={"fields", "time_format", "condition_values"}
            ),
            coordinate_system=mapping.coordinate_system.value,
            is_machine_source=mapping.is_machine_source,
        )
    _audit_cli("update", "partner", name, change="feed mapping")
    console.print(f"partner {name}: feed mapping set ({len(mapping.fields)} fields)")


@partners_app.command("key")
def new_key(
    name: str = typer.Argument(...),
    valid_days: int = typer.Option(365, min=1, help="Days the key stays valid."),
) -> None:
    """Issue another API key (for rotation); printed once."""
    with cli_session() as session:
        partner = access.require_partner(session, name)
        issued = access.issue_key(session, partner, now=SystemClock().now(), valid_days=valid_days)
    _audit_cli("create", "partner_key", issued.key_id, partner=name)
    print(f"API key: {issued.key}")


@partners_app.command("revoke")
def revoke(key_id: int = typer.Argument(..., help="Key id (see `partners keys NAME`).")) -> None:
    """Revoke a partner key at once."""
    with cli_session() as session:
        access.revoke_key(session, key_id, now=SystemClock().now())
    _audit_cli("revoke", "partner_key", key_id)
    console.print(f"key {key_id} revoked")


@partners_app.command("keys")
def list_keys(name: str = typer.Argument(...)) -> None:
    """Print a partner's keys: id, public prefix, dates."""
    with cli_session(read_only=True) as session:
        keys = [
            KeyRead.model_validate(k)
            for k in access.keys_of(session, access.require_partner(session, name))
        ]
    table = Table(title=f"Keys of {name}")
    for column in ("id", "prefix", "created", "expires", "revoked"):
        table.add_column(column)
    for k in keys:
        table.add_row(
            str(k.id),
            k.prefix,
            f"{k.created_at:%Y-%m-%d}",
            f"{k.expires_at:%Y-%m-%d}" if k.expires_at else "never",
            f"{k.revoked_at:%Y-%m-%d %H:%M}Z" if k.revoked_at else "",
        )
    console.print(table)


@partners_app.command("list")
def list_partners(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Print every partner."""
    list_records(
        _PARTNERS,
        access.list_partners,
        as_json=as_json,
        table=partial(_partners_table, title="Partners"),
    )


def _partners_table(partners: list[PartnerRead], *, title: str) -> Table:
    table = Table(title=title)
    for column in ("name", "region", "channels", "active"):
        table.add_column(column)
    for p in partners:
        table.add_row(
            p.name, p.region_code or "all", ", ".join(p.channels), "yes" if p.is_active else "no"
        )
    return table
