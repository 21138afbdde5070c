"""``streetrelief notify``: channels, subscriptions, the delivery worker, retry and test."""

from __future__ import annotations

import threading
from typing import TypeVar

import typer
from pydantic import BaseModel, TypeAdapter, ValidationError
from rich.markup import escape
from rich.table import Table

from streetrelief.cli.common import cli_session, console, fail_cleanly
from streetrelief.config import get_settings
from streetrelief.core.clock import SystemClock
from streetrelief.core.errors import InvalidInputError
from streetrelief.db.engine import get_engine, make_session_factory
from streetrelief.notify.jobs import DeliveryWorker, send_test_message
from streetrelief.notify.models import ChannelKind, DeliveryStatus
from streetrelief.notify.schemas import (
    ChannelCreate,
    ChannelRead,
    DeliveryRead,
    SubscriptionCreate,
    SubscriptionRead,
)
from streetrelief.notify.service import (
    add_channel,
    channel_read,
    channel_spec,
    list_channels,
    list_deliveries,
    list_subscriptions,
    require_channel,
    retry_delivery,
    set_channel_active,
    subscribe,
    unsubscribe,
)

app = typer.Typer(help="Outbound notifications: channels, subscriptions, delivery.")
channels_app = typer.Typer(help="Channels: webhook, e-mail and work-chat robots.")
app.add_typer(channels_app, name="channels", no_args_is_help=True)

ModelT = TypeVar("ModelT", bound=BaseModel)

_CHANNELS = TypeAdapter(list[ChannelRead])
_SUBSCRIPTIONS = TypeAdapter(list[SubscriptionRead])
_DELIVERIES = TypeAdapter(list[DeliveryRead])


def _valid(model: type[ModelT], values: dict[str, object]) -> ModelT:
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        problem = exc.errors()[0]
        where = ".".join(str(p) for p in problem["loc"])
        raise InvalidInputError(f"{where}: {problem['msg']}") from exc


@channels_app.command("add")
def channels_add(
    name: str = typer.Argument(..., help="A unique name, e.g. hq-wecom."),
    kind: ChannelKind = typer.Option(..., "--kind", help="Channel kind."),
    url: str | None = typer.Option(None, "--url", help="Webhook or robot URL (holds its key)."),
    to: list[str] = typer.Option([], "--to", help="E-mail recipient; repeat for more."),
    secret: str | None = typer.Option(
        None,
        "--secret",
        envvar="STREETRELIEF_CHANNEL_SECRET",
        help="Signing secret (webhook; DingTalk and Feishu signed mode).",
    ),
    msgtype: str | None = typer.Option(None, "--msgtype", help="DingTalk: markdown or text."),
    event_recipients: bool = typer.Option(
        False, "--event-recipients", help="E-mail also to the addresses an event names."
    ),
) -> None:
    """Add a channel."""
    now = SystemClock().now()
    with cli_session() as session:
        data = _valid(
            ChannelCreate,
            {
                "name": name,
                "kind": kind,
                "url": url,
                "to": to,
                "secret": secret,
                "msgtype": msgtype,
                "add_event_recipients": event_recipients,
            },
        )
        row = channel_read(add_channel(session, data, now=now))
    console.print(f"channel {escape(row.name)} ({row.kind}) added: {escape(row.address)}")


@channels_app.command("list")
def channels_list(
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """Print the channels (never their secrets)."""
    with cli_session(read_only=True) as session:
        rows = list_channels(session)
    if as_json:
        print(_CHANNELS.dump_json(rows, indent=2).decode())
        return
    table = Table(title="Notification channels")
    for column in ("name", "kind", "address", "secret", "active"):
        table.add_column(column)
    for r in rows:
        table.add_row(
            escape(r.name),
            r.kind,
            escape(r.address),
            "yes" if r.has_secret else "-",
            "yes" if r.is_active else "no",
        )
    console.print(table)


@channels_app.command("disable")
def channels_disable(name: str = typer.Argument(..., help="Channel name.")) -> None:
    """Stop sending on a channel; its deliveries wait until it is enabled."""
    with cli_session() as session:
        set_channel_active(session, name, is_active=False)
    console.print(f"channel {escape(name)} disabled")


@channels_app.command("enable")
def channels_enable(name: str = typer.Argument(..., help="Channel name.")) -> None:
    """Send on a disabled channel again, starting with what waited."""
    with cli_session() as session:
        set_channel_active(session, name, is_active=True)
    console.print(f"channel {escape(name)} enabled")


@app.command("subscribe")
def subscribe_cmd(
    channel: str = typer.Argument(..., help="Channel name."),
    event: str = typer.Option(
        ..., "--event", "-e", help="Event type, a prefix like response.*, or * for all."
    ),
    region: str | None = typer.Option(
        None, "--region", "-r", help="Only events in this region's subtree."
    ),
) -> None:
    """Send events of a type (in a region subtree) to CHANNEL, from the next event on."""
    now = SystemClock().now()
    with cli_session() as session:
        data = _valid(
            SubscriptionCreate, {"channel": channel, "event": event, "region_code": region}
        )
        row = subscribe(session, data, now=now)
        where = row.region_code or "all regions"
        text = f"subscription {row.id}: {row.event_pattern} in {where} -> {channel}"
    console.print(escape(text))


@app.command("unsubscribe")
def unsubscribe_cmd(
    subscription_id: int = typer.Argument(..., min=1, help="A subscription's id."),
) -> None:
    """Stop a subscription (deliveries it made still go out)."""
    with cli_session() as session:
        unsubscribe(session, subscription_id)
    console.print(f"subscription {subscription_id} stopped")


@app.command("subscriptions")
def subscriptions_cmd(
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """Print the subscriptions."""
    with cli_session(read_only=True) as session:
        rows = list_subscriptions(session)
        names = {c.id: c.name for c in list_channels(session)}
    if as_json:
        print(_SUBSCRIPTIONS.dump_json(rows, indent=2).decode())
        return
    table = Table(title="Subscriptions")
    for column in ("id", "channel", "event", "region", "active"):
        table.add_column(column)
    for r in rows:
        table.add_row(
            str(r.id),
            escape(names[r.channel_id]),
            escape(r.event_pattern),
            escape(r.region_code or "all"),
            "yes" if r.is_active else "no",
        )
    console.print(table)


@app.command("deliver")
def deliver(
    once: bool = typer.Option(False, "--once", help="One round, then exit."),
) -> None:
    """Deliver notifications from the outbox: a worker loop until interrupted (Ctrl-C).

    Safe to run beside another worker or the server's own (STREETRELIEF_NOTIFY_WORKER_IN_SERVE).
    """
    with fail_cleanly():
        settings = get_settings()
        worker = DeliveryWorker(
            factory=make_session_factory(get_engine(settings.database_url)),
            clock=SystemClock(),
            settings=settings,
        )
        if once:
            r = worker.run_round()
            console.print(
                f"{r.fan_out.deliveries_created} new deliveries from {r.fan_out.events_read} "
                f"events; {r.sent} sent, {r.failed} failed ({r.dead} now dead)"
            )
            return
        console.print("delivering notifications; Ctrl-C stops")
        stop = threading.Event()
        try:
            worker.run(stop)
        except KeyboardInterrupt:
            stop.set()
            console.print("stopped")


@app.command("deliveries")
def deliveries_cmd(
    status: DeliveryStatus | None = typer.Option(None, "--status", help="Only this status."),
    channel: str | None = typer.Option(None, "--channel", help="Only this channel."),
    limit: int = typer.Option(50, "--limit", min=1, max=1000, help="Newest N."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """Print deliveries, newest first, with their status and last error."""
    with cli_session(read_only=True) as session:
        rows = list_deliveries(session, status=status, channel=channel, limit=limit)
    if as_json:
        print(_DELIVERIES.dump_json(rows, indent=2).decode())
        return
    table = Table(title="Deliveries")
    for column in ("id", "event", "channel", "status", "tries", "next (UTC)", "last error"):
        table.add_column(column)
    for r in rows:
        table.add_row(
            str(r.id),
            f"{r.event_id} {escape(r.event_type)}",
            escape(r.channel),
            r.status,
            str(r.attempts),
            r.next_attempt_at.strftime("%Y-%m-%d %H:%M:%S") if r.next_attempt_at else "-",
            escape(r.last_error or ""),
        )
    console.print(table)


@app.command("retry")
def retry(delivery_id: int = typer.Argument(..., min=1, help="A dead delivery's id.")) -> None:
    """Put a dead delivery back in the queue."""
    now = SystemClock().now()
    with cli_session() as session:
        retry_delivery(session, delivery_id, now=now)
    console.print(f"delivery {delivery_id} queued again")


@app.command("test")
def send_test(channel: str = typer.Argument(..., help="Channel name.")) -> None:
    """Send a test message to CHANNEL now and say whether the receiver accepted it."""
    with cli_session(read_only=True) as session:
        spec = channel_spec(require_channel(session, channel))
    with fail_cleanly():
        status = send_test_message(spec, settings=get_settings(), clock=SystemClock())
    suffix = f" (HTTP {status})" if status is not None else ""
    console.print(f"test message accepted by {escape(channel)}{suffix}")
